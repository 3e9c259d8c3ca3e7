"""Fan-out of new session events to open SSE streams, and the SSE wire format.

A stream only carries events emitted after it opened (no replay), stays open while the
session idles, sends `event: ping` frames when quiet, and ends after `session.deleted`,
when the session is archived, or (optionally) after a quiet period with nothing to wait for.
Every frame has an `event:` line equal to the data's `type` (the SDK drops frames
without one). A subscriber that asked for `event_deltas=agent.message` also gets an
`event_start` and `event_delta` preview before each `agent.message`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from agentform.emulator.wire import Json, dumps

PING_FRAME = b'event: ping\ndata: {"type": "ping"}\n\n'
_CHUNK_WORDS = 8


@dataclass(frozen=True)
class Published:
    """One event as published: its type, its JSON text, and the object (for previews)."""

    type: str
    text: str
    data: Json


@dataclass(eq=False)
class Subscriber:
    session_id: str
    deltas: frozenset[str]
    queue: asyncio.Queue[Published | None] = field(default_factory=asyncio.Queue)


class Hub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscriber]] = {}

    def subscribe(self, session_id: str, deltas: frozenset[str]) -> Subscriber:
        subscriber = Subscriber(session_id, deltas)
        self._subscribers.setdefault(session_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        peers = self._subscribers.get(subscriber.session_id)
        if peers is not None:
            peers.discard(subscriber)
            if not peers:
                del self._subscribers[subscriber.session_id]

    def publish(self, session_id: str, event: Json) -> None:
        subscribers = self._subscribers.get(session_id)
        if not subscribers:
            return
        item = Published(event["type"], dumps(event), event)
        for subscriber in subscribers:
            subscriber.queue.put_nowait(item)

    def close_session(self, session_id: str) -> None:
        for subscriber in self._subscribers.get(session_id, set()):
            subscriber.queue.put_nowait(None)

    def close_all(self) -> None:
        for session_id in list(self._subscribers):
            self.close_session(session_id)


@dataclass(frozen=True)
class QuietLimit:
    """End a stream that carried no event for `seconds` while `settled()` says nothing is coming."""

    seconds: float
    settled: Callable[[], bool]
    message: str


async def frames(
    hub: Hub, subscriber: Subscriber, ping_interval: float, quiet: QuietLimit | None = None
) -> AsyncIterator[bytes]:
    """The SSE byte stream for one subscriber, until the session is deleted or archived, the
    hub closes, or (with `quiet`) it has nothing left to wait for."""
    loop = asyncio.get_running_loop()
    last_frame = last_event = loop.time()
    try:
        while True:
            wait = ping_interval - (loop.time() - last_frame)
            if quiet is not None:
                wait = min(wait, quiet.seconds - (loop.time() - last_event))
            try:
                item = await asyncio.wait_for(subscriber.queue.get(), timeout=max(wait, 0.001))
            except asyncio.TimeoutError:
                now = loop.time()
                if quiet is not None and now - last_event >= quiet.seconds:
                    if quiet.settled():
                        yield error_frame("timeout_error", quiet.message)
                        return
                    last_event = now  # still working: wait another quiet period
                if now - last_frame >= ping_interval:
                    yield PING_FRAME
                    last_frame = now
                continue
            if item is None:
                return
            if item.type == "agent.message" and "agent.message" in subscriber.deltas:
                for preview in _previews(item.data):
                    yield frame(preview["type"], dumps(preview))
            yield frame(item.type, item.text)
            last_frame = last_event = loop.time()
            if item.type == "session.deleted":
                return
    finally:
        hub.unsubscribe(subscriber)


def error_frame(error_type: str, message: str) -> bytes:
    """An `event: error` frame: the SDK raises it as an APIStatusError."""
    body = {"type": "error", "error": {"type": error_type, "message": message}}
    return frame("error", dumps(body))


def frame(event_type: str, data: str) -> bytes:
    return f"event: {event_type}\ndata: {data}\n\n".encode()


def _previews(message: Json) -> list[Json]:
    event_id = message["id"]
    previews: list[Json] = [
        {"type": "event_start", "event": {"type": "agent.message", "id": event_id}}
    ]
    for index, block in enumerate(message["content"]):
        if block.get("type") != "text":
            continue
        words = block["text"].split(" ")
        for start in range(0, len(words), _CHUNK_WORDS):
            piece = " ".join(words[start : start + _CHUNK_WORDS])
            text = piece if start == 0 else " " + piece
            delta = {
                "type": "content_delta",
                "index": index,
                "content": {"type": "text", "text": text},
            }
            previews.append({"type": "event_delta", "event_id": event_id, "delta": delta})
    return previews
