"""Sessions: the SDK calls `eval` and `run` make. With remote.client, the only SDK importer.

A turn: open the event stream first (it only carries events emitted after it opens),
send the `user.message`, read until the session idles. If the stream cannot be opened
or breaks, poll `events.list` (deduplicated by event id) instead. A watchdog bounds the
turn: at the deadline it sends `user.interrupt` (which forces the session idle, so the
stream wakes up) and, if even that goes unanswered, closes the stream after a grace
period. Errors are translated by `Remote.call`, like every other API call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import Any

import anthropic
import httpx2

from agentform.remote.client import Remote, RemoteError
from agentform.remote.turns import SessionEvent, Turn, TurnCollector

__all__ = [
    "SessionEvent",
    "Turn",
    "TurnTimeoutError",
    "archive_session",
    "converse",
    "run_once",
    "start_session",
]

GRACE = 5.0  # seconds allowed, after an interrupt, for the session to go idle
POLL_FIRST, POLL_MAX = 0.05, 1.0  # seconds between polls: from, growing to
_STREAM_BROKE = (anthropic.APIError, httpx2.HTTPError, httpx2.StreamError, OSError, RemoteError)


class TurnTimeoutError(RemoteError):
    """The turn did not finish in time; the session was interrupted."""


def start_session(
    remote: Remote,
    *,
    agent_id: str,
    version: int,
    environment_id: str,
    title: str,
    metadata: Mapping[str, str] | None = None,
    timeout: float | None = None,
    vault_ids: Sequence[str] = (),
) -> str:
    """A session pinned to one agent version (with these vaults); returns its id."""
    agent = {"type": "agent", "id": agent_id, "version": version}
    sessions = _client(remote, timeout).beta.sessions
    created = remote.call(
        lambda: sessions.create(
            agent=agent,  # type: ignore[arg-type]
            environment_id=environment_id,
            title=title,
            metadata=dict(metadata or {}),
            vault_ids=list(vault_ids) if vault_ids else anthropic.omit,
            **remote.scope,
        ),
        f"create a session on {agent_id} v{version}",
    )
    return str(created.id)


def archive_session(remote: Remote, session_id: str, timeout: float | None = None) -> None:
    sessions = _client(remote, timeout).beta.sessions
    remote.call(
        lambda: sessions.archive(session_id, **remote.scope), f"archive session {session_id}"
    )


def converse(
    remote: Remote,
    session_id: str,
    message: str,
    *,
    timeout: float,
    on_event: Callable[[SessionEvent], None] | None = None,
) -> Turn:
    """Send `message` to an idle session and wait, at most `timeout` seconds, for the turn."""
    return _Conversation(remote, session_id, timeout, on_event or (lambda event: None)).run(message)


def _client(remote: Remote, timeout: float | None) -> anthropic.Anthropic:
    """The client, with a request timeout when given (the SDK's own default otherwise)."""
    return remote.client if timeout is None else remote.client.with_options(timeout=timeout)


class _Conversation:
    def __init__(
        self,
        remote: Remote,
        session_id: str,
        timeout: float,
        on_event: Callable[[SessionEvent], None],
    ) -> None:
        self.remote = remote
        self.client = remote.client.with_options(timeout=timeout + GRACE)
        self.session_id = session_id
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.collector = TurnCollector(on_event)
        self.interrupted = threading.Event()
        self.stream: Any = None
        self.timers: list[threading.Timer] = []
        self.lock = threading.Lock()  # guards `timers` against the watchdog adding one
        self.done = False

    def run(self, message: str) -> Turn:
        self._after(self.timeout, self._interrupt)
        polled = True
        try:
            self.stream = self._open_stream()
            if not self.interrupted.is_set():  # opening the stream took all the time
                self.collector.sent_id = self._send(message)
                polled = not self._read_stream()
                if polled:
                    self._poll()
        except KeyboardInterrupt:
            self._interrupt()  # leave the session idle, not running on
            raise
        finally:
            self._cancel_timers()
            self._close_stream()
        stop = self.collector.stop_reason
        if self.interrupted.is_set() or stop is None:
            raise TurnTimeoutError(
                f"session {self.session_id}: the turn did not finish within {self.timeout:g} s"
            )
        return Turn(tuple(self.collector.events), stop, polled)

    def _open_stream(self) -> Any:
        """The stream, or None (then we poll): a failed open is not retried."""
        events = self.client.with_options(max_retries=0).beta.sessions.events
        try:
            return self.remote.call(
                lambda: events.stream(self.session_id, **self.remote.scope), "open the stream"
            )
        except RemoteError:
            return None  # poll instead

    def _send(self, message: str) -> str:
        user = {"type": "user.message", "content": [{"type": "text", "text": message}]}
        sent = self.remote.call(
            lambda: self.client.beta.sessions.events.send(
                self.session_id,
                events=[user],  # type: ignore[list-item]
                **self.remote.scope,
            ),
            f"send a message to session {self.session_id}",
        )
        return str((sent.data or [])[0].id)

    def _read_stream(self) -> bool:
        """True when the turn finished on the stream; False when there is none or it broke."""
        if self.stream is None:
            return False
        try:
            for event in self.stream:
                if self.collector.add(event.to_dict(mode="json")):
                    return True
        except _STREAM_BROKE:
            pass
        return False

    def _poll(self) -> None:
        delay = POLL_FIRST
        while True:
            for data in self._list_events():
                if self.collector.add(data):
                    return
            left = self.deadline + GRACE - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(delay, left))
            delay = min(delay * 1.5, POLL_MAX)

    def _list_events(self) -> list[dict[str, Any]]:
        events = self.client.beta.sessions.events
        return self.remote.call(
            lambda: [
                e.to_dict(mode="json")
                for e in events.list(self.session_id, limit=1000, **self.remote.scope)
            ],
            f"list the events of session {self.session_id}",
        )

    def _interrupt(self) -> None:
        """The deadline: stop the turn, and stop waiting for the stream soon after."""
        self.interrupted.set()
        self._after(GRACE, self._close_stream)
        interrupt = {"type": "user.interrupt"}
        with suppress(RemoteError):
            self.remote.call(
                lambda: self.client.beta.sessions.events.send(
                    self.session_id,
                    events=[interrupt],  # type: ignore[list-item]
                    **self.remote.scope,
                ),
                f"interrupt session {self.session_id}",
            )

    def _close_stream(self) -> None:
        if self.stream is not None:
            with suppress(Exception):  # closing a stream another thread reads may complain
                self.stream.close()

    def _after(self, seconds: float, action: Callable[[], None]) -> None:
        with self.lock:
            if self.done:
                return
            timer = threading.Timer(max(seconds, 0.0), action)
            timer.daemon = True
            self.timers.append(timer)
            timer.start()

    def _cancel_timers(self) -> None:
        with self.lock:
            self.done = True
            for timer in self.timers:
                timer.cancel()


def run_once(
    remote: Remote,
    params: Mapping[str, Any],
    message: str,
    *,
    timeout: float,
    keep: bool,
    on_start: Callable[[str], None],
    on_event: Callable[[SessionEvent], None],
) -> Turn:
    """`agentform run`: one turn in a new session (`params` from pins.session_params),
    archived afterwards (even when the turn fails) unless `keep`."""
    agent = params["agent"]
    session_id = start_session(
        remote,
        agent_id=agent["id"],
        version=agent["version"],
        environment_id=params["environment_id"],
        title=f"agentform run: {message[:60]}",
        vault_ids=params.get("vault_ids", ()),
    )
    on_start(session_id)
    try:
        return converse(remote, session_id, message, timeout=timeout, on_event=on_event)
    finally:
        if not keep:
            archive_session(remote, session_id)
