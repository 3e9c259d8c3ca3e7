"""Memory versions: one per change to a memory, who made it, list / retrieve / redact.

Every write records its author in `created_by`: an `api_actor` (with the id of the API
key that sent the request) for writes through the API, a `session_actor` for writes an
agent makes in a session (the emulator's admin API stands in for the mounted
filesystem). That is how a caller tells memories it seeded from ones an agent wrote.
Versions stay after their memory is deleted; only redaction changes one, clearing its
`content`, `path`, `content_size_bytes` and `content_sha256`. Lists are newest first.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from agentform.emulator import memory_stores
from agentform.emulator.errors import invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.pagination import QueryParams, add_time_filters, apply_cursor, page_json
from agentform.emulator.store import ListQuery
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

OPERATIONS = ("created", "modified", "deleted")
VIEWS = ("basic", "full")
FULL_VIEW_LIMIT = 20
_ACTOR_FILTERS = {
    "api_key_id": "api_actor",
    "session_id": "session_actor",
    "service_account_id": "service_account_actor",
}
_ACTOR_ID_KEYS = ("api_key_id", "session_id", "user_id", "service_account_id")


def write(
    conn: sqlite3.Connection,
    ws: str,
    memory: Json,
    operation: str,
    content: str | None,
    actor: Json,
    now_ms: int,
) -> str:
    """Record one change to `memory` inside the caller's transaction; returns the version id."""
    deleted = operation == "deleted"
    version = {
        "type": "memory_version",
        "id": new_id("memver"),
        "memory_id": memory["id"],
        "memory_store_id": memory["memory_store_id"],
        "operation": operation,
        "path": memory["path"],
        "content": None,
        "content_sha256": None if deleted else memory["content_sha256"],
        "content_size_bytes": None if deleted else memory["content_size_bytes"],
        "created_at": format_ms(now_ms),
        "created_by": actor,
        "redacted_at": None,
        "redacted_by": None,
    }
    actor_id = next(str(actor[k]) for k in _ACTOR_ID_KEYS if k in actor)
    conn.execute(
        "INSERT INTO memory_versions (id, workspace, store_id, memory_id, created_us, operation, "
        "actor_type, actor_id, body, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (version["id"], ws, memory["memory_store_id"], memory["id"], now_ms * 1000, operation,
         actor["type"], actor_id, dumps(version), None if deleted else content),
    )  # fmt: skip
    return str(version["id"])


def retrieve(em: Emulator, ws: str, store_id: str, version_id: str, params: QueryParams) -> str:
    view = params.choice("view", VIEWS, default="full")
    return _render(*_row(em, ws, store_id, version_id), view)


def list_versions(em: Emulator, ws: str, store_id: str, params: QueryParams) -> str:
    memory_stores.find(em, ws, store_id)
    view = params.choice("view", VIEWS, default="basic")
    limit = params.limit(default=20, maximum=100)
    query = ListQuery(table="memory_versions", workspace=ws, descending=True,
                      limit=min(limit, FULL_VIEW_LIMIT) if view == "full" else limit)  # fmt: skip
    query.where.append("store_id = ?")
    query.params.append(store_id)
    _add_filters(query, params)
    apply_cursor(query, params, "desc")
    page = em.store.page(query)
    render = None if view == "basic" else (lambda body: _with_content(em, body))
    return page_json(page, "desc", backwards=False, first_page=query.after is None, render=render)


def redact(em: Emulator, ws: str, store_id: str, version_id: str, actor: Json) -> str:
    body, _ = _row(em, ws, store_id, version_id)
    version = loads(body)
    if version["redacted_at"] is not None:
        return body
    version.update(
        path=None, content_sha256=None, content_size_bytes=None,
        redacted_at=format_ms(em.clock.now_ms()), redacted_by=actor,
    )  # fmt: skip
    text = dumps(version)
    with em.store.transaction() as conn:
        conn.execute(
            "UPDATE memory_versions SET body = ?, content = NULL WHERE id = ?", (text, version_id)
        )
    return text


def _row(em: Emulator, ws: str, store_id: str, version_id: str) -> tuple[str, str | None]:
    memory_stores.find(em, ws, store_id)
    row = em.store.one(
        "SELECT body, content FROM memory_versions WHERE id = ? AND store_id = ?",
        (version_id, store_id),
    )
    if row is None:
        raise not_found("memory version", version_id)
    return str(row[0]), row[1]


def _render(body: str, content: str | None, view: str) -> str:
    if view == "basic" or content is None:
        return body
    version = loads(body)
    version["content"] = content
    return dumps(version)


def _with_content(em: Emulator, body: str) -> str:
    version = loads(body)
    row = em.store.one("SELECT content FROM memory_versions WHERE id = ?", (version["id"],))
    return _render(body, row[0] if row else None, "full")


def _add_filters(query: ListQuery, params: QueryParams) -> None:
    for name, actor_type in _ACTOR_FILTERS.items():
        value = params.get(name)
        if value is not None:
            query.where.append("actor_type = ? AND actor_id = ?")
            query.params.extend([actor_type, value])
    memory_id = params.get("memory_id")
    if memory_id is not None:
        query.where.append("memory_id = ?")
        query.params.append(memory_id)
    operation = params.get("operation")
    if operation is not None:
        if operation not in OPERATIONS:
            raise invalid_request(f"operation: Input should be {', '.join(map(repr, OPERATIONS))}")
        query.where.append("operation = ?")
        query.params.append(operation)
    add_time_filters(query, params.time_filters(("gte", "lte")))
