"""The `/v1` endpoints: parse the request, call the service module, return its JSON.

Handlers take the raw `Request` and return prepared JSON text, so FastAPI does no
validation or serialisation of its own on the hot path.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from agentform.emulator import agents, environments, sessions, streams
from agentform.emulator.errors import invalid_request
from agentform.emulator.pagination import QueryParams
from agentform.emulator.state import Emulator

Handler = Callable[[Request], Awaitable[Response]]


def json_response(text: str) -> Response:
    return Response(content=text, media_type="application/json")


def emulator(request: Request) -> Emulator:
    em: Emulator = request.app.state.emulator
    return em


def workspace(request: Request) -> str:
    return str(request.state.workspace)


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid_request("request body is not valid JSON") from None


def query(request: Request) -> QueryParams:
    return QueryParams(request.query_params.multi_items())


def _body_call(service: Callable[..., str], *names: str) -> Handler:
    """A handler calling `service(em, ws, *path_params, body)`."""

    async def handler(request: Request) -> Response:
        body = await read_json(request)
        args = [request.path_params[name] for name in names]
        return json_response(service(emulator(request), workspace(request), *args, body))

    return handler


def _query_call(service: Callable[..., str], *names: str) -> Handler:
    """A handler calling `service(em, ws, *path_params, query)`."""

    async def handler(request: Request) -> Response:
        args = [request.path_params[name] for name in names]
        return json_response(service(emulator(request), workspace(request), *args, query(request)))

    return handler


def _plain_call(service: Callable[..., str], *names: str) -> Handler:
    """A handler calling `service(em, ws, *path_params)`."""

    async def handler(request: Request) -> Response:
        args = [request.path_params[name] for name in names]
        return json_response(service(emulator(request), workspace(request), *args))

    return handler


_queue_events = _body_call(sessions.send_events, "session_id")


async def send_events(request: Request) -> Response:
    """Queue the events; a turn that takes no time is over before this returns."""
    response = await _queue_events(request)
    await emulator(request).runner.settle(request.path_params["session_id"])
    return response


async def stream_events(request: Request) -> Response:
    session_id = request.path_params["session_id"]
    return streams.open_stream(emulator(request), workspace(request), session_id, query(request))


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/agents", _body_call(agents.create)),
    ("GET", "/v1/agents", _query_call(agents.list_agents)),
    ("GET", "/v1/agents/{agent_id}", _query_call(agents.retrieve, "agent_id")),
    ("POST", "/v1/agents/{agent_id}", _body_call(agents.update, "agent_id")),
    ("POST", "/v1/agents/{agent_id}/archive", _plain_call(agents.archive, "agent_id")),
    ("GET", "/v1/agents/{agent_id}/versions", _query_call(agents.list_versions, "agent_id")),
    ("POST", "/v1/environments", _body_call(environments.create)),
    ("GET", "/v1/environments", _query_call(environments.list_environments)),
    (
        "GET",
        "/v1/environments/{environment_id}",
        _plain_call(environments.retrieve, "environment_id"),
    ),
    (
        "POST",
        "/v1/environments/{environment_id}",
        _body_call(environments.update, "environment_id"),
    ),
    (
        "DELETE",
        "/v1/environments/{environment_id}",
        _plain_call(environments.delete, "environment_id"),
    ),
    (
        "POST",
        "/v1/environments/{environment_id}/archive",
        _plain_call(environments.archive, "environment_id"),
    ),
    ("POST", "/v1/sessions", _body_call(sessions.create)),
    ("GET", "/v1/sessions", _query_call(sessions.list_sessions)),
    ("GET", "/v1/sessions/{session_id}", _plain_call(sessions.retrieve, "session_id")),
    ("POST", "/v1/sessions/{session_id}", _body_call(sessions.update, "session_id")),
    ("DELETE", "/v1/sessions/{session_id}", _plain_call(sessions.delete, "session_id")),
    ("POST", "/v1/sessions/{session_id}/archive", _plain_call(sessions.archive, "session_id")),
    ("POST", "/v1/sessions/{session_id}/events", send_events),
    ("GET", "/v1/sessions/{session_id}/events", _query_call(sessions.list_events, "session_id")),
    ("GET", "/v1/sessions/{session_id}/events/stream", stream_events),
]


def router() -> APIRouter:
    api = APIRouter()
    for method, path, handler in ROUTES:
        api.add_api_route(path, handler, methods=[method], include_in_schema=False)
    return api
