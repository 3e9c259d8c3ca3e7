"""Agent manifests: the checks a schema cannot express, the prompt file, and import.

Each check reads the raw manifest defensively (the schema check runs beside it and
reports wrong types), so one pass reports every problem in a file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds.files import FileProblem, read_estate_file
from agentform.kinds.shape import drop_none, user_metadata
from agentform.manifests.schemas import known_models
from agentform.manifests.yamlsrc import Source

MAX_SYSTEM_CHARS = 100_000
MAX_SYSTEM_BYTES = 4 * MAX_SYSTEM_CHARS  # UTF-8: at most 4 bytes a character
WEB_TOOLS = ("web_fetch", "web_search")
INLINE_PROMPT = 200  # on import, longer (or multi-line) prompts go to <key>.prompt.md


def check(data: dict[str, Any], source: Source) -> list[ManifestError]:
    return [
        *_system_choice(data, source),
        *_mcp_references(data, source),
        *_web_domains(data, source),
    ]


def model_warnings(data: dict[str, Any], source: Source) -> list[ManifestError]:
    """A model id the SDK does not know: allowed (models ship faster than SDKs), but a
    typo would become a pinned version, so say so, with a did-you-mean."""
    model = data.get("model")
    at: tuple[str, ...] = ("model",)
    if isinstance(model, dict):
        model, at = model.get("id"), ("model", "id")
    known = known_models()
    if not isinstance(model, str) or not known or model in known:
        return []
    close = difflib.get_close_matches(model, known, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return [
        source.error(
            at,
            f"unknown model {model!r}{hint} (the anthropic SDK knows {len(known)} models; "
            "a newer one is allowed, `validate --strict` refuses it)",
        )
    ]


def read_system_file(
    data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
) -> tuple[Path | None, str | None]:
    """Read `system_file` (relative to the manifest); append any problem to `errors`."""
    relative = data.get("system_file")
    if not isinstance(relative, str) or not relative:
        return None, None
    at = ("system_file",)
    try:
        path, text = read_estate_file(
            root, source.path.parent, relative, limit=MAX_SYSTEM_BYTES, what="prompt file"
        )
    except FileProblem as exc:
        errors.append(source.error(at, str(exc)))
        return None, None
    if len(text) > MAX_SYSTEM_CHARS:
        errors.append(
            source.error(
                at,
                f"{relative} is {len(text):,} characters long; the API allows at most "
                f"{MAX_SYSTEM_CHARS:,}",
            )
        )
    return path, text


def _system_choice(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    if "system" in data and "system_file" in data:
        yield source.error(("system_file",), "give either `system` or `system_file`, not both")
    elif "system" not in data and "system_file" not in data:
        yield source.error((), "no system prompt: add `system:` or `system_file:`")


def _mcp_references(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    servers = _dicts(data.get("mcp_servers"))
    toolsets = [(i, t) for i, t in _dicts(data.get("tools")) if t.get("type") == "mcp_toolset"]
    used = {t.get("mcp_server_name") for _, t in toolsets}
    defined: dict[Any, int] = {}
    for index, server in servers:
        name = server.get("name")
        at = ("mcp_servers", index, "name")
        if name in defined:
            yield source.error(
                at, f"duplicate MCP server name {name!r} (also mcp_servers[{defined[name]}])"
            )
            continue
        defined[name] = index
        if name not in used:
            yield source.error(
                at,
                f"MCP server {name!r} is not used by any mcp_toolset in tools; the API "
                f"rejects unreferenced servers (add a tool `type: mcp_toolset, "
                f"mcp_server_name: {name}` or remove the server)",
            )
    for index, toolset in toolsets:
        name = toolset.get("mcp_server_name")
        if isinstance(name, str) and name not in defined:
            known = ", ".join(repr(n) for n in defined) or "none"
            yield source.error(
                ("tools", index, "mcp_server_name"),
                f"no MCP server named {name!r} in mcp_servers (defined: {known})",
            )


def _web_domains(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    for index, tool in _dicts(data.get("tools")):
        if tool.get("type") != "agent_toolset_20260401":
            continue
        for position, config in _dicts(tool.get("configs")):
            if config.get("name") not in WEB_TOOLS:
                continue
            at = ("tools", index, "configs", position)
            if (
                config.get("allowed_domains") is not None
                and config.get("blocked_domains") is not None
            ):
                yield source.error(
                    (*at, "blocked_domains"), "give allowed_domains or blocked_domains, not both"
                )
            for name in ("allowed_domains", "blocked_domains"):
                if config.get(name) == []:
                    yield source.error((*at, name), "must not be empty; omit it instead")


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def to_manifest(data: Mapping[str, Any], key: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A manifest for a server agent, its long prompt in `<key>.prompt.md`."""
    spec = _spec(data, key)
    files = {}
    if isinstance(spec.get("system_file"), str):
        files[spec["system_file"]] = str(data.get("system") or "")
    return spec, files


