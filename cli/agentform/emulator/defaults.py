"""Server-side defaults for agents, materialised the way the real server returns them.

A request may omit or shorten almost everything; a response never does. This module
turns agent request params into the full response shapes (API-NOTES §6.6): the model
object with resolved `effort` and `speed`, toolsets with `default_config` and filled-in
`configs`, concrete skill versions, and the default `execution_identity`.
Environment config lives in `env_config.py`, multiagent rosters in `multiagent.py`.
"""

from __future__ import annotations

from typing import Any

from agentform.emulator.errors import invalid_request
from agentform.emulator.limits import check_length

Json = dict[str, Any]
MISSING: Any = object()

# Effort each model resolves to when the request leaves it out; models not listed get
# `high`. Haiku 4.5 has no effort control, so it resolves to null.
DEFAULT_EFFORT: dict[str, str | None] = {
    "claude-haiku-4-5": None,
    "claude-haiku-4-5-20251001": None,
}
FALLBACK_EFFORT = "high"
# Models known to reject `speed: "fast"`; any other id accepts it.
NO_FAST_SPEED = frozenset(
    {
        "claude-haiku-4-5",
        "claude-haiku-4-5-20251001",
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-5",
        "claude-opus-4-5-20251101",
    }
)
# What "latest" resolves to when a skill's version is omitted.
LATEST_ANTHROPIC_SKILL = "20251013"
LATEST_CUSTOM_SKILL = "1759178010641129"

_ALWAYS_ALLOW: Json = {"type": "always_allow"}
_ALWAYS_ASK: Json = {"type": "always_ask"}
_WEB_FETCH_EXTRAS = ("url_sources", "allowed_domains", "blocked_domains", "max_content_tokens")
_WEB_SEARCH_EXTRAS = ("allowed_domains", "blocked_domains", "user_location")
MAX_TOOLS = 256


def default_effort(model_id: str) -> Json | None:
    level = DEFAULT_EFFORT.get(model_id, FALLBACK_EFFORT)
    return None if level is None else {"type": level}


def materialize_model(
    param: str | Json, *, stored: Json | None = None, field: str = "model"
) -> Json:
    """The response model object. On update (`stored` given) an omitted effort on an
    unchanged model id keeps the stored effort; a new id resets it to that model's default."""
    spec: Json = {"id": param} if isinstance(param, str) else param
    model_id = spec["id"]
    check_length(model_id, f"{field}.id", minimum=1, maximum=256)
    effort = spec.get("effort", MISSING)
    if effort is MISSING and stored is not None and stored["id"] == model_id:
        resolved = stored.get("effort")
    elif effort is MISSING or effort is None:
        resolved = default_effort(model_id)
    else:
        resolved = {"type": effort if isinstance(effort, str) else effort["type"]}
    speed = spec.get("speed") or "standard"
    if speed == "fast" and model_id in NO_FAST_SPEED:
        raise invalid_request(f"{field}.speed: model {model_id!r} does not support speed 'fast'")
    return {
        "id": model_id,
        "effort": resolved,
        "speed": speed,
        "inference_geo": spec.get("inference_geo"),
    }


def materialize_identity(param: Json | None) -> Json:
    if param is None or param["type"] == "service_account":
        return {"type": "service_account"}
    check_length(param["role_arn"], "execution_identity.role_arn", minimum=1, maximum=2048)
    return {"type": "aws_role", "role_arn": param["role_arn"]}


def materialize_skills(params: list[Json] | None, field: str = "skills") -> list[Json]:
    skills = [_skill(p) for p in params or []]
    check_length(skills, field, maximum=20)
    seen: set[tuple[str, str]] = set()
    for index, skill in enumerate(skills):
        key = (skill["type"], skill["skill_id"])
        if key in seen:
            raise invalid_request(f"{field}.{index}: duplicate skill {skill['skill_id']!r}")
        seen.add(key)
    return skills


def _skill(param: Json) -> Json:
    version = param.get("version")
    if version in (None, "", "latest"):
        latest = LATEST_ANTHROPIC_SKILL if param["type"] == "anthropic" else LATEST_CUSTOM_SKILL
        version = latest
    return {"type": param["type"], "skill_id": param["skill_id"], "version": version}


def materialize_mcp_servers(params: list[Json] | None, field: str = "mcp_servers") -> list[Json]:
    servers = [{"type": "url", "name": p["name"], "url": p["url"]} for p in params or []]
    check_length(servers, field, maximum=20)
    names: set[str] = set()
    for index, server in enumerate(servers):
        check_length(server["name"], f"{field}.{index}.name", minimum=1, maximum=255)
        if server["name"] in names:
            raise invalid_request(
                f"{field}.{index}.name: duplicate MCP server name {server['name']!r}"
            )
        if not server["url"].startswith(("https://", "http://")):
            raise invalid_request(f"{field}.{index}.url: must be an http(s) URL")
        names.add(server["name"])
    return servers


