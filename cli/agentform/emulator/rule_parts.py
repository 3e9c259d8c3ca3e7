"""The parts of a responder rule that script a turn, parsed and checked.

- `tool_uses`: built-in tool calls (`agent.tool_use` + `agent.tool_result`), MCP tool calls
  (`type: mcp`, `server:`; `agent.mcp_tool_use` + `agent.mcp_tool_result`) and custom tool
  calls (`type: custom`; `agent.custom_tool_use`, then the session idles with
  `requires_action` until the client sends `user.custom_tool_result`). A built-in or MCP
  call may give `result` (default "ok"), `is_error`, and `permission` (allow / ask / deny;
  default: what the agent's toolset says), an `ask` waits for `user.tool_confirmation`.
- `usage`: the token counts each model request of the turn reports.
- `error`: a `session.error` instead of the reply (`retry_status`: `exhausted` idles with
  `retries_exhausted`, `terminal` terminates the session, `retrying` reschedules and then
  answers as usual).
- `outputs`: files the turn leaves in `/mnt/session/outputs/` (session-scoped Files API
  files, downloadable).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentform.errors import UserError

KINDS = ("agent", "mcp", "custom")
PERMISSIONS = ("allow", "ask", "deny")
RETRY_STATUSES = ("retrying", "exhausted", "terminal")
# session.error types (SDK BetaManagedAgentsSessionErrorEvent) and the fields each requires
ERROR_FIELDS: dict[str, tuple[str, ...]] = {
    "unknown_error": (),
    "model_overloaded_error": (),
    "model_rate_limited_error": (),
    "model_request_failed_error": (),
    "mcp_connection_failed_error": ("mcp_server_name",),
    "mcp_authentication_failed_error": ("mcp_server_name",),
    "billing_error": (),
    "credential_host_unreachable_error": ("credential_id", "vault_id"),
    "tool_use_limit_reached_error": (),
    "compaction_limit_reached_error": (),
    "repository_authentication_error": (),
    "repository_forbidden_error": (),
    "repository_not_found_error": (),
    "repository_checkout_error": (),
    "repository_clone_error": (),
}
_TOOL_KEYS = frozenset({"type", "name", "input", "result", "server", "permission", "is_error"})
_USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


class ResponderError(UserError):
    """The responder rules file is unreadable or malformed."""


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: Mapping[str, Any]
    result: str = "ok"
    kind: str = "agent"  # agent | mcp | custom
    server: str | None = None  # the MCP server's name (kind mcp)
    permission: str | None = None  # allow | ask | deny; None: the agent's toolset decides
    is_error: bool = False


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    def as_json(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in _USAGE_KEYS}


@dataclass(frozen=True)
class ScriptedError:
    type: str
    message: str
    retry_status: str = "exhausted"
    extra: tuple[tuple[str, str], ...] = ()  # required fields of some types

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        error.update(self.extra)
        error["retry_status"] = {"type": self.retry_status}
        return error


@dataclass(frozen=True)
class Output:
    path: str  # relative to /mnt/session/outputs/
    content: str


def parse_tool_uses(value: object, source: str, where: str) -> tuple[ToolUse, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ResponderError(f"{source}: {where}: expected a list")
    return tuple(_tool_use(raw, source, f"{where}[{i}]") for i, raw in enumerate(value))


def _tool_use(raw: object, source: str, where: str) -> ToolUse:
    item = mapping(raw, source, where, _TOOL_KEYS)
    kind = _choice(item.get("type", "agent"), KINDS, source, f"{where}.type")
    name, tool_input = item.get("name"), item.get("input", {})
    if not isinstance(name, str) or not isinstance(tool_input, dict):
        raise ResponderError(f"{source}: {where}: needs a string name and a mapping input")
    server = optional_str(item.get("server"), source, f"{where}.server")
    if (kind == "mcp") != (server is not None):
        raise ResponderError(f"{source}: {where}: `server` is required for, and only for, mcp")
    if kind == "custom" and {"result", "permission", "is_error"} & item.keys():
        raise ResponderError(
            f"{source}: {where}: a custom tool's result comes from the client "
            "(user.custom_tool_result): no result, permission or is_error"
        )
    result = optional_str(item.get("result"), source, f"{where}.result")
    permission = item.get("permission")
    if permission is not None:
        permission = _choice(permission, PERMISSIONS, source, f"{where}.permission")
    return ToolUse(
        name=name,
        input=tool_input,
        result="ok" if result is None else result,
        kind=kind,
        server=server,
        permission=permission,
        is_error=bool(item.get("is_error", False)),
    )


def parse_usage(value: object, source: str, where: str) -> Usage | None:
    if value is None:
        return None
    item = mapping(value, source, where, frozenset(_USAGE_KEYS))
    counts = {key: optional_int(item.get(key), source, f"{where}.{key}") for key in _USAGE_KEYS}
    if counts["input_tokens"] is None or counts["output_tokens"] is None:
        raise ResponderError(f"{source}: {where}: needs input_tokens and output_tokens")
    return Usage(**{key: count or 0 for key, count in counts.items()})


def parse_error(value: object, source: str, where: str) -> ScriptedError | None:
    if value is None:
        return None
    extras = frozenset(f for fields in ERROR_FIELDS.values() for f in fields)
    item = mapping(value, source, where, frozenset({"type", "message", "retry_status"}) | extras)
    kind = _choice(item.get("type", "unknown_error"), tuple(ERROR_FIELDS), source, f"{where}.type")
    message = optional_str(item.get("message"), source, f"{where}.message")
    retry = _choice(item.get("retry_status", "exhausted"), RETRY_STATUSES, source, where)
    extra = []
    for key in ERROR_FIELDS[kind]:
        found = optional_str(item.get(key), source, f"{where}.{key}")
        if found is None:
            raise ResponderError(f"{source}: {where}: {kind} needs {key}")
        extra.append((key, found))
    text = message or f"{kind.replace('_', ' ')} (scripted by the emulator's responder rules)"
    return ScriptedError(kind, text, retry, tuple(extra))


def parse_outputs(value: object, source: str, where: str) -> tuple[Output, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ResponderError(f"{source}: {where}: expected a list")
    outputs = []
    for index, raw in enumerate(value):
        item = mapping(raw, source, f"{where}[{index}]", frozenset({"path", "content"}))
        path, content = item.get("path"), item.get("content", "")
        if not isinstance(path, str) or not path.strip("/") or not isinstance(content, str):
            raise ResponderError(f"{source}: {where}[{index}]: needs a path and string content")
        outputs.append(Output(path.strip("/"), content))
    return tuple(outputs)


def mapping(raw: object, source: str, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ResponderError(f"{source}: {where}: expected a mapping")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ResponderError(f"{source}: {where}: unknown key {unknown[0]!r} (known: {known})")
    return raw


def optional_str(value: object, source: str, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ResponderError(f"{source}: {where}: expected a string")


def optional_int(value: object, source: str, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ResponderError(f"{source}: {where}: expected a non-negative integer")
    return value


def _choice(value: object, options: tuple[str, ...], source: str, where: str) -> str:
    if isinstance(value, str) and value in options:
        return value
    raise ResponderError(f"{source}: {where}: expected one of {', '.join(options)}")
