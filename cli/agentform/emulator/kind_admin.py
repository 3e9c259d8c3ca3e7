"""Admin endpoints (`/_emulator/`) standing in for what the real server does on its own.

- `POST /_emulator/deployments/{id}/fire`: the deployment's schedule reaches its next
  occurrence now; answers the deployment run it recorded (a failure pauses the
  deployment, as the server does).
- `POST /_emulator/memory_stores/{id}/agent_writes` `{"session_id", "path", "content"}`:
  a session's agent writes a file under the store's mount; answers the memory, whose
  new version is authored by a `session_actor`. The session must exist in the
  workspace and have the store attached `read_write`.

Like the rest of the admin API they need no key; the workspace comes from the usual
`anthropic-workspace-id` header (none: the default workspace).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from agentform.emulator import deployment_runs, memories, memory_stores, sessions
from agentform.emulator.admin_api import guard
from agentform.emulator.api import emulator, json_response, read_json
from agentform.emulator.config import DEFAULT_WORKSPACE
from agentform.emulator.errors import invalid_request
from agentform.emulator.middleware import WORKSPACE_HEADER
from agentform.emulator.state import Emulator
from agentform.emulator.wire import dumps


def _workspace(request: Request) -> str:
    return request.headers.get(WORKSPACE_HEADER) or DEFAULT_WORKSPACE


async def fire(request: Request) -> Response:
    em, ws = emulator(request), _workspace(request)
    record = deployment_runs.fire_scheduled(em, ws, request.path_params["deployment_id"])
    return json_response(dumps(record))


async def agent_write(request: Request) -> Response:
    em, ws = emulator(request), _workspace(request)
    store_id = request.path_params["memory_store_id"]
    spec = await read_json(request)
    if not isinstance(spec, dict) or not all(
        isinstance(spec.get(k), str) for k in ("session_id", "path", "content")
    ):
        raise invalid_request('expected {"session_id": str, "path": str, "content": str}')
    _check_attached(em, ws, spec["session_id"], store_id)
    actor = {"type": "session_actor", "session_id": spec["session_id"]}
    memory_stores.find_writable(em, ws, store_id)
    return json_response(memories.write_as(em, ws, store_id, spec["path"], spec["content"], actor))


def _check_attached(em: Emulator, ws: str, session_id: str, store_id: str) -> None:
    session: Any = sessions.find(em, ws, session_id)
    for resource in session["resources"]:
        if resource["type"] == "memory_store" and resource["memory_store_id"] == store_id:
            if resource["access"] == "read_only":
                raise invalid_request(f"memory store {store_id!r} is mounted read-only")
            return
    raise invalid_request(f"session {session_id!r} does not have memory store {store_id!r}")


def router() -> APIRouter:
    admin = APIRouter(prefix="/_emulator", dependencies=[Depends(guard)])
    admin.add_api_route("/deployments/{deployment_id}/fire", fire, methods=["POST"],
                        include_in_schema=False)  # fmt: skip
    admin.add_api_route("/memory_stores/{memory_store_id}/agent_writes", agent_write,
                        methods=["POST"], include_in_schema=False)  # fmt: skip
    return admin
