"""Scripted replies for sessions: a YAML rules file, first match wins.

    # First matching rule wins. All `when` conditions are optional and ANDed.
    rules:
      - when:
          agent_key: triage            # the agent's metadata["agentform.key"]
          agent_name: ticket-triage
          agent_version: 2             # int or list of ints
          system_contains: "ROUTING RULE"
          message: "(?i)usage (charge|fee)"   # regex searched in the user message text
        reply: '{"team": "billing", "priority": "P2"}'   # the agent.message text
        tool_uses:                     # optional, in order, before the reply
          - {name: bash, input: {command: ls}, result: "a.txt"}         # built-in tool
          - {type: mcp, server: github, name: get_issue, input: {n: 1}} # MCP tool
          - {type: custom, name: lookup, input: {id: 7}}                # custom tool
        delay_ms: 2000               # optional: how long the turn takes (default: turn_ms)
        usage: {input_tokens: 1200, output_tokens: 40}   # optional: per model request
        error: {type: model_overloaded_error, retry_status: exhausted}  # optional
        outputs: [{path: report.md, content: "# Report"}]  # files under /mnt/session/outputs
        hang: false                  # optional: go running and never answer
    default_reply: null              # optional; otherwise a deterministic built-in default
    messages: []                     # optional: the Messages API's rules (message_rules.py)

`rule_parts.py` parses and explains the script parts (tool uses and their permissions,
usage, errors, outputs); `runner.py` and `turn_play.py` play them. A rule without `reply`
answers with the default reply. The built-in default is derived from the agent and the
message only, so it is the same on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentform.emulator.message_rules import MessageRule, parse_message_rules
from agentform.emulator.rule_parts import (
    Output,
    ResponderError,
    ScriptedError,
    ToolUse,
    Usage,
    mapping,
    optional_int,
    optional_str,
    parse_error,
    parse_outputs,
    parse_tool_uses,
    parse_usage,
)

__all__ = ["Reply", "Responder", "ResponderError", "Rule", "ToolUse", "Turn", "load_responder"]

_WHEN_KEYS = frozenset({"agent_key", "agent_name", "agent_version", "system_contains", "message"})
_RULE_KEYS = frozenset(
    {"when", "reply", "tool_uses", "delay_ms", "hang", "usage", "error", "outputs"}
)
_TOP_KEYS = frozenset({"rules", "default_reply", "messages"})
_SNIPPET = 200


@dataclass(frozen=True)
class Turn:
    """What a rule can look at: the session's agent (at its pinned version) and the message."""

    agent_key: str | None
    agent_name: str
    agent_version: int
    system: str
    message: str
    tools: tuple[dict[str, Any], ...] = ()  # the session agent's tools (for permissions)


@dataclass(frozen=True)
class Reply:
    """What the agent does in one turn, in order: tool uses, then the reply (or an error)."""

    text: str
    tool_uses: tuple[ToolUse, ...] = ()
    delay_ms: int | None = None  # None: the emulator's turn_ms
    hang: bool = False
    usage: Usage | None = None
    error: ScriptedError | None = None
    outputs: tuple[Output, ...] = ()


@dataclass(frozen=True)
class Rule:
    agent_key: str | None = None
    agent_name: str | None = None
    agent_versions: frozenset[int] | None = None
    system_contains: str | None = None
    message: re.Pattern[str] | None = None
    reply: str | None = None
    script: Reply = field(default_factory=lambda: Reply(""))

    def matches(self, turn: Turn) -> bool:
        checks = (
            self.agent_key is None or self.agent_key == turn.agent_key,
            self.agent_name is None or self.agent_name == turn.agent_name,
            self.agent_versions is None or turn.agent_version in self.agent_versions,
            self.system_contains is None or self.system_contains in turn.system,
            self.message is None or self.message.search(turn.message) is not None,
        )
        return all(checks)


@dataclass(frozen=True)
class Responder:
    rules: tuple[Rule, ...] = ()
    default_reply: str | None = None
    source: str = field(default="(built-in)", compare=False)
    messages: tuple[MessageRule, ...] = ()  # the Messages API's (message_rules.py)

    def respond(self, turn: Turn) -> Reply:
        for rule in self.rules:
            if rule.matches(turn):
                text = rule.reply if rule.reply is not None else self.default_text(turn)
                return replace(rule.script, text=text)
        return Reply(self.default_text(turn))

    def default_text(self, turn: Turn) -> str:
        if self.default_reply is not None:
            return self.default_reply
        snippet = " ".join(turn.message.split())[:_SNIPPET]
        return f"[emulator] {turn.agent_name} v{turn.agent_version} received: {snippet}"


def load_responder(path: Path | None) -> Responder:
    """The rules in `path`, or the built-in default responder when None."""
    if path is None:
        return Responder()
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ResponderError(f"{path}: cannot read responder rules: {exc}") from exc
    return parse_responder(document, source=str(path))


def parse_responder(document: object, *, source: str = "(inline)") -> Responder:
    if document is None:
        return Responder(source=source)
    top = mapping(document, source, "top level", _TOP_KEYS)
    rules = top.get("rules") or []
    if not isinstance(rules, list):
        raise ResponderError(f"{source}: rules: expected a list of rules")
    parsed = tuple(_rule(rule, source, f"rules[{i}]") for i, rule in enumerate(rules))
    default = optional_str(top.get("default_reply"), source, "default_reply")
    messages = parse_message_rules(top.get("messages"), source)
    return Responder(rules=parsed, default_reply=default, source=source, messages=messages)


def _rule(raw: object, source: str, where: str) -> Rule:
    rule = mapping(raw, source, where, _RULE_KEYS)
    when = mapping(rule.get("when") or {}, source, f"{where}.when", _WHEN_KEYS)
    script = Reply(
        text="",
        tool_uses=parse_tool_uses(rule.get("tool_uses"), source, f"{where}.tool_uses"),
        delay_ms=optional_int(rule.get("delay_ms"), source, f"{where}.delay_ms"),
        hang=bool(rule.get("hang", False)),
        usage=parse_usage(rule.get("usage"), source, f"{where}.usage"),
        error=parse_error(rule.get("error"), source, f"{where}.error"),
        outputs=parse_outputs(rule.get("outputs"), source, f"{where}.outputs"),
    )
    return Rule(
        agent_key=optional_str(when.get("agent_key"), source, f"{where}.when.agent_key"),
        agent_name=optional_str(when.get("agent_name"), source, f"{where}.when.agent_name"),
        agent_versions=_versions(when.get("agent_version"), source, f"{where}.when.agent_version"),
        system_contains=optional_str(
            when.get("system_contains"), source, f"{where}.when.system_contains"
        ),
        message=_regex(when.get("message"), source, f"{where}.when.message"),
        reply=optional_str(rule.get("reply"), source, f"{where}.reply"),
        script=script,
    )


def _versions(value: object, source: str, where: str) -> frozenset[int] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ResponderError(f"{source}: {where}: expected an integer or a list of integers")
    return frozenset(items)


def _regex(value: object, source: str, where: str) -> re.Pattern[str] | None:
    pattern = optional_str(value, source, where)
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ResponderError(f"{source}: {where}: invalid regular expression: {exc}") from exc
