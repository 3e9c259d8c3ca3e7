"""Put a manifest and a server object in the same shape, so only real differences show.

The server resolves defaults (model speed, toolset default_config, execution identity,
empty lists, all six package lists...). `desired_spec` materialises the defaults the
API documents, so an omitted field compares equal to the value the server fills in.
Defaults the server resolves in ways agentform cannot know (the per-model `effort`,
a skill's latest `version`, an environment's `scope`) become WILDCARD: they take
whatever the server holds. `server_spec` strips server-only fields and agentform's own
metadata markers. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from agentform.manifests.schemas import METADATA_RESERVED_PREFIX
from agentform.remote.state import Kind

SERVER_ONLY = frozenset({"id", "type", "version", "created_at", "updated_at", "archived_at"})
PACKAGE_MANAGERS = ("apt", "cargo", "gem", "go", "npm", "pip")
MULTIAGENT_MEMBERS = ("advisor", "subagents", "workflows")
TOOLSET_POLICY = {"agent_toolset_20260401": "always_allow", "mcp_toolset": "always_ask"}
AGENT_FIELDS = (
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
ENVIRONMENT_FIELDS = ("name", "description", "config", "metadata", "scope")


class _Wildcard:
    """A value the server decides; equal to whatever the server holds."""

    def __repr__(self) -> str:
        return "<server default>"


WILDCARD: Final = _Wildcard()


def desired_spec(kind: Kind, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest with every documented server default filled in."""
    return _drop_none_dict(_agent(spec) if kind == "agent" else _environment(spec))


def server_spec(kind: Kind, obj: Mapping[str, Any]) -> dict[str, Any]:
    """A server object as comparable data: no server-only fields, no agentform markers."""
    fields = AGENT_FIELDS if kind == "agent" else ENVIRONMENT_FIELDS
    spec = {name: obj.get(name) for name in fields if name not in SERVER_ONLY}
    spec["metadata"] = user_metadata(obj.get("metadata") or {})
    if kind == "agent":
        for name in ("description", "system"):
            spec[name] = spec.get(name) or None
        spec["multiagent"] = _self_references(spec.get("multiagent"), obj.get("id"))
    else:
        spec["config"] = _config(spec.get("config") or {"type": "cloud"})
    return _drop_none_dict(spec)


def resolve_wildcards(desired: Any, server: Any) -> Any:
    """`desired` with each WILDCARD replaced by the server's value at the same place."""
    if desired is WILDCARD:
        return server
    if isinstance(desired, dict):
        theirs = server if isinstance(server, dict) else {}
        resolved = {k: resolve_wildcards(v, theirs.get(k)) for k, v in desired.items()}
        return {k: v for k, v in resolved.items() if v is not None}
    if isinstance(desired, list):
        same = isinstance(server, list) and len(server) == len(desired)
        return [resolve_wildcards(v, server[i] if same else None) for i, v in enumerate(desired)]
    return desired


def digest(spec: Any) -> str:
    """sha256 of the canonical JSON of a spec (WILDCARD hashes as a fixed token)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=_token)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def user_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if not k.startswith(METADATA_RESERVED_PREFIX)}


def _token(value: Any) -> str:
    if value is WILDCARD:
        return "<server default>"
    raise TypeError(f"not JSON-serialisable: {value!r}")


def _agent(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": spec.get("name"),
        "description": spec.get("description") or None,
        "model": _model(spec.get("model")),
        "system": spec.get("system") or None,
        "tools": [_tool(t) for t in spec.get("tools") or []],
        "mcp_servers": [dict(s) for s in spec.get("mcp_servers") or []],
        "skills": [_skill(s) for s in spec.get("skills") or []],
        "metadata": dict(spec.get("metadata") or {}),
        "multiagent": _multiagent(spec.get("multiagent")),
        "execution_identity": dict(spec.get("execution_identity") or {"type": "service_account"}),
    }


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


def _environment(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": spec.get("name"),
        "description": spec.get("description"),
        "config": _config(spec.get("config") or {"type": "cloud"}),
        "metadata": dict(spec.get("metadata") or {}),
        "scope": spec.get("scope") or WILDCARD,
    }


def environment_config(config: Any) -> dict[str, Any]:
    """An environment config with every documented default written out."""
    return _config(config if isinstance(config, Mapping) else {"type": "cloud"})


def _config(config: Mapping[str, Any]) -> dict[str, Any]:
    if config.get("type") != "cloud":
        return dict(config)
    return {
        "type": "cloud",
        "networking": _networking(config.get("networking")),
        "packages": _packages(config.get("packages")),
    }


def _networking(networking: Any) -> dict[str, Any]:
    if not isinstance(networking, dict) or networking.get("type") != "limited":
        return {"type": "unrestricted"}
    return {
        "type": "limited",
        "allowed_hosts": list(networking.get("allowed_hosts") or []),
        "allow_mcp_servers": bool(networking.get("allow_mcp_servers")),
        "allow_package_managers": bool(networking.get("allow_package_managers")),
    }


def _packages(packages: Any) -> dict[str, Any]:
    given = packages if isinstance(packages, dict) else {}
    lists = {m: sorted(given.get(m) or []) for m in PACKAGE_MANAGERS}
    return {"type": "packages", **lists}


def _drop_none_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {k: drop_none(v) for k, v in value.items() if v is not None}


def drop_none(value: Any) -> Any:
    """None and an absent key mean the same thing in every response: compare them equal."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value