def _spec(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": data["name"], "model": _model(data.get("model") or {})}
    if data.get("description"):
        spec["description"] = data["description"]
    system = str(data.get("system") or "")
    if len(system) > INLINE_PROMPT or "\n" in system:
        spec["system_file"] = f"{key}.prompt.md"
    else:
        spec["system"] = system
    for name in ("tools", "mcp_servers", "skills"):
        if data.get(name):
            spec[name] = drop_none(data[name])
    if "tools" in spec:
        spec["tools"] = [_tool(t) for t in spec["tools"]]
    metadata = user_metadata(data.get("metadata") or {})
    if metadata:
        spec["metadata"] = metadata
    if data.get("multiagent"):
        spec["multiagent"] = _multiagent(drop_none(data["multiagent"]), str(data["id"]))
    if (data.get("execution_identity") or {}).get("type", "service_account") != "service_account":
        spec["execution_identity"] = drop_none(data["execution_identity"])
    return spec


def _model(model: Mapping[str, Any]) -> Any:
    effort = (model.get("effort") or {}).get("type")
    extra = {k: model[k] for k in ("inference_geo",) if model.get(k)}
    if model.get("speed") not in (None, "standard"):
        extra["speed"] = model["speed"]
    if effort is None and not extra:
        return model["id"]
    return {"id": model["id"], **({"effort": effort} if effort else {}), **extra}


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "agent_toolset_20260401":
        return tool
    configs = [
        {k: v for k, v in c.items() if not (k == "type" and v == c.get("name"))}
        for c in tool.get("configs", [])
    ]
    return {**tool, "configs": configs}


def _multiagent(multiagent: dict[str, Any], own_id: str) -> dict[str, Any]:
    if multiagent.get("type") != "coordinator":
        return multiagent
    roster = [
        {"type": "self"} if e.get("id") == own_id else e for e in multiagent.get("agents", [])
    ]
    return {**multiagent, "agents": roster}


def roster_depth(manifest: Any, agents: Mapping[str, Any]) -> list[ManifestError]:
    """A coordinator's roster may not name another coordinator (the API's depth limit
    is 1), nor the agent itself by key (that is `{type: self}`)."""
    multiagent = manifest.spec.get("multiagent")
    if not isinstance(multiagent, dict) or multiagent.get("type") != "coordinator":
        return []
    found = []
    for index, entry in enumerate(multiagent.get("agents") or []):
        key = entry.get("agent") if isinstance(entry, dict) else None
        if not isinstance(key, str) or key not in agents:
            continue
        at = ("multiagent", "agents", index, "agent")
        if key == manifest.key:
            found.append(manifest.source.error(at, "an agent names itself as {type: self}"))
            continue
        other = agents[key].spec.get("multiagent")
        if isinstance(other, dict) and other.get("type") == "coordinator":
            found.append(
                manifest.source.error(
                    at,
                    f"{key} is itself a coordinator; a roster's depth limit is 1 "
                    "(a sub-agent cannot have sub-agents)",
                )
            )
    return found
