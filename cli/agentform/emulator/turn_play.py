"""Playing one turn's script: paced steps, tool calls, waits on the client, the ending.

A turn takes its rule's `delay_ms` (else the emulator's `turn_ms`), spread evenly over
its steps: each tool call, then the reply. Model requests are spans:
`span.model_request_start` opens before the first thing the model produces, and
`span.model_request_end` (with `model_usage` token counts) closes it after the reply, or
before the session idles to wait on the client. A call that needs the client (a custom
tool, or a built-in / MCP tool evaluated `ask`) parks the turn: the session goes idle with
`stop_reason: requires_action` listing the waiting event ids; resolving fewer than all of
them re-emits that idle with the rest; resolving the last one runs the turn on.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentform.emulator import events, files, sessions
from agentform.emulator.ids import format_ms, parse_rfc3339_us
from agentform.emulator.permissions import evaluate
from agentform.emulator.responder import Reply, ToolUse, Turn
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

WAITING, END_TURN, EXHAUSTED, TERMINAL = "waiting", "end_turn", "retries_exhausted", "terminal"
ANSWERS = ("user.custom_tool_result", "user.tool_confirmation")
OUTPUTS = "/mnt/session/outputs"
_TOTALS = ("input_tokens", "output_tokens", "cache_read_input_tokens")


@dataclass(eq=False)
class Progress:
    """One turn in flight (or parked on the client): its script and how far it got."""

    session_id: str
    user_event: Json
    turn: Turn
    reply: Reply
    beat: float  # seconds before each step
    running_since: float = field(default_factory=time.monotonic)
    step: int = 0
    waiting: dict[str, ToolUse] = field(default_factory=dict)  # event id -> call
    answers: list[tuple[str, ToolUse, Json]] = field(default_factory=list)
    span_start: str | None = None
    span_words: int = 0
    usage: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TOTALS, 0))
    retried: bool = False


def pace(em: Emulator, reply: Reply) -> float:
    """Seconds per step: the turn's duration over its steps (each call, then the reply)."""
    duration_ms = em.config.turn_ms if reply.delay_ms is None else reply.delay_ms
    retry = reply.error is not None and reply.error.retry_status == "retrying"
    return duration_ms / 1000 / (len(reply.tool_uses) + 1 + retry)


async def play(em: Emulator, p: Progress) -> str:
    """Play on until the turn ends (its outcome) or waits on the client (`WAITING`)."""
    uses = p.reply.tool_uses
    while p.step < len(uses):
        await asyncio.sleep(p.beat)
        _open_span(em, p)
        _call(em, p, uses[p.step])
        p.step += 1
        while uses[p.step - 1].kind == "custom" and p.step < len(uses):
            if uses[p.step].kind != "custom":
                break
            _call(em, p, uses[p.step])  # parallel custom tool calls wait together
            p.step += 1
        if p.waiting:
            _close_span(em, p)
            return WAITING
    await asyncio.sleep(p.beat)
    _open_span(em, p)
    return await _final(em, p)


def answer(em: Emulator, p: Progress, event: Json) -> bool:
    """Record a client's answer; True once nothing is waiting any more."""
    key = event.get("custom_tool_use_id") or event.get("tool_use_id")
    use = p.waiting.pop(str(key), None)
    if use is None:
        return False  # not something this turn waits for: recorded, nothing else
    p.answers.append((str(key), use, event))
    if p.waiting:
        events.append(em, p.session_id, _idle(WAITING, p))
        return False
    return True


def run_answers(em: Emulator, p: Progress) -> None:
    """The session runs again: confirmed (or denied) tools produce their results."""
    p.running_since = time.monotonic()
    sessions.mutate(em, p.session_id, lambda s: s.update(status="running"))
    events.append(em, p.session_id, {"type": "session.status_running"})
    for key, use, event in p.answers:
        if event["type"] == "user.tool_confirmation":
            denied = None
            if event["result"] != "allow":
                denied = event.get("deny_message") or "The user denied this tool call."
            _result(em, p, key, use, denied)
    p.answers.clear()


def finish(em: Emulator, p: Progress, outcome: str) -> None:
    """Fold the turn's usage and time into the session, then idle (or terminate)."""
    elapsed = time.monotonic() - p.running_since
    status = "terminated" if outcome == TERMINAL else "idle"
    session = sessions.mutate(em, p.session_id, lambda s: _fold(s, p, elapsed, status, outcome))
    if p.reply.usage is not None and outcome in (END_TURN, EXHAUSTED):
        events.append(em, p.session_id, _usage_snapshot(session))
    if outcome == TERMINAL:
        events.append(em, p.session_id, {"type": "session.status_terminated"})
    else:
        events.append(em, p.session_id, _idle(outcome, p))


def interrupted(em: Emulator, p: Progress) -> None:
    """A `user.interrupt` stopped the turn: close its model request, then idle (end_turn)."""
    _close_span(em, p)
    finish(em, p, END_TURN)


