"""`GET /v1/sessions/{id}/events/stream`: when a session's SSE stream opens, and when it ends.

No replay: a stream carries only the events emitted after it opened, as the API's own
guidance says ("The stream only delivers events that occur after it's opened - it does
not replay current state or historical events"; "The SSE stream has no replay"). A client
that sends and only then opens the stream relies on the turn outlasting that gap, which
real turns do and the emulator's paced turns (`turn_ms`) do too.

A stream ends after `session.deleted`, when its session is archived (nothing can happen
to it any more; a stream opened on an archived or terminated session ends at once), when
the emulator stops, and, as a guard against clients that missed the end of a turn, when it
has carried no event for `stream_idle_timeout` seconds while its session sat idle with
nothing queued and no tool call waiting on the client: then it ends with an
`event: error` frame (`timeout_error`) that says so, which the SDK raises, instead of
pinging forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import Response
from fastapi.responses import StreamingResponse

from agentform.emulator import hub, sessions
from agentform.emulator.errors import invalid_request
from agentform.emulator.pagination import QueryParams

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

DELTA_TYPES = ("agent.message", "agent.thinking")


def open_stream(em: Emulator, ws: str, session_id: str, params: QueryParams) -> Response:
    session = sessions.find(em, ws, session_id)
    deltas = params.values("event_deltas")
    for delta in deltas:
        if delta not in DELTA_TYPES:
            raise invalid_request(
                f"event_deltas: Input should be {' or '.join(map(repr, DELTA_TYPES))}"
            )
    if session["archived_at"] is not None or session["status"] == "terminated":
        return _sse(_nothing())  # no event can ever come
    subscriber = em.hub.subscribe(session_id, frozenset(deltas))
    frames = hub.frames(em.hub, subscriber, em.config.ping_interval, _quiet_limit(em, session_id))
    return _sse(frames)


def _quiet_limit(em: Emulator, session_id: str) -> hub.QuietLimit | None:
    seconds = em.config.stream_idle_timeout
    if not seconds:
        return None

    def settled() -> bool:
        quiet = not em.runner.busy(session_id) and not em.runner.awaiting(session_id)
        return quiet and sessions.find_status(em, session_id) != "running"

    message = (
        f"no event for {seconds:g} s and session {session_id} is idle with nothing queued: "
        "the emulator closed this stream. A stream only carries events emitted after it "
        "opened: open it before sending, or list the events."
    )
    return hub.QuietLimit(seconds, settled, message)


def _sse(frames: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        frames, media_type="text/event-stream", headers={"cache-control": "no-cache"}
    )


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # an async generator that ends at once
