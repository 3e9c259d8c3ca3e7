"""Memory stores: create, retrieve, update, list, archive, delete; attaching to sessions.

An archived store is read-only: it cannot be updated, gain or change memories, or be
attached to new sessions, but its memories can still be read and deleted and their
versions redacted. Deleting a store deletes its memories and versions. A session's
memory-store resource snapshots the store's name and description and mounts it at
`/mnt/memory/<slug>`, the slug being the name lowercased with every run of characters
other than ASCII letters and digits turned into one hyphen.
"""

from __future__ import annotations

import re
import unicodedata
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

TABLE = "memory_stores"
MAX_PER_SESSION = 8


def create(em: Emulator, ws: str, body: Any) -> str:
    params = validate_body("memory_store.create", body)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    store: Json = {
        "type": "memory_store",
        "id": new_id("memstore"),
        "name": params["name"],
        "description": params.get("description") or "",
        "metadata": dict(params.get("metadata") or {}),
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }
    return records.insert(em, TABLE, ws, _checked(store), now_ms)


def retrieve(em: Emulator, ws: str, store_id: str) -> str:
    return dumps(find(em, ws, store_id)[1])


def update(em: Emulator, ws: str, store_id: str, body: Any) -> str:
    if isinstance(body, dict) and "name" in body and body["name"] is None:
        raise invalid_request("name: cannot be cleared; omit it to keep the current value")
    params = validate_body("memory_store.update", body)
    archived, current = find(em, ws, store_id)
    if archived:
        raise invalid_request(f"memory store {store_id!r} is archived and cannot be updated")
    store = dict(current)
    if "name" in params:
        store["name"] = params["name"]
    if "description" in params:
        store["description"] = params["description"] or ""
    if "metadata" in params:
        store["metadata"] = patch_metadata(current["metadata"], params["metadata"])
    if store == current:
        return dumps(current)
    return records.save(em, TABLE, records.touch(em, _checked(store)))


def list_stores(em: Emulator, ws: str, params: QueryParams) -> str:
    listing = records.Listing(table=TABLE, maximum=100, time_operators=("gte", "lte"))
    return records.list_page(em, ws, params, listing)


def archive(em: Emulator, ws: str, store_id: str) -> str:
    return records.archive(em, TABLE, ws, store_id, "memory store")


def delete(em: Emulator, ws: str, store_id: str) -> str:
    find(em, ws, store_id)
    with em.store.transaction() as conn:
        conn.execute("DELETE FROM memory_stores WHERE id = ?", (store_id,))
        conn.execute("DELETE FROM memories WHERE store_id = ?", (store_id,))
        conn.execute("DELETE FROM memory_versions WHERE store_id = ?", (store_id,))
    return dumps({"id": store_id, "type": "memory_store_deleted"})


def find(em: Emulator, ws: str, store_id: str) -> tuple[bool, Json]:
    """(archived, store); 404 `not_found_error` when it is not in this workspace."""
    return records.fetch(em, TABLE, ws, store_id, "memory store")


def find_writable(em: Emulator, ws: str, store_id: str) -> Json:
    archived, store = find(em, ws, store_id)
    if archived:
        raise invalid_request(f"memory store {store_id!r} is archived; its memories are read-only")
    return store


def check_resources(em: Emulator, ws: str, resources: Sequence[Json], field: str) -> None:
    """Memory-store resources name unarchived stores of this workspace, each once, at most 8."""
    seen: list[str] = []
    for index, resource in enumerate(resources):
        if resource["type"] != "memory_store":
            continue
        store_id, where = resource["memory_store_id"], f"{field}.{index}.memory_store_id"
        if store_id in seen:
            raise invalid_request(f"{where}: memory store {store_id!r} is attached twice")
        seen.append(store_id)
        row = em.store.one(
            "SELECT archived FROM memory_stores WHERE id = ? AND workspace = ?", (store_id, ws)
        )
        if row is None:
            raise ApiError(404, "not_found_error", f"{where}: memory store {store_id!r} not found")
        if row[0]:
            raise invalid_request(f"{where}: memory store {store_id!r} is archived")
    if len(seen) > MAX_PER_SESSION:
        raise invalid_request(f"{field}: at most {MAX_PER_SESSION} memory stores per session")


def snapshot(em: Emulator, ws: str, resource: Json) -> Json:
    """A session's memory-store resource with the store's name, description and mount."""
    _, store = find(em, ws, resource["memory_store_id"])
    return {
        **resource,
        "name": store["name"],
        "description": store["description"],
        "mount_path": f"/mnt/memory/{slug(store['name'])}",
    }


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower())


def _checked(store: Json) -> Json:
    check_length(store["name"], "name", minimum=1, maximum=255)
    if any(unicodedata.category(c) == "Cc" for c in store["name"]):
        raise invalid_request("name: must not contain control characters")
    check_length(store["description"], "description", maximum=1024)
    check_metadata(store["metadata"])
    return store
