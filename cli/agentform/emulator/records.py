"""Row helpers shared by the vault, memory store and deployment modules.

Their tables follow one layout (`id`, `workspace`, `created_us`, `archived`, `body` as
served, plus kind-specific columns), so finding one object, inserting it, saving a new
body, archiving it and listing a page are the same few statements for each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentform.emulator.errors import not_found
from agentform.emulator.ids import format_ms
from agentform.emulator.pagination import QueryParams, add_time_filters, apply_cursor, page_json
from agentform.emulator.store import ListQuery
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator


@dataclass(frozen=True)
class Listing:
    """How one list endpoint pages a table."""

    table: str
    maximum: int
    default: int = 20
    where: Sequence[str] = ()
    params: Sequence[Any] = ()
    archived_flag: bool = True  # honour `include_archived`
    time_operators: Sequence[str] = ()


def fetch(em: Emulator, table: str, ws: str, object_id: str, kind: str) -> tuple[bool, Json]:
    """(archived, object) of one row in this workspace; 404 `not_found_error` otherwise."""
    row = em.store.one(
        f"SELECT archived, body FROM {table} WHERE id = ? AND workspace = ?",  # noqa: S608
        (object_id, ws),
    )
    if row is None:
        raise not_found(kind, object_id)
    return bool(row[0]), loads(row[1])


def insert(em: Emulator, table: str, ws: str, obj: Json, created_ms: int, **columns: Any) -> str:
    text = dumps(obj)
    names = ["id", "workspace", "created_us", "body", *columns]
    values = [obj["id"], ws, created_ms * 1000, text, *columns.values()]
    marks = ", ".join("?" for _ in names)
    with em.store.transaction() as conn:
        conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)
    return text


def save(em: Emulator, table: str, obj: Json, **columns: Any) -> str:
    """Store a changed object (and any extra columns); returns its JSON text."""
    text = dumps(obj)
    sets = ", ".join(f"{name} = ?" for name in ["body", *columns])
    with em.store.transaction() as conn:
        conn.execute(
            f"UPDATE {table} SET {sets} WHERE id = ?", [text, *columns.values(), obj["id"]]
        )
    return text


def archive(em: Emulator, table: str, ws: str, object_id: str, kind: str) -> str:
    """Set `archived_at` (and `updated_at`); archiving again returns the object unchanged."""
    archived, obj = fetch(em, table, ws, object_id, kind)
    if archived:
        return dumps(obj)
    stamp = format_ms(em.clock.now_ms())
    obj.update(archived_at=stamp, updated_at=stamp)
    return save(em, table, obj, archived=1)


def touch(em: Emulator, obj: Json) -> Json:
    obj["updated_at"] = format_ms(em.clock.now_ms())
    return obj


def list_page(
    em: Emulator,
    ws: str,
    params: QueryParams,
    listing: Listing,
    render: Callable[[str], str] | None = None,
) -> str:
    """One page, oldest first, with a `next_page` cursor when more rows follow."""
    limit = params.limit(default=listing.default, maximum=listing.maximum)
    query = ListQuery(table=listing.table, workspace=ws, limit=limit)
    query.where.extend(listing.where)
    query.params.extend(listing.params)
    if listing.archived_flag and not params.boolean("include_archived"):
        query.where.append("archived = 0")
    add_time_filters(query, params.time_filters(listing.time_operators))
    apply_cursor(query, params, "asc")
    page = em.store.page(query)
    return page_json(page, "asc", backwards=False, first_page=query.after is None, render=render)
