"""Scripted replies for the Messages API: the `messages:` section of the responder rules.

    messages:                        # POST /v1/messages and Message Batches; first match wins
      - when:
          model: claude-haiku-4-5    # optional: the request's model, exactly
          system_contains: "grader"  # optional: a substring of the system prompt
          message: "(?s)<reply>.*billing.*</reply>"   # optional: regex on the last user text
        reply: '{"pass": true, "reason": "routes the billing question to billing"}'
        usage: {input_tokens: 300, output_tokens: 12}  # optional (default: word counts)

Session rules (`rules:`) script agents; these script plain model calls, such as the LLM
judge of `agentform eval`'s rubric graders. Without a match the reply is the
deterministic placeholder `[emulator] <model> received: <the message's first 200
characters>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentform.emulator.rule_parts import (
    ResponderError,
    Usage,
    mapping,
    optional_str,
    parse_usage,
)

_WHEN = frozenset({"model", "system_contains", "message"})
_RULE = frozenset({"when", "reply", "usage"})
_SNIPPET = 200


@dataclass(frozen=True)
class MessageRequest:
    """What a rule can look at."""

    model: str
    system: str
    message: str  # the text of the last user message


@dataclass(frozen=True)
class MessageRule:
    model: str | None = None
    system_contains: str | None = None
    message: re.Pattern[str] | None = None
    reply: str | None = None
    usage: Usage | None = None

    def matches(self, request: MessageRequest) -> bool:
        return (
            (self.model is None or self.model == request.model)
            and (self.system_contains is None or self.system_contains in request.system)
            and (self.message is None or self.message.search(request.message) is not None)
        )


def answer(rules: tuple[MessageRule, ...], request: MessageRequest) -> tuple[str, Usage | None]:
    """The reply text (and scripted usage) for a request: the first matching rule's."""
    for rule in rules:
        if rule.matches(request) and rule.reply is not None:
            return rule.reply, rule.usage
    snippet = " ".join(request.message.split())[:_SNIPPET]
    return f"[emulator] {request.model} received: {snippet}", None


def parse_message_rules(value: object, source: str) -> tuple[MessageRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ResponderError(f"{source}: messages: expected a list of rules")
    return tuple(_rule(raw, source, f"messages[{i}]") for i, raw in enumerate(value))


def _rule(raw: object, source: str, where: str) -> MessageRule:
    rule = mapping(raw, source, where, _RULE)
    when = mapping(rule.get("when") or {}, source, f"{where}.when", _WHEN)
    pattern = optional_str(when.get("message"), source, f"{where}.when.message")
    try:
        compiled = re.compile(pattern) if pattern is not None else None
    except re.error as exc:
        raise ResponderError(
            f"{source}: {where}.when.message: invalid regular expression: {exc}"
        ) from exc
    reply = optional_str(rule.get("reply"), source, f"{where}.reply")
    if reply is None:
        raise ResponderError(f"{source}: {where}: needs a reply")
    return MessageRule(
        model=optional_str(when.get("model"), source, f"{where}.when.model"),
        system_contains=optional_str(
            when.get("system_contains"), source, f"{where}.when.system_contains"
        ),
        message=compiled,
        reply=reply,
        usage=parse_usage(rule.get("usage"), source, f"{where}.usage"),
    )
