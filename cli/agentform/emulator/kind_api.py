"""The `/v1` endpoints of skills, vaults, memory stores and deployments.

Like `api.py`, handlers pass the request's parts to a service function and return its
JSON text. A few need more than a JSON body: skill uploads read the raw multipart body,
skill versions read the legacy `skills-2025-10-02` beta header (epoch addressing), a
download answers with the zip archive, and memory writes record the API key's id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from agentform.emulator import (
    credentials,
    deployment_runs,
    deployments,
    memories,
    memory_stores,
    memory_versions,
    skill_versions,
    skills,
    vaults,
)
from agentform.emulator.api import Handler, emulator, json_response, query, read_json, workspace
from agentform.emulator.skill_catalog import LEGACY_BETA
from agentform.emulator.wire import Json


def api_actor(request: Request) -> Json:
    """Who writes through the API: the key's id (a digest; the key itself is never kept)."""
    key = request.headers.get("x-api-key") or request.headers.get("authorization", "")[7:]
    digest = hashlib.sha256(key.strip().encode()).hexdigest()[:24]
    return {"type": "api_actor", "api_key_id": f"apikey_{digest}"}


def _call(
    service: Callable[..., str], *names: str, body: bool = False, params: bool = False,
    actor: bool = False,
) -> Handler:  # fmt: skip
    """`service(em, ws, *path_params, [body], [query], [actor])`."""

    async def handler(request: Request) -> Response:
        args: list[Any] = [request.path_params[name] for name in names]
        if body:
            args.append(await read_json(request))
        if params:
            args.append(query(request))
        if actor:
            args.append(api_actor(request))
        return json_response(service(emulator(request), workspace(request), *args))

    return handler


def _upload(service: Callable[..., str], *names: str) -> Handler:
    """`service(em, ws, *path_params, content_type, raw_body)` for multipart uploads."""

    async def handler(request: Request) -> Response:
        args = [request.path_params[name] for name in names]
        content_type = request.headers.get("content-type", "")
        raw = await request.body()
        return json_response(
            service(emulator(request), workspace(request), *args, content_type, raw)
        )

    return handler


def _legacy(request: Request) -> bool:
    betas = request.headers.get("anthropic-beta", "").split(",")
    return LEGACY_BETA in (b.strip() for b in betas)


def _version_call(service: Callable[..., str]) -> Handler:
    async def handler(request: Request) -> Response:
        skill_id, version = request.path_params["skill_id"], request.path_params["version"]
        text = service(
            emulator(request), workspace(request), skill_id, version, legacy=_legacy(request)
        )
        return json_response(text)

    return handler


async def _download(request: Request) -> Response:
    skill_id, version = request.path_params["skill_id"], request.path_params["version"]
    archive = skill_versions.download(
        emulator(request), workspace(request), skill_id, version, legacy=_legacy(request)
    )
    return Response(content=archive, media_type="application/zip")


