"""The Files API routes: `/v1/files` (multipart upload, list) and `/v1/files/{file_id}`
(metadata, `/content` download, delete). No `anthropic-beta` token is required here
(see `middleware.BETA_EXEMPT`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from agentform.emulator import files
from agentform.emulator.api import Handler, emulator, json_response, query, workspace
from agentform.emulator.errors import invalid_request
from agentform.emulator.multipart import Part, parse_form


async def upload(request: Request) -> Response:
    form = parse_form(request.headers.get("content-type", ""), await request.body())
    part = form.get("file")
    if part is None:
        raise invalid_request("file: Field required")
    item = files.Upload(part.filename, part.content_type, part.data, _expiry(form))
    return json_response(files.upload(emulator(request), workspace(request), item))


async def list_files(request: Request) -> Response:
    return json_response(files.list_files(emulator(request), workspace(request), query(request)))


async def retrieve(request: Request) -> Response:
    file_id = request.path_params["file_id"]
    return json_response(files.retrieve(emulator(request), workspace(request), file_id))


async def download(request: Request) -> Response:
    file_id = request.path_params["file_id"]
    content, mime = files.download(emulator(request), workspace(request), file_id)
    return Response(content=content, media_type=mime)


async def delete(request: Request) -> Response:
    file_id = request.path_params["file_id"]
    return json_response(files.delete(emulator(request), workspace(request), file_id))


def _expiry(form: dict[str, Part]) -> int | None:
    part = form.get("expires_in_seconds")
    if part is None:
        return None
    try:
        return int(part.data.decode("utf-8", "replace").strip())
    except ValueError:
        raise invalid_request("expires_in_seconds: Input should be a valid integer") from None


ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/files", upload),
    ("GET", "/v1/files", list_files),
    ("GET", "/v1/files/{file_id}", retrieve),
    ("GET", "/v1/files/{file_id}/content", download),
    ("DELETE", "/v1/files/{file_id}", delete),
]


def router() -> APIRouter:
    api = APIRouter()
    for method, path, handler in ROUTES:
        api.add_api_route(path, handler, methods=[method], include_in_schema=False)
    return api
