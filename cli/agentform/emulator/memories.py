"""Memories: text documents at paths in a memory store; create, retrieve, update, list,
delete. Every write adds a memory version (`memory_versions.py`).

Paths are unique within a store: creating at, or renaming onto, a taken path is a 409
`memory_path_conflict_error`. `precondition` (update) and `expected_content_sha256`
(delete) compare the stored content's SHA-256; a mismatch is a 409
`memory_precondition_failed_error` and changes nothing. An update that changes nothing
adds no version. Responses carry `content` with `view=full` (the default of retrieve)
and `null` with `view=basic` (the default of create, update and list). Lists are in
path order.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from agentform.emulator import memory_paths, memory_stores, memory_versions
from agentform.emulator.errors import ApiError, invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.pagination import QueryParams, decode_cursor, encode_cursor
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

MAX_CONTENT_BYTES = 102_400
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def create(
    em: Emulator, ws: str, store_id: str, body: Any, params: QueryParams, actor: Json
) -> str:
    request = validate_body("memory.create", body)
    view = params.choice("view", memory_versions.VIEWS, default="basic")
    memory_stores.find_writable(em, ws, store_id)
    path, content = request["path"], request["content"] or ""
    memory_paths.check_path(path)
    _check_content(content)
    _check_free(em, store_id, path)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    memory: Json = {"type": "memory", "id": new_id("mem"), "memory_store_id": store_id,
                    "path": path, "created_at": now, "updated_at": now}  # fmt: skip
    memory.update(_digest(content))
    with em.store.transaction() as conn:
        memory["memory_version_id"] = memory_versions.write(
            conn, ws, memory, "created", content, actor, now_ms
        )
        conn.execute(
            "INSERT INTO memories (id, workspace, store_id, path, created_us, body, content) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (memory["id"], ws, store_id, path, now_ms * 1000, _basic(memory), content),
        )
    return _render(memory, content, view)


def retrieve(em: Emulator, ws: str, store_id: str, memory_id: str, params: QueryParams) -> str:
    view = params.choice("view", memory_versions.VIEWS, default="full")
    memory, content = _find(em, ws, store_id, memory_id)
    return _render(memory, content, view)


def update(
    em: Emulator, ws: str, store_id: str, memory_id: str, body: Any, params: QueryParams,
    actor: Json,
) -> str:  # fmt: skip
    request = validate_body("memory.update", body)
    view = params.choice("view", memory_versions.VIEWS, default="basic")
    memory_stores.find_writable(em, ws, store_id)
    current, content = _find(em, ws, store_id, memory_id)
    precondition = request.get("precondition")
    if precondition is not None:
        _check_precondition(
            current, precondition.get("content_sha256"), "precondition.content_sha256"
        )
    memory, new_content = dict(current), content
    if request.get("content") is not None:
        new_content = request["content"]
        _check_content(new_content)
        memory.update(_digest(new_content))
    if request.get("path") is not None and request["path"] != current["path"]:
        memory_paths.check_path(request["path"])
        _check_free(em, store_id, request["path"])
        memory["path"] = request["path"]
    if memory == current:
        return _render(current, content, view)
    return _write(em, ws, memory, new_content, actor, view)


def list_memories(em: Emulator, ws: str, store_id: str, params: QueryParams) -> str:
    memory_stores.find(em, ws, store_id)
    view = params.choice("view", memory_versions.VIEWS, default="basic")
    limit = params.limit(default=20, maximum=100)
    limit = min(limit, memory_versions.FULL_VIEW_LIMIT) if view == "full" else limit
    depth = params.integer("depth", default=0, minimum=0, maximum=None) or 0
    prefix = params.get("path_prefix") or "/"
    memory_paths.check_prefix(prefix)
    rows = em.store.all(
        "SELECT path, body, content FROM memories WHERE store_id = ? "
        "AND substr(path, 1, ?) = ? ORDER BY path",
        (store_id, len(prefix), prefix),
    )
    items = memory_paths.tree(rows, prefix, depth)
    token = params.get("page")
    if token:
        items = memory_paths.after(items, decode_cursor(token, "asc").key[1])
    page, more = items[:limit], len(items) > limit
    data = [_item_json(item, view) for item in page]
    next_page = encode_cursor("after", "asc", (0, page[-1].path)) if more else None
    return '{"data":[' + ",".join(data) + '],"next_page":' + dumps(next_page) + "}"


def delete(
    em: Emulator, ws: str, store_id: str, memory_id: str, params: QueryParams, actor: Json
) -> str:
    memory, _ = _find(em, ws, store_id, memory_id)
    expected = params.get("expected_content_sha256")
    if expected is not None:
        _check_precondition(memory, expected, "expected_content_sha256")
    now_ms = em.clock.now_ms()
    with em.store.transaction() as conn:
        memory_versions.write(conn, ws, memory, "deleted", None, actor, now_ms)
        conn.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
    return dumps({"id": memory_id, "type": "memory_deleted"})


def _write(em: Emulator, ws: str, memory: Json, content: str, actor: Json, view: str) -> str:
    now_ms = em.clock.now_ms()
    memory["updated_at"] = format_ms(now_ms)
    with em.store.transaction() as conn:
        memory["memory_version_id"] = memory_versions.write(
            conn, ws, memory, "modified", content, actor, now_ms
        )
        conn.execute(
            "UPDATE memories SET path = ?, body = ?, content = ? WHERE id = ?",
            (memory["path"], _basic(memory), content, memory["id"]),
        )
    return _render(memory, content, view)


def write_as(em: Emulator, ws: str, store_id: str, path: str, content: str, actor: Json) -> str:
    """Create or overwrite the memory at `path` (what an agent's file write does)."""
    row = em.store.one("SELECT id FROM memories WHERE store_id = ? AND path = ?", (store_id, path))
    if row is None:
        return create(em, ws, store_id, {"path": path, "content": content}, QueryParams([]), actor)
    return update(em, ws, store_id, str(row[0]), {"content": content}, QueryParams([]), actor)


def _find(em: Emulator, ws: str, store_id: str, memory_id: str) -> tuple[Json, str]:
    memory_stores.find(em, ws, store_id)
    row = em.store.one(
        "SELECT body, content FROM memories WHERE id = ? AND store_id = ?", (memory_id, store_id)
    )
    if row is None:
        raise not_found("memory", memory_id)
    return loads(row[0]), str(row[1])


def _check_free(em: Emulator, store_id: str, path: str) -> None:
    row = em.store.one("SELECT id FROM memories WHERE store_id = ? AND path = ?", (store_id, path))
    if row is not None:
        raise ApiError(
            409, "memory_path_conflict_error",
            f"path: {path!r} is already taken by memory {row[0]} (conflicting_memory_id)",
            headers={"x-should-retry": "false"},
        )  # fmt: skip


def _check_precondition(memory: Json, expected: str | None, field: str) -> None:
    if expected is None or not _SHA256.match(expected):
        raise invalid_request(f"{field}: must be 64 lowercase hexadecimal characters")
    if expected != memory["content_sha256"]:
        raise ApiError(
            409, "memory_precondition_failed_error",
            f"{field}: the memory's content_sha256 is {memory['content_sha256']}, not {expected}",
            headers={"x-should-retry": "false"},
        )  # fmt: skip


def _check_content(content: str) -> None:
    size = len(content.encode("utf-8"))
    if size > MAX_CONTENT_BYTES:
        raise invalid_request(f"content: must be at most {MAX_CONTENT_BYTES} bytes (got {size})")


def _digest(content: str) -> Json:
    data = content.encode("utf-8")
    return {"content_sha256": hashlib.sha256(data).hexdigest(), "content_size_bytes": len(data)}


def _basic(memory: Json) -> str:
    return dumps({**memory, "content": None})


def _render(memory: Json, content: str, view: str) -> str:
    return dumps({**memory, "content": content if view == "full" else None})


def _item_json(item: memory_paths.Item, view: str) -> str:
    if item.row is None:
        return dumps({"type": "memory_prefix", "path": item.path})
    body, content = item.row
    return _render(loads(body), content, view)
