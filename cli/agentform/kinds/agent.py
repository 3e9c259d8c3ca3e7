"""Agents: `agents/<key>.yaml` is an `agents.create` body plus `system_file`.

Every update makes a new immutable server-side version, so agents are versioned: an
update is sent with `version=<the version planned against>` (compare-and-swap) and the
pin records `id, version, digest`. The server resolves defaults (model speed, toolset
`default_config`, execution identity, empty lists); `desired` writes them out so an
omitted field compares equal to the value the server fills in, and the ones only the
server knows (per-model `effort`, a skill's latest `version`) become WILDCARD.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import agent_manifest
from agentform.kinds.base import Kind, ManifestFile
from agentform.kinds.shape import WILDCARD, drop_none_dict, server_fields
from agentform.manifests.yamlsrc import Source

MULTIAGENT_MEMBERS = ("advisor", "subagents", "workflows")
TOOLSET_POLICY = {"agent_toolset_20260401": "always_allow", "mcp_toolset": "always_ask"}


class AgentKind(Kind):
    name = "agent"
    plural = "agents"
    id_prefix = "agent_"
    versioned = True
    schema = "agent"
    referable = True
    fields = (
        "name",
        "description",
        "model",
        "system",
        "tools",
        "mcp_servers",
        "skills",
        "metadata",
        "multiagent",
        "execution_identity",
    )
    layout = (
        "name",
        "model",
        "description",
        "system",
        "system_file",
        "tools",
        "mcp_servers",
        "skills",
        "metadata",
        "multiagent",
        "execution_identity",
    )

    def check(self, data: dict[str, Any], source: Source) -> list[ManifestError]:
        return agent_manifest.check(data, source)

    def warnings(self, data: dict[str, Any], source: Source) -> list[ManifestError]:
        return agent_manifest.model_warnings(data, source)

    def read_files(
        self, data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
    ) -> tuple[dict[str, Any], tuple[ManifestFile, ...]]:
        spec = dict(data)
        if "system_file" not in data:
            return spec, ()
        path, text = agent_manifest.read_system_file(data, source, root, errors)
        spec.pop("system_file")
        spec["system"] = text
        return spec, (ManifestFile(path, text),) if path and text is not None else ()

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return drop_none_dict(
            {
                "name": spec.get("name"),
                "description": spec.get("description") or None,
                "model": _model(spec.get("model")),
                "system": spec.get("system") or None,
                "tools": [_tool(t) for t in spec.get("tools") or []],
                "mcp_servers": [dict(s) for s in spec.get("mcp_servers") or []],
                "skills": [_skill(s) for s in spec.get("skills") or []],
                "metadata": dict(spec.get("metadata") or {}),
                "multiagent": _multiagent(spec.get("multiagent")),
                "execution_identity": dict(
                    spec.get("execution_identity") or {"type": "service_account"}
                ),
            }
        )

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        spec = server_fields(data, self.fields)
        for name in ("description", "system"):
            spec[name] = spec.get(name) or None
        spec["multiagent"] = _self_references(spec.get("multiagent"), data.get("id"))
        return drop_none_dict(spec)

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": spec["name"],
            "model": spec["model"],
            "description": spec.get("description"),
            "system": spec.get("system"),
            "tools": list(spec.get("tools") or []),
            "mcp_servers": list(spec.get("mcp_servers") or []),
            "skills": list(spec.get("skills") or []),
            "multiagent": spec.get("multiagent"),
            "execution_identity": spec.get("execution_identity"),
        }

    def resource(self, client: Any) -> Any:
        return client.beta.agents

    def reference(self, object_id: Any, version: Any) -> dict[str, Any]:
        return {"type": "agent", "id": object_id, "version": version}

    def check_graph(
        self, manifest: Any, manifests: Mapping[str, Mapping[str, Any]]
    ) -> list[ManifestError]:
        return agent_manifest.roster_depth(manifest, manifests.get("agent", {}))

    def to_manifest(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        return agent_manifest.to_manifest(data, key)


AGENT = AgentKind()


def _model(model: Any) -> dict[str, Any]:
    config = {"id": model} if isinstance(model, str) else dict(model or {})
    effort = config.get("effort")
    config["effort"] = {"type": effort} if isinstance(effort, str) else (effort or WILDCARD)
    config["speed"] = config.get("speed") or "standard"
    return config


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    if kind not in TOOLSET_POLICY:
        return dict(tool)
    given = tool.get("default_config") or {}
    enabled = given.get("enabled")
    default = {
        "enabled": True if enabled is None else enabled,
        "permission_policy": given.get("permission_policy") or {"type": TOOLSET_POLICY[str(kind)]},
    }
    configs = [_tool_config(str(kind), c, default) for c in tool.get("configs") or []]
    return {**dict(tool), "default_config": default, "configs": configs}


def _tool_config(kind: str, config: Mapping[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    filled = dict(config)
    if kind == "agent_toolset_20260401":
        filled["type"] = filled.get("type") or filled.get("name")
    for name in ("enabled", "permission_policy"):
        if filled.get(name) is None:
            filled[name] = default[name]
    return filled


def _skill(skill: Mapping[str, Any]) -> dict[str, Any]:
    return {**dict(skill), "version": skill.get("version") or WILDCARD}


def _multiagent(multiagent: Any) -> Any:
    if isinstance(multiagent, dict) and multiagent.get("type") == "multiagent_20261001":
        # The server materialises every member; an omitted one is whatever it chose.
        members = {m: multiagent.get(m) or WILDCARD for m in MULTIAGENT_MEMBERS}
        return {**multiagent, **members}
    if not isinstance(multiagent, dict) or multiagent.get("type") != "coordinator":
        return multiagent
    roster = []
    for entry in multiagent.get("agents") or []:
        if isinstance(entry, str):
            entry = {"type": "agent", "id": entry}
        if entry.get("type") == "agent":
            entry = {**entry, "version": entry.get("version") or WILDCARD}
        roster.append(entry)
    return {**multiagent, "agents": roster}


def _self_references(multiagent: Any, own_id: Any) -> Any:
    """The server resolves `{type: self}` to this agent's id; turn it back for comparison."""
    if not isinstance(multiagent, dict) or multiagent.get("type") != "coordinator":
        return multiagent
    roster = [
        {"type": "self"} if isinstance(e, dict) and e.get("id") == own_id else e
        for e in multiagent.get("agents") or []
    ]
    return {**multiagent, "agents": roster}
