"""The FastAPI application: routes, the API error envelope, lifespan, middleware."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from agentform.emulator import admin_api, api, files_api, kind_admin, kind_api, messages_api
from agentform.emulator.errors import ApiError
from agentform.emulator.middleware import ApiMiddleware, RouteKey
from agentform.emulator.state import Emulator

log = logging.getLogger("agentform.emulator")
_HTTP_ERRORS = {404: "not_found_error", 405: "invalid_request_error"}
ALL_ROUTES = [*api.ROUTES, *kind_api.ROUTES, *files_api.ROUTES, *messages_api.ROUTES]


def create_app(em: Emulator) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        em.loop = asyncio.get_running_loop()
        yield
        em.stop_background_work()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.emulator = em
    app.include_router(api.router())
    app.include_router(kind_api.router())
    app.include_router(files_api.router())
    app.include_router(messages_api.router())
    app.include_router(admin_api.router())
    app.include_router(kind_admin.router())
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(ClientDisconnect, _client_gone)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(ApiMiddleware, emulator=em, route_key=route_keys(ALL_ROUTES))
    return app


def route_keys(routes: list[tuple[str, str, api.Handler]]) -> RouteKey:
    """`(method, path)` -> `"METHOD /route/{template}"` for the request counters."""
    patterns = [(method, re.compile("^" + re.sub(r"{\w+}", "[^/]+", path) + "$"), path)
                for method, path, _ in routes]  # fmt: skip

    def key(method: str, path: str) -> str:
        templates = [template for _, regex, template in patterns if regex.match(path)]
        exact = [t for m, regex, t in patterns if m == method and regex.match(path)]
        chosen = exact or templates
        return f"{method} {chosen[0] if chosen else path}"

    return key


def _error_response(request: Request, error: ApiError) -> Response:
    request_id = getattr(request.state, "request_id", "req_unknown")
    return Response(
        content=error.body(request_id),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


async def _api_error(request: Request, exc: ApiError) -> Response:
    return _error_response(request, exc)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    error_type = _HTTP_ERRORS.get(exc.status_code, "invalid_request_error")
    message = "Not found" if exc.status_code == 404 else str(exc.detail)
    headers = {}
    if exc.status_code == 405:  # RFC 9110: a 405 lists the methods the resource supports
        headers["Allow"] = ", ".join(allowed_methods(request.url.path))
    return _error_response(request, ApiError(exc.status_code, error_type, message, headers=headers))


def allowed_methods(path: str) -> list[str]:
    """Every method some `/v1` route serves at `path` (Starlette's own 405 names only one)."""
    methods = {
        method
        for method, template, _ in ALL_ROUTES
        if re.match("^" + re.sub(r"{\w+}", "[^/]+", template) + "$", path)
    }
    return sorted(methods)


async def _client_gone(request: Request, exc: ClientDisconnect) -> Response:
    """The client went away while sending its body (killed mid-request): no one reads a
    reply, and it is not the emulator's error to log. 499, as nginx names it."""
    return Response(status_code=499)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug in the emulator: still the API's envelope (this path bypasses ApiMiddleware)."""
    log.exception("unexpected error in the emulator", exc_info=exc)
    response = _error_response(request, ApiError(500, "api_error", "Internal server error"))
    response.headers["request-id"] = getattr(request.state, "request_id", "req_unknown")
    return response
