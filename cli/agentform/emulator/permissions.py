"""How a scripted tool call is evaluated against the session agent's permission policies.

The result is the event's `evaluated_permission` (allow / ask / deny) and its
`evaluation` (which resolved policy produced it), as the SDK's `agent.tool_use` and
`agent.mcp_tool_use` types describe them:

- A built-in tool follows its `agent_toolset_20260401` entry: the tool's own config, else
  the toolset's `default_config` (the emulator materialises both). A disabled tool is
  refused (`deny`, no `evaluation`). An agent with no built-in toolset at all gets its
  scripted calls allowed: the rule stands in for the model and is taken at its word.
- An MCP tool follows the `mcp_toolset` of its server (default `always_ask`); no toolset
  for that server is a refusal.
- `auto` is judged `allow`. A rule's explicit `permission` wins over all of this.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentform.emulator.rule_parts import ToolUse

Json = dict[str, Any]
_EVALUATED = {"always_allow": "allow", "always_ask": "ask", "auto": "allow"}
_POLICY_OF = {"allow": "always_allow", "ask": "always_ask"}


def evaluate(use: ToolUse, tools: Sequence[Json]) -> tuple[str, Json | None]:
    """(`evaluated_permission`, `evaluation` or None) for one scripted call."""
    if use.permission is not None:
        policy = _POLICY_OF.get(use.permission)
        return use.permission, None if policy is None else {"type": policy}
    config = _config(use, tools)
    if config is None:
        return ("allow", None) if use.kind == "agent" else ("deny", None)
    if not config["enabled"]:
        return "deny", None
    policy = config["permission_policy"]["type"]
    evaluation: Json = {"type": policy}
    if policy == "auto":
        evaluation["evaluated_permission"] = {"type": "allow"}
    return _EVALUATED.get(policy, "allow"), evaluation


def _config(use: ToolUse, tools: Sequence[Json]) -> Json | None:
    """The effective {enabled, permission_policy} for the call, or None without a toolset."""
    toolset = next((t for t in tools if _serves(t, use)), None)
    if toolset is None:
        return None
    default = toolset.get("default_config") or {}
    configs: list[Json] = toolset.get("configs") or []
    own: Json = next((c for c in configs if c.get("name") == use.name), {})
    return {
        "enabled": own.get("enabled", default.get("enabled", True)),
        "permission_policy": own.get("permission_policy")
        or default.get("permission_policy")
        or {"type": "always_allow" if use.kind == "agent" else "always_ask"},
    }


def _serves(toolset: Json, use: ToolUse) -> bool:
    if use.kind == "mcp":
        return toolset.get("type") == "mcp_toolset" and toolset.get("mcp_server_name") == use.server
    return toolset.get("type") == "agent_toolset_20260401"
