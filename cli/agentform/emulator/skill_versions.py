"""Skill versions: create (a new immutable upload), list, retrieve, delete, download.

A new version must carry the skill's name (its SKILL.md `name`, fixed by the first
upload) and becomes the skill's `latest_version_id`. A skill always holds at least one
version, so its last version cannot be deleted (delete the skill instead); deleting the
newest one makes the next newest the latest.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms
from agentform.emulator.pagination import QueryParams
from agentform.emulator.records import Listing, list_page
from agentform.emulator.skill_catalog import find_skill, find_version, version_count
from agentform.emulator.skill_upload import parse_upload
from agentform.emulator.skills import check_custom, insert_version, new_version
from agentform.emulator.wire import Json, dumps

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator


def create(em: Emulator, ws: str, skill_id: str, content_type: str, body: bytes) -> str:
    skill = find_skill(em, ws, skill_id)
    check_custom(skill.source, skill_id)
    upload = parse_upload(content_type, body)
    if upload.display_name is not None:
        raise invalid_request("display_name: Extra inputs are not permitted")
    current = find_version(em, ws, skill_id, "latest", legacy=False).body
    if upload.name != current["name"]:
        raise invalid_request(
            f"SKILL.md: name {upload.name!r} must stay {current['name']!r}, "
            "the name this skill was created with"
        )
    now_ms = em.clock.now_ms()
    version = new_version(skill_id, upload, format_ms(now_ms))
    updated = {
        **skill.body,
        "latest_version_id": version["id"],
        "updated_at": version["created_at"],
    }
    with em.store.transaction() as conn:
        insert_version(conn, ws, version, now_ms, upload.archive)
        _save_skill(conn, ws, updated)
    return dumps(version)


def retrieve(em: Emulator, ws: str, skill_id: str, version: str, *, legacy: bool) -> str:
    return dumps(find_version(em, ws, skill_id, version, legacy=legacy).body)


def list_versions(em: Emulator, ws: str, skill_id: str, params: QueryParams) -> str:
    find_skill(em, ws, skill_id)
    listing = Listing(
        table="skill_versions",
        maximum=1000,
        where=["skill_id = ?"],
        params=[skill_id],
        archived_flag=False,
    )
    return list_page(em, ws, params, listing)


def delete(em: Emulator, ws: str, skill_id: str, version: str, *, legacy: bool) -> str:
    skill = find_skill(em, ws, skill_id)
    check_custom(skill.source, skill_id)
    found = find_version(em, ws, skill_id, version, legacy=legacy, latest_ok=False)
    if version_count(em, ws, skill_id) == 1:
        raise invalid_request(
            f"version {version!r} is the only version of skill {skill_id!r}; "
            "a skill holds at least one version, so delete the skill instead"
        )
    with em.store.transaction() as conn:
        conn.execute(
            "DELETE FROM skill_versions WHERE workspace = ? AND skill_id = ? AND id = ?",
            (ws, skill_id, found.id),
        )
        if skill.body["latest_version_id"] == found.id:
            newest = conn.execute(
                "SELECT id FROM skill_versions WHERE workspace = ? AND skill_id = ? "
                "ORDER BY created_us DESC, id DESC LIMIT 1",
                (ws, skill_id),
            ).fetchone()[0]
            stamp = format_ms(em.clock.now_ms())
            _save_skill(conn, ws, {**skill.body, "latest_version_id": newest, "updated_at": stamp})
    return dumps({"id": version, "type": "skill_version_deleted"})


def download(em: Emulator, ws: str, skill_id: str, version: str, *, legacy: bool) -> bytes:
    found = find_version(em, ws, skill_id, version, legacy=legacy, latest_ok=False)
    row = em.store.one(
        "SELECT archive FROM skill_versions WHERE workspace = ? AND skill_id = ? AND id = ?",
        (ws, skill_id, found.id),
    )
    return bytes(row[0]) if row else b""


def _save_skill(conn: sqlite3.Connection, ws: str, skill: Json) -> None:
    conn.execute(
        "UPDATE skills SET body = ? WHERE workspace = ? AND id = ?", (dumps(skill), ws, skill["id"])
    )
