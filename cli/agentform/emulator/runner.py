"""Turns: what a session does with the user events it receives.

Each session processes its events one at a time, in order. A `user.message` (or a
`user.define_outcome`) starts a turn: the session goes `running`, the responder picks
a reply, and the session emits `span.model_request_start`, any scripted
`agent.tool_use` / `agent.tool_result` pairs, `agent.message`,
`span.model_request_end`, then goes `idle` with `stop_reason: end_turn`. A
`user.interrupt` jumps the queue: it cancels the turn in progress and forces `idle`.
Other user events are recorded as processed and start no turn (the emulator does not
simulate permission prompts or custom tools).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from agentform.emulator import agents, events, sessions
from agentform.emulator.ids import format_ms, parse_rfc3339_us
from agentform.emulator.responder import Reply, Turn
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

_TURN_EVENTS = ("user.message", "user.define_outcome")
_END_TURN: Json = {
    "type": "session.status_idle",
    "stop_reason": {"type": "end_turn"},
    "stop_details": None,
}


class Runner:
    def __init__(self, em: Emulator) -> None:
        self._em = em
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: dict[str, set[asyncio.Task[None]]] = {}
        self._active: dict[str, asyncio.Task[None]] = {}

    def submit(self, session_id: str, accepted: list[Json]) -> None:
        """Queue a send request's user events (call on the server's event loop)."""
        for event in accepted:
            if event["type"] == "user.interrupt":
                self._interrupt(session_id, event)
            else:
                self._spawn(session_id, event)

    def forget(self, session_id: str) -> None:
        """Stop everything running for a session (it is being deleted)."""
        for task in self._tasks.pop(session_id, set()):
            task.cancel()
        self._locks.pop(session_id, None)
        self._active.pop(session_id, None)

    def cancel_all(self) -> None:
        for session_id in list(self._tasks):
            self.forget(session_id)

    def _spawn(self, session_id: str, event: Json) -> None:
        task = asyncio.get_running_loop().create_task(self._process(session_id, event))
        tasks = self._tasks.setdefault(session_id, set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _process(self, session_id: str, event: Json) -> None:
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            task = asyncio.current_task()
            if task is not None:
                self._active[session_id] = task
            try:
                processed = events.mark_processed(self._em, session_id, event["id"])
                if processed["type"] in _TURN_EVENTS:
                    await self._turn(session_id, processed)
            except sessions.SessionGoneError:
                return
            finally:
                self._active.pop(session_id, None)

    def _interrupt(self, session_id: str, event: Json) -> None:
        events.mark_processed(self._em, session_id, event["id"])
        active = self._active.pop(session_id, None)
        if active is not None:
            active.cancel()
        was_running = sessions.find_status(self._em, session_id) == "running"
        if was_running:
            sessions.mutate(self._em, session_id, lambda s: s.update(status="idle"))
            events.append(self._em, session_id, _END_TURN)

    async def _turn(self, session_id: str, user_event: Json) -> None:
        em = self._em
        session = sessions.mutate(em, session_id, lambda s: s.update(status="running"))
        events.append(em, session_id, {"type": "session.status_running"})
        started = time.monotonic()
        turn = self._turn_context(session, user_event)
        reply = em.responder.respond(turn)
        if reply.hang:
            await asyncio.Event().wait()
        if reply.delay_ms:
            await asyncio.sleep(reply.delay_ms / 1000)
        usage = self._emit_reply(session_id, turn, reply)
        elapsed = time.monotonic() - started
        sessions.mutate(em, session_id, lambda s: _finish(s, usage, elapsed, user_event))
        events.append(em, session_id, _END_TURN)

    def _emit_reply(self, session_id: str, turn: Turn, reply: Reply) -> Json:
        em = self._em
        start = events.append(em, session_id, {"type": "span.model_request_start"})
        for use in reply.tool_uses:
            call = {"type": "agent.tool_use", "name": use.name, "input": dict(use.input)}
            tool = events.append(em, session_id, {**call, "evaluated_permission": "allow"})
            result = {"type": "agent.tool_result", "tool_use_id": tool["id"], "is_error": False}
            events.append(em, session_id, {**result, "content": [_text(use.result)]})
        events.append(em, session_id, {"type": "agent.message", "content": [_text(reply.text)]})
        usage = {
            "input_tokens": len(turn.message.split()) + len(turn.system.split()),
            "output_tokens": len(reply.text.split()),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
        end = {"type": "span.model_request_end", "model_request_start_id": start["id"]}
        events.append(em, session_id, {**end, "is_error": False, "model_usage": usage})
        return usage

    def _turn_context(self, session: Json, user_event: Json) -> Turn:
        agent = session["agent"]
        stored = agents.load_version(self._em, agent["id"], agent["version"])
        if user_event["type"] == "user.define_outcome":
            message = user_event["description"]
        else:
            blocks = user_event.get("content") or []
            message = "\n".join(b["text"] for b in blocks if b.get("type") == "text")
        return Turn(
            agent_key=stored["metadata"].get("agentform.key"),
            agent_name=agent["name"],
            agent_version=agent["version"],
            system=agent.get("system") or "",
            message=message,
        )


def _finish(session: Json, usage: Json, elapsed: float, user_event: Json) -> None:
    session["status"] = "idle"
    totals = session["usage"]
    for key in ("input_tokens", "output_tokens", "cache_read_input_tokens"):
        totals[key] = totals.get(key, 0) + usage[key]
    stats = session["stats"]
    stats["active_seconds"] = round(stats.get("active_seconds", 0.0) + elapsed, 3)
    created_ms = parse_rfc3339_us(session["created_at"]) // 1000
    stats["duration_seconds"] = round(max(time.time() * 1000 - created_ms, 0) / 1000, 3)
    if user_event["type"] == "user.define_outcome":
        session["outcome_evaluations"].append(_outcome(user_event))


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
