"""Turns: what a session does with the user events it receives.

Each session processes its events one at a time, in order. A `user.message` (or a
`user.define_outcome`) starts a turn: the session goes `running`, the responder picks
a script, and `turn_play.py` plays it (paced over the turn's duration) until the session
goes idle (`end_turn`, `retries_exhausted`, or `requires_action` while it waits on the
client) or terminates. `user.custom_tool_result` and `user.tool_confirmation` answer a
turn that waits; a new `user.message` abandons such a turn and starts another. A
`user.interrupt` jumps the queue: it cancels the turn in progress (closing its model
request) and forces `idle` with `end_turn`; on an idle session it changes nothing.
Other user events are recorded as processed and start no turn.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from agentform.emulator import agents, events, sessions, turn_play
from agentform.emulator.responder import Turn
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

_TURN_EVENTS = ("user.message", "user.define_outcome")
_SETTLE_YIELDS = 500  # event-loop turns a send waits, at most, for instant turns to finish
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
        self._turns: dict[str, turn_play.Progress] = {}  # in flight or waiting on the client

    def submit(self, session_id: str, accepted: list[Json]) -> None:
        """Queue a send request's user events (call on the server's event loop)."""
        for event in accepted:
            if event["type"] == "user.interrupt":
                self._interrupt(session_id, event)
            else:
                self._spawn(session_id, event)

    async def settle(self, session_id: str) -> None:
        """Let turns that take no time finish before the send that queued them returns.

        A zero-duration turn (`turn_ms` 0, or a rule's `delay_ms: 0`) is over when its
        send returns, so a poll right after the send finds it done; a paced or hanging
        turn (or one queued behind such a turn) is left to run.
        """
        for _ in range(_SETTLE_YIELDS):
            if not self.busy(session_id) or not self._instant(session_id):
                return
            await asyncio.sleep(0)

    def _instant(self, session_id: str) -> bool:
        progress = self._turns.get(session_id)
        return progress is None or (progress.beat == 0 and not progress.reply.hang)

    def busy(self, session_id: str) -> bool:
        """Whether the session has a turn running or user events waiting to be processed."""
        return bool(self._tasks.get(session_id))

    def awaiting(self, session_id: str) -> bool:
        """Whether the session is idle waiting on the client (`requires_action`)."""
        progress = self._turns.get(session_id)
        return progress is not None and bool(progress.waiting)

    def forget(self, session_id: str) -> None:
        """Stop everything running for a session (it is being deleted)."""
        for task in self._tasks.pop(session_id, set()):
            task.cancel()
        self._locks.pop(session_id, None)
        self._active.pop(session_id, None)
        self._turns.pop(session_id, None)

    def cancel_all(self) -> None:
        for session_id in list(self._tasks):
            self.forget(session_id)
        self._turns.clear()

    def _spawn(self, session_id: str, event: Json) -> None:
        task = asyncio.get_running_loop().create_task(self._process(session_id, event))
        tasks = self._tasks.setdefault(session_id, set())
        tasks.add(task)
        task.add_done_callback(lambda done: self._done(session_id, done))

    def _done(self, session_id: str, task: asyncio.Task[None]) -> None:
        tasks = self._tasks.get(session_id)
        if tasks is not None:
            tasks.discard(task)
            if not tasks:
                del self._tasks[session_id]

    async def _process(self, session_id: str, event: Json) -> None:
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            task = asyncio.current_task()
            if task is not None:
                self._active[session_id] = task
            try:
                processed = events.mark_processed(self._em, session_id, event["id"])
                if processed["type"] in _TURN_EVENTS:
                    await self._start(session_id, processed)
                elif processed["type"] in turn_play.ANSWERS:
                    await self._answer(session_id, processed)
            except sessions.SessionGoneError:
                return
            finally:
                self._active.pop(session_id, None)

    async def _start(self, session_id: str, user_event: Json) -> None:
        em = self._em
        self._turns.pop(session_id, None)  # a new message abandons a turn waiting on the client
        session = sessions.mutate(em, session_id, lambda s: s.update(status="running"))
        events.append(em, session_id, {"type": "session.status_running"})
        turn = self._turn_context(session, user_event)
        reply = em.responder.respond(turn)
        progress = turn_play.Progress(
            session_id, user_event, turn, reply, turn_play.pace(em, reply)
        )
        self._turns[session_id] = progress
        if reply.hang:
            await asyncio.Event().wait()
        await self._play(progress)

    async def _answer(self, session_id: str, answer: Json) -> None:
        progress = self._turns.get(session_id)
        if progress is None or not turn_play.answer(self._em, progress, answer):
            return
        turn_play.run_answers(self._em, progress)
        await self._play(progress)

    async def _play(self, progress: turn_play.Progress) -> None:
        outcome = await turn_play.play(self._em, progress)
        turn_play.finish(self._em, progress, outcome)
        if outcome != turn_play.WAITING:
            self._turns.pop(progress.session_id, None)

    def _interrupt(self, session_id: str, event: Json) -> None:
        events.mark_processed(self._em, session_id, event["id"])
        active = self._active.pop(session_id, None)
        if active is not None:
            active.cancel()
        progress = self._turns.pop(session_id, None)
        if sessions.find_status(self._em, session_id) != "running":
            return  # idle (even when waiting on the client): nothing to stop
        if progress is not None:
            turn_play.interrupted(self._em, progress)
        else:
            sessions.mutate(self._em, session_id, lambda s: s.update(status="idle"))
            events.append(self._em, session_id, _END_TURN)

    def _turn_context(self, session: Json, user_event: Json) -> Turn:
        agent = session["agent"]
        stored = agents.load_version(self._em, agent["id"], agent["version"])
        meta = stored["metadata"]
        if user_event["type"] == "user.define_outcome":
            message = user_event["description"]
        else:
            blocks = user_event.get("content") or []
            message = "\n".join(b["text"] for b in blocks if b.get("type") == "text")
        return Turn(
            # a scratch agent of `eval --candidate manifest` stands in for its key
            agent_key=meta.get("agentform.key") or meta.get("agentform.candidate"),
            agent_name=agent["name"],
            agent_version=agent["version"],
            system=agent.get("system") or "",
            message=message,
            tools=tuple(agent.get("tools") or ()),
        )
