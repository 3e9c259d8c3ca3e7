"""The Messages API routes: `POST /v1/messages` and the Message Batches endpoints (create,
retrieve, results, cancel). No `anthropic-beta` token is required here (see
`middleware.BETA_BY_PREFIX`). The answers come from messages.py."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from agentform.emulator import messages
from agentform.emulator.api import Handler, emulator, json_response, read_json, workspace


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def create_message(request: Request) -> Response:
    body = await read_json(request)
    return json_response(json.dumps(messages.create_message(emulator(request), body)))


async def create_batch(request: Request) -> Response:
    body = await read_json(request)
    em, ws = emulator(request), workspace(request)
    return json_response(json.dumps(messages.create_batch(em, ws, body, _base_url(request))))


async def retrieve_batch(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    batch = messages.find_batch(emulator(request), workspace(request), batch_id)
    return json_response(json.dumps(batch.view(_base_url(request))))


async def cancel_batch(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    em, ws = emulator(request), workspace(request)
    return json_response(json.dumps(messages.cancel_batch(em, ws, batch_id, _base_url(request))))


async def batch_results(request: Request) -> Response:
    batch_id = request.path_params["batch_id"]
    body = messages.batch_results(emulator(request), workspace(request), batch_id)
    return Response(content=body, media_type="application/binary")


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/messages", create_message),
    ("POST", "/v1/messages/batches", create_batch),
    ("GET", "/v1/messages/batches/{batch_id}", retrieve_batch),
    ("GET", "/v1/messages/batches/{batch_id}/results", batch_results),
    ("POST", "/v1/messages/batches/{batch_id}/cancel", cancel_batch),
]


def router() -> APIRouter:
    api = APIRouter()
    for method, path, handler in ROUTES:
        api.add_api_route(path, handler, methods=[method], include_in_schema=False)
    return api