async def _final(em: Emulator, p: Progress) -> str:
    error = p.reply.error
    if error is not None and not p.retried:
        _close_span(em, p, is_error=True)
        events.append(em, p.session_id, {"type": "session.error", "error": error.as_json()})
        if error.retry_status != "retrying":
            return EXHAUSTED if error.retry_status == "exhausted" else TERMINAL
        p.retried = True
        _reschedule(em, p)
        await asyncio.sleep(p.beat)
        _open_span(em, p)
    message = {"type": "agent.message", "content": [_text(p.reply.text)]}
    events.append(em, p.session_id, message)
    p.span_words += len(p.reply.text.split())
    _close_span(em, p)
    for output in p.reply.outputs:
        files.create_output(em, p.session_id, f"{OUTPUTS}/{output.path}", output.content.encode())
    return END_TURN


def _reschedule(em: Emulator, p: Progress) -> None:
    for status, kind in (("rescheduling", "rescheduled"), ("running", "running")):
        _set_status(em, p.session_id, status)
        events.append(em, p.session_id, {"type": f"session.status_{kind}"})


def _set_status(em: Emulator, session_id: str, status: str) -> None:
    sessions.mutate(em, session_id, lambda s: s.update(status=status))


def _call(em: Emulator, p: Progress, use: ToolUse) -> None:
    p.span_words += len(use.name.split()) + len(json.dumps(dict(use.input)).split())
    if use.kind == "custom":
        call = {"type": "agent.custom_tool_use", "name": use.name, "input": dict(use.input)}
        p.waiting[events.append(em, p.session_id, call)["id"]] = use
        return
    permission, evaluation = evaluate(use, p.turn.tools)
    body: Json = {"type": f"agent.{'mcp_' if use.kind == 'mcp' else ''}tool_use", "name": use.name}
    if use.kind == "mcp":
        body["mcp_server_name"] = use.server
    body.update(input=dict(use.input), evaluated_permission=permission)
    if evaluation is not None:
        body["evaluation"] = evaluation
    event_id = events.append(em, p.session_id, body)["id"]
    if permission == "ask":
        p.waiting[event_id] = use
    else:
        refused = f"Permission denied: {use.name} is not enabled for this agent"
        _result(em, p, event_id, use, refused if permission == "deny" else None)


def _result(em: Emulator, p: Progress, use_id: str, use: ToolUse, denied: str | None) -> None:
    if use.kind == "mcp":
        body: Json = {"type": "agent.mcp_tool_result", "mcp_tool_use_id": use_id}
    else:
        body = {"type": "agent.tool_result", "tool_use_id": use_id}
    text, is_error = (use.result, use.is_error) if denied is None else (denied, True)
    body.update(content=[_text(text)], is_error=is_error)
    events.append(em, p.session_id, body)


def _open_span(em: Emulator, p: Progress) -> None:
    if p.span_start is None:
        p.span_start = events.append(em, p.session_id, {"type": "span.model_request_start"})["id"]
        p.span_words = 0


def _close_span(em: Emulator, p: Progress, *, is_error: bool = False) -> None:
    if p.span_start is None:
        return
    if p.reply.usage is not None:
        usage = p.reply.usage.as_json()
    else:
        prompt = len(p.turn.message.split()) + len(p.turn.system.split())
        usage = {"input_tokens": prompt, "output_tokens": p.span_words}
        usage.update(cache_creation_input_tokens=0, cache_read_input_tokens=0)
    end = {"type": "span.model_request_end", "model_request_start_id": p.span_start}
    events.append(em, p.session_id, {**end, "is_error": is_error, "model_usage": usage})
    for key in _TOTALS:
        p.usage[key] += usage[key]
    p.span_start = None


def _idle(outcome: str, p: Progress) -> Json:
    reason: Json = {"type": outcome}
    if outcome == WAITING:
        reason = {"type": "requires_action", "event_ids": list(p.waiting)}
    return {"type": "session.status_idle", "stop_reason": reason, "stop_details": None}


def _fold(session: Json, p: Progress, elapsed: float, status: str, outcome: str) -> None:
    session["status"] = status
    totals = session["usage"]
    for key in _TOTALS:
        totals[key] = totals.get(key, 0) + p.usage[key]
    p.usage = dict.fromkeys(_TOTALS, 0)
    stats = session["stats"]
    stats["active_seconds"] = round(stats.get("active_seconds", 0.0) + elapsed, 3)
    created_ms = parse_rfc3339_us(session["created_at"]) // 1000
    stats["duration_seconds"] = round(max(time.time() * 1000 - created_ms, 0) / 1000, 3)
    if outcome == END_TURN and p.user_event["type"] == "user.define_outcome":
        session["outcome_evaluations"].append(_outcome(p.user_event))


def _usage_snapshot(session: Json) -> Json:
    snapshot = {key: session["usage"].get(key, 0) for key in _TOTALS}
    snapshot["active_seconds"] = session["stats"]["active_seconds"]
    return {"type": "session.usage", "usage": snapshot, "budget": session.get("budget")}


def _outcome(event: Json) -> Json:
    return {
        "type": "outcome_evaluation",
        "outcome_id": event["outcome_id"],
        "description": event["description"],
        "iteration": 0,
        "result": "satisfied",
        "explanation": "The emulator does not grade outcomes; every outcome is reported satisfied.",
        "completed_at": format_ms(int(time.time() * 1000)),
    }


def _text(text: str) -> Json:
    return {"type": "text", "text": text}
