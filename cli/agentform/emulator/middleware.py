"""Everything around an API request that is not the endpoint itself.

For each `/v1/...` request, in order: give it a `request-id` and a workspace, count it
under its route template, sleep `--latency-ms`, apply an injected fault, check auth and
the beta header, run the endpoint, and log one line. The admin API under `/_emulator/`
bypasses all of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from agentform.emulator.config import DEFAULT_WORKSPACE
from agentform.emulator.errors import ApiError, authentication, injected, invalid_request
from agentform.emulator.faults import Fault
from agentform.emulator.ids import new_id
from agentform.emulator.state import Emulator

BETA_TOKEN = "managed-agents-2026-04-01"
# Path prefixes whose SDK resources send another beta token (or none) by default.
BETA_BY_PREFIX = {
    "/v1/skills": None,
    "/v1/files": None,  # SDK 2.16's beta.files sends no anthropic-beta unless asked
    "/v1/memory_stores": "agent-memory-2026-07-22",
    "/v1/messages": None,  # the Messages API and Message Batches are not in beta
}
WORKSPACE_HEADER = "anthropic-workspace-id"
ADMIN_PREFIX = "/_emulator/"
log = logging.getLogger("agentform.emulator")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
RouteKey = Callable[[str, str], str]


class LostResponseError(Exception):
    """Raised into a streaming endpoint whose response an injected fault is losing."""


class ApiMiddleware:
    def __init__(self, app: Any, emulator: Emulator, route_key: RouteKey) -> None:
        self.app = app
        self.em = emulator
        self.route_key = route_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = new_id("req")
        workspace = headers.get(WORKSPACE_HEADER)
        scope.setdefault("state", {}).update(
            request_id=request_id, workspace=workspace or DEFAULT_WORKSPACE
        )
        outcome: dict[str, Any] = {"status": 0, "note": ""}
        send = _decorating(send, request_id, workspace, outcome)
        method, path = scope["method"], scope["path"]
        self.em.counters.hit(self.route_key(method, path))
        try:
            await self._handle(scope, receive, send, headers, outcome)
        finally:
            if self.em.config.log_requests:
                elapsed = (time.perf_counter() - started) * 1000
                status, note = outcome["status"], outcome["note"]
                log.info("%s %s %s %.1fms %s%s", method, path, status, elapsed, request_id, note)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], outcome: Any
    ) -> None:
        if self.em.config.latency_ms:
            await asyncio.sleep(self.em.config.latency_ms / 1000)
        fault = self.em.faults.take(scope["method"], scope["path"])
        if fault is not None and fault.lost is None:
            outcome["note"] = " (injected fault)"
            await send_error(send, injected(fault.status, fault.retry_after), scope)
            return
        problem = check_credentials(headers, self.em.config.api_key, scope["path"])
        if problem is not None:
            await send_error(send, problem, scope)
        elif fault is not None:
            outcome["note"] = f" (injected lost response: {fault.lost})"
            await self._lose(scope, receive, send, fault)
        else:
            await self.app(scope, receive, send)

    async def _lose(self, scope: Scope, receive: Receive, send: Send, fault: Fault) -> None:
        """Run the request to completion (its writes commit), then lose its response."""

        async def discard(message: Message) -> None:
            if message["type"] == "http.response.body" and message.get("more_body"):
                raise LostResponseError

        try:
            await self.app(scope, receive, discard)
        except Exception as exc:
            if not _is_lost(exc):
                raise
        if fault.lost == "drop":
            # Headers promising a body that never comes; the server then closes the socket.
            await send(
                _start(200, [(b"content-type", b"application/json"), (b"content-length", b"64")])
            )
            return
        await send_error(send, injected(500, fault.retry_after), scope)


def check_credentials(
    headers: dict[str, str], api_key: str | None, path: str = ""
) -> ApiError | None:
    """401 without a usable key (or with the wrong one); 400 without the beta token the
    endpoint's SDK resource sends by default (the Files and Skills APIs send none)."""
    presented = _presented_keys(headers)
    if not presented:
        return authentication("x-api-key header or Authorization: Bearer token is required")
    if api_key is not None and api_key not in presented.values():
        return authentication(f"invalid {' / '.join(presented)}")
    betas = [token.strip() for token in headers.get("anthropic-beta", "").split(",")]
    required = required_beta(path)
    if required is not None and required not in betas:
        return invalid_request(f"this endpoint requires the anthropic-beta header {required!r}")
    return None


def required_beta(path: str) -> str | None:
    """The beta token an endpoint requires: the SDK's default for that resource."""
    for prefix, token in BETA_BY_PREFIX.items():
        if path == prefix or path.startswith(prefix + "/"):
            return token
    return BETA_TOKEN


def _presented_keys(headers: dict[str, str]) -> dict[str, str]:
    """The credentials a request presents, by how the API names them in its 401 messages."""
    presented = {"x-api-key": headers["x-api-key"]} if headers.get("x-api-key") else {}
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer " and authorization[7:].strip():
        presented["bearer token"] = authorization[7:].strip()
    return presented


async def send_error(send: Send, error: ApiError, scope: Scope) -> None:
    body = error.body(scope["state"]["request_id"])
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in error.headers.items()]
    await send(_start(error.status, headers))
    await send({"type": "http.response.body", "body": body})


def _decorating(send: Send, request_id: str, workspace: str | None, outcome: Any) -> Send:
    """Add `request-id` (and the workspace echo) to the response; note the status."""
    extra = [(b"request-id", request_id.encode())]
    if workspace:
        extra.append((WORKSPACE_HEADER.encode(), workspace.encode("latin-1")))

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            outcome["status"] = message["status"]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped


def _start(status: int, headers: list[tuple[bytes, bytes]]) -> Message:
    return {"type": "http.response.start", "status": status, "headers": headers}


def _is_lost(exc: BaseException) -> bool:
    if isinstance(exc, LostResponseError):
        return True
    inner = getattr(exc, "exceptions", ())
    return bool(inner) and all(_is_lost(e) for e in inner)
