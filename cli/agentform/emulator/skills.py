"""Skills: create (a multipart upload that becomes version one), list, retrieve, delete.

A skill is a name plus immutable versions; `latest_version_id` names the newest. Custom
skills belong to a workspace; the Anthropic-provided ones (`skill_catalog.py`) are
listed beside them and cannot be changed. Deleting a skill deletes all its versions.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.pagination import QueryParams
from agentform.emulator.records import Listing, list_page
from agentform.emulator.skill_catalog import find_skill, seed_builtins
from agentform.emulator.skill_upload import Upload, parse_upload
from agentform.emulator.wire import Json, dumps

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

_SOURCES = ("custom", "anthropic", "anthropic_example", "plugin")


def create(em: Emulator, ws: str, content_type: str, body: bytes) -> str:
    upload = parse_upload(content_type, body)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    skill_id = new_id("skill")
    version = new_version(skill_id, upload, now)
    skill: Json = {
        "type": "skill",
        "id": skill_id,
        "display_name": upload.display_name or upload.name,
        "latest_version_id": version["id"],
        "source": {"type": "custom"},
        "created_at": now,
        "updated_at": now,
    }
    with em.store.transaction() as conn:
        conn.execute(
            "INSERT INTO skills (id, workspace, created_us, source, body) "
            "VALUES (?, ?, ?, 'custom', ?)",
            (skill_id, ws, now_ms * 1000, dumps(skill)),
        )
        insert_version(conn, ws, version, now_ms, upload.archive)
    return dumps(skill)


def retrieve(em: Emulator, ws: str, skill_id: str) -> str:
    return dumps(find_skill(em, ws, skill_id).body)


def list_skills(em: Emulator, ws: str, params: QueryParams) -> str:
    seed_builtins(em, ws)
    source = params.get("source")
    where, values = [], []
    if source:
        if source not in _SOURCES:
            raise invalid_request(f"source: Input should be {', '.join(map(repr, _SOURCES))}")
        where, values = ["source = ?"], [source]
    listing = Listing(table="skills", maximum=1000, where=where, params=values, archived_flag=False)
    return list_page(em, ws, params, listing)


def delete(em: Emulator, ws: str, skill_id: str) -> str:
    skill = find_skill(em, ws, skill_id)
    check_custom(skill.source, skill_id)
    with em.store.transaction() as conn:
        conn.execute("DELETE FROM skills WHERE workspace = ? AND id = ?", (ws, skill_id))
        conn.execute(
            "DELETE FROM skill_versions WHERE workspace = ? AND skill_id = ?", (ws, skill_id)
        )
    return dumps({"id": skill_id, "type": "skill_deleted"})


def check_custom(source: str, skill_id: str) -> None:
    if source != "custom":
        raise invalid_request(f"skill {skill_id!r} is provided by Anthropic and is read-only")


def new_version(skill_id: str, upload: Upload, now: str) -> Json:
    return {
        "type": "skill_version",
        "id": new_id("skillver"),
        "skill_id": skill_id,
        "name": upload.name,
        "description": upload.description,
        "created_at": now,
    }


def insert_version(
    conn: sqlite3.Connection, ws: str, version: Json, now_ms: int, archive: bytes
) -> None:
    """Insert a version row inside the caller's transaction; its epoch is `now` in µs."""
    conn.execute(
        "INSERT INTO skill_versions (id, workspace, skill_id, created_us, epoch, body, archive) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (version["id"], ws, version["skill_id"], now_ms * 1000, str(now_ms * 1000),
         dumps(version), archive),
    )  # fmt: skip
