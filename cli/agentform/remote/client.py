"""Every call agentform makes to the Managed Agents API, through the official SDK.

This module and `sessions.py` (the session calls `eval` and `run` make) are the only
ones that import `anthropic`; both translate SDK errors here (`Remote.call`). The code
path for the real API and for the emulator is the same; only the base URL differs.
Reads use list calls (100 per page) with the SDK's own retries; writes are sent once
(`max_retries=0`) and `apply.writes` decides what a failure means, because blindly
re-sending a create whose response was lost would make a duplicate, and re-sending a
versioned update would look like a conflict. SDK errors become RemoteError subclasses
that say what to do.
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, TypeVar

import anthropic

from agentform.errors import UserError
from agentform.kinds import KINDS, kind
from agentform.pins.model import Version, label
from agentform.remote.state import KindName, RemoteState, ServerObject, VersionKey

PAGE_SIZE = 100
PARTS_WIDTH = 8  # managed objects whose parts (credentials, memories) are read at once
# The SDK waits up to 10 minutes for a response; a stalled server should fail a request
# in a minute (reads are retried by the SDK, writes by apply.writes).
TIMEOUT = anthropic.Timeout(60.0, connect=10.0)
T = TypeVar("T")


class RemoteError(UserError):
    """The API refused or failed a request; the message says what happened."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ConflictError(RemoteError):
    """409: the agent changed on the server since it was read (compare-and-swap failed)."""


