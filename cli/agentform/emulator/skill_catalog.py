"""Where skills and their versions are found: custom ones in the database, plus the
Anthropic-provided skills every workspace sees.

Anthropic skills (`xlsx`, `pdf`, `docx`, `pptx`) are listed with `source: anthropic`,
read-only, each with one version (`20251013`, the version agents resolve them to). They
are seeded into a workspace's rows on first use, so listing and paging treat them like
any other skill; a reset that wipes the data simply seeds them again.

A custom version is addressed by its id (`skillver_...`) or, by clients that send the
legacy `skills-2025-10-02` beta header, by its Unix epoch in microseconds, the form the
older Skills API used (`1759178010641129`); `latest` names the newest version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from agentform.emulator.defaults import LATEST_ANTHROPIC_SKILL
from agentform.emulator.errors import ApiError, not_found
from agentform.emulator.ids import parse_rfc3339_us
from agentform.emulator.skill_upload import builtin_archive
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

LEGACY_BETA = "skills-2025-10-02"
BUILTIN_SKILLS = {
    "xlsx": "Create, edit and analyse Excel spreadsheets",
    "pdf": "Read, fill and create PDF documents",
    "docx": "Create and edit Word documents",
    "pptx": "Create and edit PowerPoint presentations",
}
_BUILTIN_CREATED = "2025-10-13T00:00:00.000Z"


class Skill(NamedTuple):
    source: str  # "custom" | "anthropic"
    body: Json


class Version(NamedTuple):
    id: str
    epoch: str
    body: Json


def seed_builtins(em: Emulator, ws: str) -> None:
    """Make the Anthropic-provided skills exist in this workspace (idempotent)."""
    created_us = parse_rfc3339_us(_BUILTIN_CREATED)
    with em.store.transaction() as conn:
        for skill_id, description in BUILTIN_SKILLS.items():
            conn.execute(
                "INSERT OR IGNORE INTO skills (id, workspace, created_us, source, body) "
                "VALUES (?, ?, ?, 'anthropic', ?)",
                (skill_id, ws, created_us, dumps(_builtin_skill(skill_id))),
            )
            conn.execute(
                "INSERT OR IGNORE INTO skill_versions (id, workspace, skill_id, created_us, "
                "epoch, body, archive) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (LATEST_ANTHROPIC_SKILL, ws, skill_id, created_us, LATEST_ANTHROPIC_SKILL,
                 dumps(_builtin_version(skill_id, description)),
                 builtin_archive(skill_id, description)),
            )  # fmt: skip


def find_skill(em: Emulator, ws: str, skill_id: str) -> Skill:
    """A skill of this workspace (Anthropic ones included); 404 `not_found_error` otherwise."""
    seed_builtins(em, ws)
    row = em.store.one(
        "SELECT source, body FROM skills WHERE workspace = ? AND id = ?", (ws, skill_id)
    )
    if row is None:
        raise not_found("skill", skill_id)
    return Skill(str(row[0]), loads(row[1]))


def find_version(
    em: Emulator, ws: str, skill_id: str, ref: str, *, legacy: bool, latest_ok: bool = True
) -> Version:
    """A version by id, by epoch (`legacy`), or `latest`; 404 `not_found_error` otherwise."""
    skill = find_skill(em, ws, skill_id)
    if ref == "latest" and latest_ok:
        ref = skill.body["latest_version_id"]
    column = "epoch" if legacy and ref.isdigit() else "id"
    row = em.store.one(
        f"SELECT id, epoch, body FROM skill_versions WHERE workspace = ? AND skill_id = ? "  # noqa: S608
        f"AND {column} = ?",
        (ws, skill_id, ref),
    )
    if row is None:
        raise ApiError(404, "not_found_error", f"skill {skill_id!r} has no version {ref!r}")
    return Version(str(row[0]), str(row[1]), loads(row[2]))


def version_count(em: Emulator, ws: str, skill_id: str) -> int:
    row = em.store.one(
        "SELECT COUNT(*) FROM skill_versions WHERE workspace = ? AND skill_id = ?", (ws, skill_id)
    )
    return int(row[0]) if row else 0


def _builtin_skill(skill_id: str) -> Json:
    return {
        "type": "skill",
        "id": skill_id,
        "display_name": skill_id,
        "latest_version_id": LATEST_ANTHROPIC_SKILL,
        "source": {"type": "anthropic"},
        "created_at": _BUILTIN_CREATED,
        "updated_at": _BUILTIN_CREATED,
    }


def _builtin_version(skill_id: str, description: str) -> Json:
    return {
        "type": "skill_version",
        "id": LATEST_ANTHROPIC_SKILL,
        "skill_id": skill_id,
        "name": skill_id,
        "description": description,
        "created_at": _BUILTIN_CREATED,
    }
