"""Vaults: named holders of credentials, referenced by sessions and deployments.

Create, retrieve, update (display name, metadata patch), list, archive and delete.
Deleting a vault deletes its credentials; archiving keeps them readable but the vault
can no longer be updated, gain credentials or be attached to new sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agentform.emulator import records
from agentform.emulator.errors import ApiError, invalid_request
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.limits import check_length, check_metadata, patch_metadata
from agentform.emulator.pagination import QueryParams
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

TABLE = "vaults"


def create(em: Emulator, ws: str, body: Any) -> str:
    params = validate_body("vault.create", body)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    vault: Json = {
        "type": "vault",
        "id": new_id("vlt"),
        "display_name": params["display_name"],
        "metadata": dict(params.get("metadata") or {}),
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }
    return records.insert(em, TABLE, ws, _checked(vault), now_ms)


def retrieve(em: Emulator, ws: str, vault_id: str) -> str:
    return dumps(find(em, ws, vault_id)[1])


def update(em: Emulator, ws: str, vault_id: str, body: Any) -> str:
    if isinstance(body, dict) and "display_name" in body and body["display_name"] is None:
        raise invalid_request("display_name: cannot be cleared; omit it to keep the current value")
    params = validate_body("vault.update", body)
    archived, current = find(em, ws, vault_id)
    if archived:
        raise invalid_request(f"vault {vault_id!r} is archived and cannot be updated")
    vault = dict(current)
    if "display_name" in params:
        vault["display_name"] = params["display_name"]
    if "metadata" in params:
        vault["metadata"] = patch_metadata(current["metadata"], params["metadata"])
    if vault == current:
        return dumps(current)
    return records.save(em, TABLE, records.touch(em, _checked(vault)))


def list_vaults(em: Emulator, ws: str, params: QueryParams) -> str:
    return records.list_page(em, ws, params, records.Listing(table=TABLE, maximum=100))


def archive(em: Emulator, ws: str, vault_id: str) -> str:
    return records.archive(em, TABLE, ws, vault_id, "vault")


def delete(em: Emulator, ws: str, vault_id: str) -> str:
    find(em, ws, vault_id)
    with em.store.transaction() as conn:
        conn.execute("DELETE FROM vaults WHERE id = ?", (vault_id,))
        conn.execute("DELETE FROM vault_credentials WHERE vault_id = ?", (vault_id,))
    return dumps({"id": vault_id, "type": "vault_deleted"})


def find(em: Emulator, ws: str, vault_id: str) -> tuple[bool, Json]:
    """(archived, vault); 404 `not_found_error` when it is not in this workspace."""
    return records.fetch(em, TABLE, ws, vault_id, "vault")


def check_usable(em: Emulator, ws: str, vault_ids: Sequence[str], field: str) -> None:
    """Every id names an unarchived vault of this workspace (404 / 400), without repeats."""
    for index, vault_id in enumerate(vault_ids):
        if vault_id in vault_ids[:index]:
            raise invalid_request(f"{field}.{index}: vault {vault_id!r} is listed twice")
        row = em.store.one(
            "SELECT archived FROM vaults WHERE id = ? AND workspace = ?", (vault_id, ws)
        )
        if row is None:
            raise ApiError(404, "not_found_error", f"{field}.{index}: vault {vault_id!r} not found")
        if row[0]:
            raise invalid_request(f"{field}.{index}: vault {vault_id!r} is archived")


def _checked(vault: Json) -> Json:
    check_length(vault["display_name"], "display_name", minimum=1, maximum=255)
    check_metadata(vault["metadata"])
    return vault
