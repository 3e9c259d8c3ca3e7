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
        tool_uses: [{name: bash, input: {command: "ls"}}]  # optional, before the reply
        delay_ms: 0                  # optional: wait before answering
        hang: false                  # optional: go running and never answer
    default_reply: null              # optional; otherwise a deterministic built-in default

A tool use may also give `result` (the agent.tool_result text; default "ok"). A rule
without `reply` answers with the default reply. The built-in default is derived from
the agent and the message only, so it is the same on every run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentform.errors import UserError

_WHEN_KEYS = frozenset({"agent_key", "agent_name", "agent_version", "system_contains", "message"})
_RULE_KEYS = frozenset({"when", "reply", "tool_uses", "delay_ms", "hang"})
_TOP_KEYS = frozenset({"rules", "default_reply"})
_SNIPPET = 200


class ResponderError(UserError):
    """The responder rules file is unreadable or malformed."""


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: Mapping[str, Any]
    result: str = "ok"


@dataclass(frozen=True)
class Turn:
    """What a rule can look at: the session's agent (at its pinned version) and the message."""

    agent_key: str | None
    agent_name: str
    agent_version: int
    system: str
    message: str


@dataclass(frozen=True)
class Reply:
    text: str
    tool_uses: tuple[ToolUse, ...] = ()
    delay_ms: int = 0
    hang: bool = False


@dataclass(frozen=True)
class Rule:
    agent_key: str | None = None
    agent_name: str | None = None
    agent_versions: frozenset[int] | None = None
    system_contains: str | None = None
    message: re.Pattern[str] | None = None
    reply: str | None = None
    tool_uses: tuple[ToolUse, ...] = ()
    delay_ms: int = 0
    hang: bool = False

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

    def respond(self, turn: Turn) -> Reply:
        for rule in self.rules:
            if rule.matches(turn):
                text = rule.reply if rule.reply is not None else self.default_text(turn)
                return Reply(text, rule.tool_uses, rule.delay_ms, rule.hang)
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
    top = _mapping(document, source, "top level", _TOP_KEYS)
    rules = top.get("rules") or []
    if not isinstance(rules, list):
        raise ResponderError(f"{source}: rules: expected a list of rules")
    parsed = tuple(_rule(rule, source, f"rules[{i}]") for i, rule in enumerate(rules))
    default = _optional_str(top.get("default_reply"), source, "default_reply")
    return Responder(rules=parsed, default_reply=default, source=source)


def _rule(raw: object, source: str, where: str) -> Rule:
    rule = _mapping(raw, source, where, _RULE_KEYS)
    when = _mapping(rule.get("when") or {}, source, f"{where}.when", _WHEN_KEYS)
    delay = rule.get("delay_ms", 0)
    if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
        raise ResponderError(f"{source}: {where}.delay_ms: expected a non-negative integer")
    return Rule(
        agent_key=_optional_str(when.get("agent_key"), source, f"{where}.when.agent_key"),
        agent_name=_optional_str(when.get("agent_name"), source, f"{where}.when.agent_name"),
        agent_versions=_versions(when.get("agent_version"), source, f"{where}.when.agent_version"),
        system_contains=_optional_str(
            when.get("system_contains"), source, f"{where}.when.system_contains"
        ),
        message=_regex(when.get("message"), source, f"{where}.when.message"),
        reply=_optional_str(rule.get("reply"), source, f"{where}.reply"),
        tool_uses=_tool_uses(rule.get("tool_uses"), source, f"{where}.tool_uses"),
        delay_ms=delay,
        hang=bool(rule.get("hang", False)),
    )


def _mapping(raw: object, source: str, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ResponderError(f"{source}: {where}: expected a mapping")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ResponderError(f"{source}: {where}: unknown key {unknown[0]!r} (known: {known})")
    return raw


def _optional_str(value: object, source: str, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ResponderError(f"{source}: {where}: expected a string")


def _versions(value: object, source: str, where: str) -> frozenset[int] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ResponderError(f"{source}: {where}: expected an integer or a list of integers")
    return frozenset(items)


def _regex(value: object, source: str, where: str) -> re.Pattern[str] | None:
    pattern = _optional_str(value, source, where)
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ResponderError(f"{source}: {where}: invalid regular expression: {exc}") from exc


def _tool_uses(value: object, source: str, where: str) -> tuple[ToolUse, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ResponderError(f"{source}: {where}: expected a list")
    uses = []
    for index, raw in enumerate(value):
        item = _mapping(raw, source, f"{where}[{index}]", frozenset({"name", "input", "result"}))
        name, tool_input = item.get("name"), item.get("input", {})
        if not isinstance(name, str) or not isinstance(tool_input, dict):
            raise ResponderError(
                f"{source}: {where}[{index}]: needs a string name and a mapping input"
            )
        result = _optional_str(item.get("result"), source, f"{where}[{index}].result")
        uses.append(ToolUse(name, tool_input, "ok" if result is None else result))
    return tuple(uses)