def materialize_tools(params: list[Json] | None, field: str = "tools") -> list[Json]:
    tools = [_tool(p, f"{field}.{i}") for i, p in enumerate(params or [])]
    check_length(tools, field, maximum=MAX_TOOLS)
    seen: set[tuple[str, str]] = set()
    for index, tool in enumerate(tools):
        key = (tool["type"], tool.get("name") or tool.get("mcp_server_name") or "")
        if key in seen:
            raise invalid_request(
                f"{field}.{index}: duplicate {tool['type']} {key[1]!r}".rstrip(" '")
            )
        seen.add(key)
    return tools


def check_mcp_references(tools: list[Json], servers: list[Json], field: str = "") -> None:
    """Every mcp_toolset names a server, and every server is used by an mcp_toolset."""
    names = {s["name"] for s in servers}
    used = {t["mcp_server_name"] for t in tools if t["type"] == "mcp_toolset"}
    for index, tool in enumerate(tools):
        if tool["type"] == "mcp_toolset" and tool["mcp_server_name"] not in names:
            where = f"{field}tools.{index}.mcp_server_name"
            raise invalid_request(f"{where}: no MCP server named {tool['mcp_server_name']!r}")
    for index, server in enumerate(servers):
        if server["name"] not in used:
            where = f"{field}mcp_servers.{index}"
            raise invalid_request(
                f"{where}: MCP server {server['name']!r} is not referenced by any mcp_toolset"
            )


def _tool(param: Json, field: str) -> Json:
    if param["type"] == "custom":
        return _custom_tool(param, field)
    is_mcp = param["type"] == "mcp_toolset"
    default_config = param.get("default_config") or {}
    enabled = default_config.get("enabled")
    defaults: Json = {
        "enabled": True if enabled is None else enabled,
        "permission_policy": default_config.get("permission_policy")
        or (_ALWAYS_ASK if is_mcp else _ALWAYS_ALLOW),
    }
    configs = [_tool_config(c, defaults, is_mcp=is_mcp) for c in param.get("configs") or []]
    _check_configs(configs, f"{field}.configs")
    head: Json = {"type": param["type"]}
    if is_mcp:
        check_length(param["mcp_server_name"], f"{field}.mcp_server_name", minimum=1, maximum=255)
        head["mcp_server_name"] = param["mcp_server_name"]
    return {**head, "default_config": defaults, "configs": configs}


def _tool_config(param: Json, defaults: Json, *, is_mcp: bool) -> Json:
    name = param["name"]
    enabled = param.get("enabled")
    config: Json = {} if is_mcp else {"type": name}
    config.update(
        name=name,
        enabled=defaults["enabled"] if enabled is None else enabled,
        permission_policy=param.get("permission_policy") or defaults["permission_policy"],
    )
    extras = (
        _WEB_FETCH_EXTRAS
        if name == "web_fetch"
        else _WEB_SEARCH_EXTRAS
        if name == "web_search"
        else ()
    )
    if not is_mcp:
        for key in extras:
            config[key] = param.get(key)
    if config.get("url_sources") is not None:
        config["url_sources"] = _url_sources(param["url_sources"])
    if config.get("user_location") is not None:
        config["user_location"] = _user_location(param["user_location"])
    return config


def _check_configs(configs: list[Json], field: str) -> None:
    names: set[str] = set()
    for index, config in enumerate(configs):
        where = f"{field}.{index}"
        check_length(config["name"], f"{where}.name", minimum=1, maximum=128)
        if config["name"] in names:
            raise invalid_request(f"{where}.name: duplicate config for {config['name']!r}")
        names.add(config["name"])
        allowed, blocked = config.get("allowed_domains"), config.get("blocked_domains")
        if allowed is not None and blocked is not None:
            raise invalid_request(
                f"{where}: allowed_domains and blocked_domains cannot be combined"
            )
        for key, domains in (("allowed_domains", allowed), ("blocked_domains", blocked)):
            check_length(domains, f"{where}.{key}", minimum=1, maximum=64)


def _url_sources(param: Json) -> Json:
    sources = {
        key: param.get(key) for key in ("client_tool_results", "server_tool_results", "user_input")
    }
    for key, value in sources.items():
        if isinstance(value, str):
            sources[key] = {"type": value}
    if all(v is not None and v["type"] == "none" for v in sources.values()):
        raise invalid_request("url_sources: setting every source to 'none' is not allowed")
    return sources


def _user_location(param: Json) -> Json:
    keys = ("city", "country", "region", "timezone")
    return {"type": "approximate", **{key: param.get(key) for key in keys}}


def _custom_tool(param: Json, field: str) -> Json:
    name = param["name"]
    if (
        not name
        or len(name) > 128
        or not all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    ):
        raise invalid_request(
            f"{field}.name: must be 1-128 characters of letters, digits, '_' or '-'"
        )
    check_length(param["description"], f"{field}.description", minimum=1, maximum=1024)
    return {
        "type": "custom",
        "name": name,
        "description": param["description"],
        "input_schema": param["input_schema"],
    }
