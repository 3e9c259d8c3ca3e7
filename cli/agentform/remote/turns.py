"""The events of one session turn, as `eval` and `run` need them. Pure: no SDK here.

`TurnCollector` takes events from the stream or from `events.list` (in any mix, each
event once, by id), ignores what came before our message, and knows when the turn is
over: the session went idle (any stop reason) or was terminated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_FINAL = {"session.status_idle": None, "session.status_terminated": "terminated"}
_TOOL_USES = ("agent.tool_use", "agent.mcp_tool_use", "agent.custom_tool_use")
USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


@dataclass(frozen=True)
class SessionEvent:
    """What `eval` and `run` need of one event."""

    id: str
    type: str
    text: str = ""  # agent.message: its text blocks
    tool_name: str | None = None
    tool_input: Mapping[str, Any] | None = None
    stop_reason: str | None = None  # session.status_idle / terminated
    usage: Mapping[str, int] | None = None  # span.model_request_end: that request's tokens

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> SessionEvent:
        kind = str(data.get("type"))
        blocks = (data.get("content") or []) if kind == "agent.message" else []
        text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
        tool = kind in _TOOL_USES
        return cls(
            id=str(data.get("id")),
            type=kind,
            text=text,
            tool_name=data.get("name") if tool else None,
            tool_input=data.get("input") if tool else None,
            stop_reason=_stop_reason(kind, data),
            usage=_usage(kind, data),
        )


@dataclass(frozen=True)
class Turn:
    events: tuple[SessionEvent, ...]
    stop_reason: str  # end_turn, requires_action, refusal, terminated...
    polled: bool  # finished by polling: the stream could not be used

    @property
    def reply(self) -> str:
        """The text of the last agent.message (the answer)."""
        texts = [e.text for e in self.events if e.type == "agent.message"]
        return texts[-1] if texts else ""

    @property
    def usage(self) -> dict[str, int]:
        """Tokens of the turn: the sum over its model requests (`span.model_request_end`)."""
        total = dict.fromkeys(USAGE_FIELDS, 0)
        for event in self.events:
            for name in USAGE_FIELDS:
                total[name] += int((event.usage or {}).get(name) or 0)
        return total

    @property
    def tool_uses(self) -> tuple[SessionEvent, ...]:
        """The tool calls the agent made (built-in, MCP and custom), in order."""
        return tuple(e for e in self.events if e.tool_name is not None)


def _stop_reason(kind: str, data: Mapping[str, Any]) -> str | None:
    if kind not in _FINAL:
        return None
    reason = data.get("stop_reason") or {}
    return _FINAL[kind] or str(reason.get("type", "unknown"))


def _usage(kind: str, data: Mapping[str, Any]) -> Mapping[str, int] | None:
    if kind != "span.model_request_end":
        return None
    usage = data.get("model_usage") or {}
    return {name: int(usage.get(name) or 0) for name in USAGE_FIELDS}


class TurnCollector:
    """Events of one turn, once each, in order; knows when the turn is over."""

    def __init__(self, on_event: Callable[[SessionEvent], None]) -> None:
        self.on_event = on_event
        self.events: list[SessionEvent] = []
        self.seen: set[str] = set()
        self.sent_id: str | None = None
        self.started = False  # our message (or the turn it started) has been seen
        self.stop_reason: str | None = None

    def add(self, data: Mapping[str, Any]) -> bool:
        """Record one event; True once the turn is over."""
        event = SessionEvent.parse(data)
        if event.id in self.seen or self.stop_reason is not None:
            return self.stop_reason is not None
        self.seen.add(event.id)
        self.started = self.started or event.id == self.sent_id
        self.started = self.started or event.type == "session.status_running"
        if not self.started:
            return False  # before our message: not part of this turn
        self.events.append(event)
        self.on_event(event)
        if event.stop_reason is not None:
            self.stop_reason = event.stop_reason
        return self.stop_reason is not None