class RetryableError(RemoteError):
    """429 / 503 / 529: the request was refused before it did anything; try again later."""

    def __init__(self, message: str, *, status: int | None, retry_after: float | None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class AmbiguousError(RemoteError):
    """500s, timeouts, dropped connections: the write may or may not have happened."""


class NotFoundError(RemoteError):
    """404: no such object (or version)."""


class Remote:
    def __init__(self, client: anthropic.Anthropic, workspace_id: str | None = None) -> None:
        self.client = client
        self.writer = client.with_options(max_retries=0)
        # Responses are read as plain JSON; a strict client (the test suite, --local)
        # still has the SDK check each one, so the emulator cannot drift from the types.
        self._strict = bool(getattr(client, "_strict_response_validation", False))
        self.workspace_id = workspace_id
        self._ws: dict[str, Any] = {"workspace_id": workspace_id} if workspace_id else {}

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    @property
    def scope(self) -> dict[str, Any]:
        """Keyword arguments selecting the workspace, for SDK calls made elsewhere."""
        return dict(self._ws)

    def call(self, request: Callable[[], T], what: str) -> T:
        """Run one SDK call; its errors become RemoteError subclasses naming `what`."""
        return self._call(request, what)

    # -- reads ------------------------------------------------------------------------

    def read_state(
        self, kinds: tuple[KindName, ...] | None = None, *, detail: bool = False
    ) -> RemoteState:
        """Every live object of each kind: one list call per page, the kinds at once; for
        kinds with parts (a vault's credentials), also the parts of each managed object.
        `detail`: what only `status` shows too (a deployment's last run)."""
        names = kinds if kinds is not None else tuple(k.name for k in KINDS)
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            found = {
                name: pool.submit(lambda name: self._with_parts(name, detail), name)
                for name in names
            }
            return RemoteState({name: future.result() for name, future in found.items()})

    def _with_parts(self, kind_name: KindName, detail: bool) -> tuple[ServerObject, ...]:
        objects = self.objects(kind_name)
        the_kind = kind(kind_name)
        marked = [obj for obj in objects if obj.key is not None]
        if not the_kind.reads_parts or not marked:
            return objects

        def parts(obj: ServerObject) -> ServerObject:
            what = f"read what {kind_name} {obj.id} holds"
            read = self._call(
                lambda: the_kind.read_parts(self.client, obj.data, self._ws, detail=detail), what
            )
            return ServerObject(kind_name, {**obj.data, **read}) if read else obj

        with ThreadPoolExecutor(max_workers=min(PARTS_WIDTH, len(marked))) as pool:
            read = dict(zip((o.id for o in marked), pool.map(parts, marked), strict=True))
        return tuple(read.get(obj.id, obj) for obj in objects)

    def objects(self, kind: KindName, **filters: Any) -> tuple[ServerObject, ...]:
        """Every live object of a kind (one list call per page), `filters` passed on."""
        resource = self._resource(kind, self.client)
        items = self._pages(resource, f"list {kind}s", **filters, **self._ws)
        return tuple(ServerObject(kind, item) for item in items)

    def retrieve(
        self, kind: KindName, object_id: str, version: Version | None = None
    ) -> ServerObject:
        resource = self._resource(kind, self.client)
        extra = {"version": version} if version is not None else {}
        what = f"retrieve {kind} {object_id}" + (f" {label(version)}" if version else "")
        item = self._json(resource, "retrieve", what, object_id, **extra, **self._ws)
        return ServerObject(kind, item)

    def fetch_versions(
        self, wanted: list[VersionKey], width: int = 8
    ) -> dict[VersionKey, ServerObject | None]:
        """Specific versions (the pinned ones a plan compares with), `width` at a time;
        None for a version the server does not have."""

        def one(key: VersionKey) -> ServerObject | None:
            try:
                return self.retrieve(key[0], key[1], version=key[2])
            except NotFoundError:
                return None

        if not wanted:
            return {}
        with ThreadPoolExecutor(max_workers=min(width, len(wanted))) as pool:
            return dict(zip(wanted, pool.map(one, wanted), strict=True))

    def fetch_histories(
        self, wanted: list[tuple[KindName, str]], width: int = 8
    ) -> dict[tuple[KindName, str], tuple[ServerObject, ...]]:
        """Every version of each object, `width` lists at a time."""
        if not wanted:
            return {}
        with ThreadPoolExecutor(max_workers=min(width, len(wanted))) as pool:
            found = pool.map(lambda key: tuple(self.versions(*key)), wanted)
            return dict(zip(wanted, found, strict=True))

    def versions(self, kind_name: KindName, object_id: str) -> list[ServerObject]:
        """Every version of one object of a versioned kind, oldest first."""
        resource = self._resource(kind_name, self.client).versions
        found = [
            ServerObject(kind_name, item)
            for item in self._pages(
                resource, f"list versions of {object_id}", object_id, **self._ws
            )
        ]
        return sorted(found, key=_age)

    # -- writes (sent once; see apply.writes) ----------------------------------------------

    def create(self, kind: KindName, body: dict[str, Any]) -> ServerObject:
        resource = self._resource(kind, self.writer)
        return ServerObject(
            kind, self._json(resource, "create", f"create {kind}", **body, **self._ws)
        )

    def update(self, kind: KindName, object_id: str, body: dict[str, Any]) -> ServerObject:
        resource = self._resource(kind, self.writer)
        what = f"update {kind} {object_id}"
        return ServerObject(
            kind, self._json(resource, "update", what, object_id, **body, **self._ws)
        )

    def archive(self, kind: KindName, object_id: str) -> ServerObject:
        resource = self._resource(kind, self.writer)
        what = f"archive {kind} {object_id}"
        return ServerObject(kind, self._json(resource, "archive", what, object_id, **self._ws))

    # -- plumbing -----------------------------------------------------------------------

    def _resource(self, kind_name: KindName, client: anthropic.Anthropic) -> Any:
        return kind(kind_name).resource(client)

    def _json(self, resource: Any, method: str, what: str, *args: Any, **params: Any) -> Any:
        """`resource.<method>(*args, **params)`: one SDK request, its JSON body as plain data
        (`with_raw_response`, as `_pages` does; the skills adapter gives its items)."""
        raw = getattr(resource, "with_raw_response", None)
        if raw is None:
            item = self._call(functools.partial(getattr(resource, method), *args, **params), what)
            return item.to_dict(mode="json")
        request = functools.partial(getattr(raw, method), *args, **params)
        return self._body(self._call(request, what), what)

    def _pages(
        self, resource: Any, what: str, *args: Any, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """The items of every page of `resource.list(*args, **params)`, as plain JSON.

        Each page is one SDK request (its auth, retries, headers and base URL) made
        `with_raw_response` and read with `json.loads`: building the SDK's models of a
        page costs ~25 times more CPU than the request's own parsing, and plan reads
        thousands of objects. A resource without raw responses (the skills adapter)
        gives its items one by one.
        """
        raw = getattr(resource, "with_raw_response", None)
        if raw is None:
            pages = self._call(lambda: resource.list(*args, limit=PAGE_SIZE, **params), what)
            for item in self._items(pages, what):
                yield item.to_dict(mode="json")
            return
        cursor: dict[str, str] = {}
        while True:
            page = functools.partial(raw.list, *args, limit=PAGE_SIZE, **cursor, **params)
            body = self._body(self._call(page, what), what)
            yield from body.get("data") or ()
            if not body.get("next_page"):
                return
            cursor = {"page": body["next_page"]}

    def _body(self, response: Any, what: str) -> Any:
        if self._strict:
            self._call(response.parse, what)  # raises if the response breaks the SDK's types
        return json.loads(response.http_response.content)

    def _items(self, pages: Any, what: str) -> Iterator[Any]:
        iterator = iter(pages)
        while True:
            item = self._call(lambda: next(iterator, _END), what)
            if item is _END:
                return
            yield item

    def _call(self, request: Callable[[], T], what: str) -> T:
        try:
            return request()
        except anthropic.APIStatusError as exc:
            raise _status_error(exc, what) from exc
        except anthropic.APIConnectionError as exc:
            raise AmbiguousError(f"{what}: cannot reach {self.base_url} ({_cause(exc)})") from exc


_END = object()


def _age(obj: ServerObject) -> tuple[int, str]:
    """Oldest first: by number, or (versions named by ids) by creation time."""
    version = obj.version
    return (version if isinstance(version, int) else 0, str(obj.data.get("created_at", "")))


def _status_error(exc: anthropic.APIStatusError, what: str) -> RemoteError:
    status = exc.status_code
    detail = f"{what}: {status} {_api_message(exc)}"
    if status == 409:
        return ConflictError(detail, status=status)
    if status in (429, 503, 529):
        return RetryableError(detail, status=status, retry_after=retry_after(exc.response.headers))
    if status >= 500:
        return AmbiguousError(detail, status=status)
    if status == 404:
        return NotFoundError(detail, status=status)
    if status == 401:
        return RemoteError(f"{detail} (check ANTHROPIC_API_KEY)", status=status)
    return RemoteError(detail, status=status)


def _api_message(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    message = error.get("message") if error else None
    request_id = f" [request {exc.request_id}]" if exc.request_id else ""
    return f"{message or exc.message}{request_id}"


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return f"{type(cause).__name__}: {cause}" if cause else str(exc)


def retry_after(headers: Any) -> float | None:
    """Seconds to wait, from `retry-after-ms`, or `retry-after` (seconds or an HTTP date)."""
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


@contextmanager
def connect(*, workspace_id: str | None = None, local_url: str | None = None) -> Iterator[Remote]:
    """A Remote for the real API (credentials the SDK's way), or for the emulator serving
    at `local_url` (`--local`: agentform.emulator.beside), checked strictly."""
    if local_url is None:
        yield Remote(_real_client(), workspace_id)
        return
    client = anthropic.Anthropic(
        base_url=local_url, api_key="local", timeout=TIMEOUT, _strict_response_validation=True
    )
    yield Remote(client, workspace_id)


def _real_client() -> anthropic.Anthropic:
    strict = os.environ.get("AGENTFORM_STRICT_RESPONSES") == "1"  # the test suite sets it
    client = anthropic.Anthropic(timeout=TIMEOUT, _strict_response_validation=strict)
    if client.api_key is None and client.auth_token is None and client.credentials is None:
        raise UserError(
            "no credentials: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another "
            "endpoint), or pass --local to use the embedded emulator"
        )
    return client