_SKILL = "/v1/skills/{skill_id}"
_VERSION = _SKILL + "/versions/{version}"
_VAULT = "/v1/vaults/{vault_id}"
_CREDENTIAL = _VAULT + "/credentials/{credential_id}"
_STORE = "/v1/memory_stores/{memory_store_id}"
_MEMORY = _STORE + "/memories/{memory_id}"
_MEMVER = _STORE + "/memory_versions/{memory_version_id}"
_DEPLOYMENT = "/v1/deployments/{deployment_id}"
_S, _V, _C = "skill_id", "vault_id", "credential_id"
_M, _MID, _MV, _D = "memory_store_id", "memory_id", "memory_version_id", "deployment_id"

ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/v1/skills", _upload(skills.create)),
    ("GET", "/v1/skills", _call(skills.list_skills, params=True)),
    ("GET", _SKILL, _call(skills.retrieve, _S)),
    ("DELETE", _SKILL, _call(skills.delete, _S)),
    ("POST", _SKILL + "/versions", _upload(skill_versions.create, _S)),
    ("GET", _SKILL + "/versions", _call(skill_versions.list_versions, _S, params=True)),
    ("GET", _VERSION, _version_call(skill_versions.retrieve)),
    ("DELETE", _VERSION, _version_call(skill_versions.delete)),
    ("GET", _VERSION + "/content", _download),
    ("POST", "/v1/vaults", _call(vaults.create, body=True)),
    ("GET", "/v1/vaults", _call(vaults.list_vaults, params=True)),
    ("GET", _VAULT, _call(vaults.retrieve, _V)),
    ("POST", _VAULT, _call(vaults.update, _V, body=True)),
    ("DELETE", _VAULT, _call(vaults.delete, _V)),
    ("POST", _VAULT + "/archive", _call(vaults.archive, _V)),
    ("POST", _VAULT + "/credentials", _call(credentials.create, _V, body=True)),
    ("GET", _VAULT + "/credentials", _call(credentials.list_credentials, _V, params=True)),
    ("GET", _CREDENTIAL, _call(credentials.retrieve, _V, _C)),
    ("POST", _CREDENTIAL, _call(credentials.update, _V, _C, body=True)),
    ("DELETE", _CREDENTIAL, _call(credentials.delete, _V, _C)),
    ("POST", _CREDENTIAL + "/archive", _call(credentials.archive, _V, _C)),
    ("POST", _CREDENTIAL + "/mcp_oauth_validate", _call(credentials.validate_oauth, _V, _C)),
    ("POST", "/v1/memory_stores", _call(memory_stores.create, body=True)),
    ("GET", "/v1/memory_stores", _call(memory_stores.list_stores, params=True)),
    ("GET", _STORE, _call(memory_stores.retrieve, _M)),
    ("POST", _STORE, _call(memory_stores.update, _M, body=True)),
    ("DELETE", _STORE, _call(memory_stores.delete, _M)),
    ("POST", _STORE + "/archive", _call(memory_stores.archive, _M)),
    ("POST", _STORE + "/memories", _call(memories.create, _M, body=True, params=True, actor=True)),
    ("GET", _STORE + "/memories", _call(memories.list_memories, _M, params=True)),
    ("GET", _MEMORY, _call(memories.retrieve, _M, _MID, params=True)),
    ("POST", _MEMORY, _call(memories.update, _M, _MID, body=True, params=True, actor=True)),
    ("DELETE", _MEMORY, _call(memories.delete, _M, _MID, params=True, actor=True)),
    ("GET", _STORE + "/memory_versions", _call(memory_versions.list_versions, _M, params=True)),
    ("GET", _MEMVER, _call(memory_versions.retrieve, _M, _MV, params=True)),
    ("POST", _MEMVER + "/redact", _call(memory_versions.redact, _M, _MV, actor=True)),
    ("POST", "/v1/deployments", _call(deployments.create, body=True)),
    ("GET", "/v1/deployments", _call(deployments.list_deployments, params=True)),
    ("GET", _DEPLOYMENT, _call(deployments.retrieve, _D)),
    ("POST", _DEPLOYMENT, _call(deployments.update, _D, body=True)),
    ("POST", _DEPLOYMENT + "/archive", _call(deployments.archive, _D)),
    ("POST", _DEPLOYMENT + "/pause", _call(deployments.pause, _D)),
    ("POST", _DEPLOYMENT + "/unpause", _call(deployments.unpause, _D)),
    ("POST", _DEPLOYMENT + "/run", _call(deployment_runs.run, _D)),
    ("GET", "/v1/deployment_runs", _call(deployment_runs.list_runs, params=True)),
    ("GET", "/v1/deployment_runs/{deployment_run_id}",
     _call(deployment_runs.retrieve, "deployment_run_id")),
]  # fmt: skip


def router() -> APIRouter:
    api = APIRouter()
    for method, path, handler in ROUTES:
        api.add_api_route(path, handler, methods=[method], include_in_schema=False)
    return api
