"""Session turns on the SDK's async client: what `eval` runs, a task per session, no thread.

The protocol is sessions.py's: open the event stream first (it only carries events
emitted after it opens), send the `user.message`, read until the session idles; if the
stream cannot be opened or breaks, poll `events.list` (deduplicated by event id). At the
deadline the turn is cancelled, a `user.interrupt` is sent and the session is waited on
(briefly) until it is idle, so that it can be archived. Thousands of sessions in flight
cost a coroutine each, so `--concurrency` is bound by the server's latency, not by
threads and their switching.

On this hot path the SDK makes every request (auth, headers, retries, errors) but its
responses are read raw (`with_raw_response`, `with_streaming_response` and the SDK's own
SSE decoder), as JSON: an eval needs a handful of fields per response, and building the
SDK's models for every session and event would double the client's CPU per session
(bench/eval_scale.py). `agentform run` and every other command keep the models.

Errors are translated like every other API call (remote.client): a RemoteError naming
what was being done.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

import anthropic
import httpx2

from agentform.remote.client import AmbiguousError, Remote, RemoteError, _cause, _status_error
from agentform.remote.sessions import GRACE, POLL_FIRST, POLL_MAX, TurnTimeoutError
from agentform.remote.turns import Turn, TurnCollector

__all__ = ["AsyncSessions", "async_client"]

T = TypeVar("T")
_STREAM_BROKE = (anthropic.APIError, httpx2.HTTPError, httpx2.StreamError, OSError, RemoteError)


def async_client(remote: Remote, ssl_context: Any = None) -> anthropic.AsyncAnthropic:
    """An async client with the sync client's endpoint, credentials and settings.

    `ssl_context` (from `httpx2.create_ssl_context()`) lets several clients share one:
    building it is the slowest part of making a client.
    """
    sync = remote.client
    http = None
    if ssl_context is not None:
        http = anthropic.DefaultAsyncHttpxClient(verify=ssl_context)
    return anthropic.AsyncAnthropic(
        api_key=sync.api_key,
        auth_token=sync.auth_token,
        credentials=None if (sync.api_key or sync.auth_token) else sync.credentials,
        base_url=sync.base_url,
        timeout=sync.timeout,
        max_retries=sync.max_retries,
        http_client=http,
        _strict_response_validation=sync._strict_response_validation,
    )


class _Lane:
    """One client and the variants of it a session uses (made once: a copy is not free)."""

    def __init__(self, client: anthropic.AsyncAnthropic, timeout: float) -> None:
        self.client = client
        self.timed = client.with_options(timeout=timeout)
        self.once = client.with_options(max_retries=0)  # the stream: a failed open polls
        self.brief = client.with_options(timeout=GRACE, max_retries=0)  # interrupts


class AsyncSessions:
    """The session calls of one eval run (use as `async with`).

    `lanes` clients share the sessions, each session sticking to one: an HTTP
    connection pool's cost per request grows with its size, so 64 sessions in flight
    (two connections each: the stream and the sends) run on several small pools rather
    than one large one. `timeout` bounds each request.
    """

    def __init__(self, remote: Remote, *, timeout: float, lanes: int = 1) -> None:
        shared = httpx2.create_ssl_context() if lanes > 1 else None
        self.lanes = [_Lane(async_client(remote, shared), timeout) for _ in range(max(1, lanes))]
        self.client = self.lanes[0].client
        self.scope = remote.scope
        self.base_url = remote.base_url
        self._lane: dict[str, _Lane] = {}
        self._started = 0
        # Probe first: send, then one `events.list`. A server that finishes turns within
        # the send (a fast or instant one, like the emulator's) is read with one request
        # and no stream; after the first turn still running at the probe, every session
        # opens the stream before it sends (turns that take seconds: the real API).
        self.probe = True

    async def __aenter__(self) -> AsyncSessions:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for lane in self.lanes:
            await lane.client.close()

    def lane(self, session_id: str) -> _Lane:
        return self._lane.get(session_id, self.lanes[0])

    async def call(self, request: Callable[[], Awaitable[T]], what: str) -> T:
        """One SDK call; its errors become RemoteError subclasses naming `what`."""
        try:
            return await request()
        except anthropic.APIStatusError as exc:
            raise _status_error(exc, what) from exc
        except anthropic.APIConnectionError as exc:
            raise AmbiguousError(f"{what}: cannot reach {self.base_url} ({_cause(exc)})") from exc

    async def raw(self, request: Callable[[], Awaitable[Any]], what: str) -> Any:
        """One SDK call made `with_raw_response`: its JSON body."""
        response = await self.call(request, what)
        return json.loads(response.http_response.content)

    async def start(
        self,
        *,
        agent_id: str,
        version: int,
        environment_id: str,
        title: str,
        metadata: Mapping[str, str],
        vault_ids: Sequence[str] = (),
    ) -> str:
        """A session pinned to one agent version (with these vaults); returns its id."""
        agent = {"type": "agent", "id": agent_id, "version": version}
        lane = self.lanes[self._started % len(self.lanes)]
        self._started += 1
        sessions = lane.timed.beta.sessions.with_raw_response
        created = await self.raw(
            lambda: sessions.create(
                agent=agent,  # type: ignore[arg-type]
                environment_id=environment_id,
                title=title,
                metadata=dict(metadata),
                vault_ids=list(vault_ids) if vault_ids else anthropic.omit,
                **self.scope,
            ),
            f"create a session on {agent_id} v{version}",
        )
        self._lane[str(created["id"])] = lane
        return str(created["id"])

    async def archive(self, session_id: str) -> bool:
        """Archive the session; False when that failed (it is reported, not raised)."""
        sessions = self._lane.pop(session_id, self.lanes[0]).timed.beta.sessions
        try:
            await self.call(
                lambda: sessions.with_raw_response.archive(session_id, **self.scope),
                f"archive {session_id}",
            )
        except RemoteError:
            return False
        return True

    async def converse(self, session_id: str, message: str, timeout: float) -> Turn:
        """Send `message` to an idle session; wait at most `timeout` seconds for the turn."""
        collector = TurnCollector(lambda event: None)
        try:
            return await _within(timeout, self._turn(session_id, message, collector))
        except asyncio.CancelledError:  # Ctrl+C: leave the session idle, so it can be archived
            await self._interrupt(session_id)
            raise
        except asyncio.TimeoutError:
            await self._interrupt(session_id)
            raise TurnTimeoutError(
                f"session {session_id}: the turn did not finish within {timeout:g} s"
            ) from None

    async def _turn(self, session_id: str, message: str, collector: TurnCollector) -> Turn:
        if not self.probe:
            return await self._stream_first(session_id, message, collector)
        collector.sent_id = await self._send(session_id, message)
        if await self._list(session_id, collector):
            return _finished(collector, polled=True)
        self.probe = False  # turns take time here: open the stream before sending from now on
        return await self._stream_after(session_id, collector)

    async def _stream_first(self, session_id: str, message: str, collector: TurnCollector) -> Turn:
        async with self._stream(session_id) as response:
            collector.sent_id = await self._send(session_id, message)
            if response is not None and await self._read(response, collector):
                return _finished(collector, polled=False)
        await self._poll(session_id, collector)
        return _finished(collector, polled=True)

    async def _stream_after(self, session_id: str, collector: TurnCollector) -> Turn:
        """The turn is under way: open the stream, then catch up on what came before it."""
        async with self._stream(session_id) as response:
            if await self._list(session_id, collector):
                return _finished(collector, polled=True)
            if response is not None and await self._read(response, collector):
                return _finished(collector, polled=False)
        await self._poll(session_id, collector)
        return _finished(collector, polled=True)

    @asynccontextmanager
    async def _stream(self, session_id: str) -> AsyncIterator[httpx2.Response | None]:
        """The open event stream (None if it cannot be opened: then we poll; no retry)."""
        events = self.lane(session_id).once.beta.sessions.events
        opening = events.with_streaming_response.stream(session_id, **self.scope)
        try:
            response = await self.call(opening.__aenter__, "open the stream")
        except RemoteError:
            yield None
            return
        try:
            yield response.http_response
        finally:
            with suppress(Exception):
                await opening.__aexit__(None, None, None)

    async def _send(self, session_id: str, message: str) -> str:
        user = {"type": "user.message", "content": [{"type": "text", "text": message}]}
        events = self.lane(session_id).client.beta.sessions.events.with_raw_response
        sent = await self.raw(
            lambda: events.send(
                session_id,
                events=[user],  # type: ignore[list-item]
                **self.scope,
            ),
            f"send a message to session {session_id}",
        )
        return str((sent.get("data") or [{}])[0].get("id"))

    async def _read(self, response: httpx2.Response, collector: TurnCollector) -> bool:
        """True when the turn finished on the stream; False when it broke first."""
        try:
            async for data in _events(response):
                if collector.add(data):
                    return True
        except _STREAM_BROKE:
            pass
        return False

    async def _list(self, session_id: str, collector: TurnCollector) -> bool:
        """One `events.list`; True when it shows the turn finished."""
        events = self.lane(session_id).client.beta.sessions.events.with_raw_response
        page = await self.raw(
            lambda: events.list(session_id, limit=1000, **self.scope),
            f"list the events of session {session_id}",
        )
        return any(collector.add(data) for data in page.get("data") or ())

    async def _poll(self, session_id: str, collector: TurnCollector) -> None:
        """Until the turn is over (the caller's deadline cancels this)."""
        delay = POLL_FIRST
        while not await self._list(session_id, collector):
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX)

    async def _interrupt(self, session_id: str) -> None:
        """Stop the turn, then wait (at most GRACE seconds) for the session to go idle."""
        interrupt = {"type": "user.interrupt"}
        sessions = self.lane(session_id).brief.beta.sessions.with_raw_response
        with suppress(RemoteError, asyncio.TimeoutError):
            await self.call(
                lambda: sessions.events.send(
                    session_id,
                    events=[interrupt],  # type: ignore[list-item]
                    **self.scope,
                ),
                f"interrupt session {session_id}",
            )
            await asyncio.wait_for(self._until_idle(session_id), GRACE)

    async def _until_idle(self, session_id: str) -> None:
        delay = POLL_FIRST
        sessions = self.lane(session_id).client.beta.sessions.with_raw_response
        while True:
            found = await self.raw(
                lambda: sessions.retrieve(session_id, **self.scope),
                f"retrieve session {session_id}",
            )
            if found.get("status") != "running":
                return
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX)


async def _within(seconds: float, work: Awaitable[T]) -> T:
    """`work`, cancelled after `seconds` (asyncio.TimeoutError): `asyncio.timeout` where
    there is one (3.11; no extra task per session), else `wait_for`."""
    timeout = getattr(asyncio, "timeout", None)
    if timeout is None:
        return await asyncio.wait_for(work, seconds)
    async with timeout(seconds):
        return await work


async def _events(response: httpx2.Response) -> AsyncIterator[dict[str, Any]]:
    """The stream's events as JSON, through the SDK's SSE decoder; an `error` frame ends
    it (as the SDK raises it), pings are skipped."""
    async for sse in anthropic.AsyncStream.raw_events(response):
        if sse.event == "error":
            raise RemoteError(f"the event stream ended with an error: {sse.data}")
        if sse.event and sse.event != "ping":
            yield sse.json()


def _finished(collector: TurnCollector, *, polled: bool) -> Turn:
    stop = collector.stop_reason
    if stop is None:  # a stream or poll that ended without the idle: not finished
        raise RemoteError("the session's events ended before the turn finished")
    return Turn(tuple(collector.events), stop, polled)
