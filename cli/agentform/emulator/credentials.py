"""Vault credentials: create, retrieve, update, list, archive, delete, and the MCP OAuth
validation probe (a stub: the emulator reaches no MCP server).

Secrets are write-only (`credential_auth.py`). A vault holds at most one active
credential per MCP server URL (and, for environment variables, per `secret_name`): a
second one is a 409. Archived credentials are read-only and free their URL or name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentform.emulator import records, vaults
from agentform.emulator.credential_auth import Secrets, create_auth, update_auth
from agentform.emulator.errors import conflict, invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.limits import check_length, check_metadata, patch_metadata
from agentform.emulator.pagination import QueryParams
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

TABLE = "vault_credentials"


def create(em: Emulator, ws: str, vault_id: str, body: Any) -> str:
    params = validate_body("credential.create", body)
    archived, _ = vaults.find(em, ws, vault_id)
    if archived:
        raise invalid_request(f"vault {vault_id!r} is archived; it cannot gain credentials")
    now_ms = em.clock.now_ms()
    auth, secrets = create_auth(params["auth"], now_ms)
    _check_unique(em, vault_id, auth)
    now = format_ms(now_ms)
    credential: Json = {
        "type": "vault_credential",
        "id": new_id("vcrd"),
        "vault_id": vault_id,
        "display_name": params.get("display_name"),
        "auth": auth,
        "metadata": dict(params.get("metadata") or {}),
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }
    return records.insert(
        em, TABLE, ws, _checked(credential), now_ms, vault_id=vault_id, secrets=dumps(secrets)
    )


def retrieve(em: Emulator, ws: str, vault_id: str, credential_id: str) -> str:
    return dumps(_find(em, ws, vault_id, credential_id)[1])


def update(em: Emulator, ws: str, vault_id: str, credential_id: str, body: Any) -> str:
    params = validate_body("credential.update", body)
    archived, current = _find(em, ws, vault_id, credential_id)
    if archived:
        raise invalid_request(f"credential {credential_id!r} is archived and cannot be updated")
    secrets = _secrets(em, credential_id)
    credential, new_secrets = dict(current), secrets
    if "auth" in params:
        auth, new_secrets = update_auth(current["auth"], secrets, params["auth"], em.clock.now_ms())
        credential["auth"] = auth
    if "display_name" in params:
        check_length(params["display_name"], "display_name", minimum=1, maximum=255)
        credential["display_name"] = params["display_name"]
    if "metadata" in params:
        credential["metadata"] = patch_metadata(current["metadata"], params["metadata"])
    if credential == current and new_secrets == secrets:
        return dumps(current)
    credential = records.touch(em, _checked(credential))
    return records.save(em, TABLE, credential, secrets=dumps(new_secrets))


def list_credentials(em: Emulator, ws: str, vault_id: str, params: QueryParams) -> str:
    vaults.find(em, ws, vault_id)
    listing = records.Listing(table=TABLE, maximum=100, where=["vault_id = ?"], params=[vault_id])
    return records.list_page(em, ws, params, listing)


def archive(em: Emulator, ws: str, vault_id: str, credential_id: str) -> str:
    _find(em, ws, vault_id, credential_id)
    return records.archive(em, TABLE, ws, credential_id, "credential")


def delete(em: Emulator, ws: str, vault_id: str, credential_id: str) -> str:
    _find(em, ws, vault_id, credential_id)
    with em.store.transaction() as conn:
        conn.execute("DELETE FROM vault_credentials WHERE id = ?", (credential_id,))
    return dumps({"id": credential_id, "type": "vault_credential_deleted"})


def validate_oauth(em: Emulator, ws: str, vault_id: str, credential_id: str) -> str:
    """The probe's answer without probing: `unknown`, as when the server is unreachable."""
    _, credential = _find(em, ws, vault_id, credential_id)
    if credential["auth"]["type"] != "mcp_oauth":
        raise invalid_request(
            f"credential {credential_id!r} is {credential['auth']['type']}, not mcp_oauth"
        )
    result = {
        "type": "vault_credential_validation",
        "credential_id": credential_id,
        "vault_id": vault_id,
        "status": "unknown",
        "has_refresh_token": "refresh_token" in _secrets(em, credential_id),
        "mcp_probe": None,
        "refresh": None,
        "validated_at": format_ms(em.clock.now_ms()),
    }
    return dumps(result)


def _find(em: Emulator, ws: str, vault_id: str, credential_id: str) -> tuple[bool, Json]:
    vaults.find(em, ws, vault_id)
    archived, credential = records.fetch(em, TABLE, ws, credential_id, "credential")
    if credential["vault_id"] != vault_id:
        raise not_found("credential", credential_id)
    return archived, credential


def _secrets(em: Emulator, credential_id: str) -> Secrets:
    row = em.store.one("SELECT secrets FROM vault_credentials WHERE id = ?", (credential_id,))
    return {} if row is None else {k: str(v) for k, v in loads(row[0]).items()}


def _check_unique(em: Emulator, vault_id: str, auth: Json) -> None:
    key = "secret_name" if auth["type"] == "environment_variable" else "mcp_server_url"
    row = em.store.one(
        f"SELECT id FROM vault_credentials WHERE vault_id = ? AND archived = 0 "  # noqa: S608
        f"AND json_extract(body, '$.auth.{key}') = ?",
        (vault_id, auth[key]),
    )
    if row is not None:
        raise conflict(
            f"auth.{key}: vault {vault_id!r} already has an active credential for "
            f"{auth[key]!r} ({row[0]}); update or archive that one",
            error_type="invalid_request_error",
        )


def _checked(credential: Json) -> Json:
    check_length(credential["display_name"], "display_name", maximum=255)
    check_metadata(credential["metadata"])
    return credential
