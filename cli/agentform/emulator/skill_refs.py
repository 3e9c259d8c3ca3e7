"""Skill references in agents (and session overrides) resolved against real skills.

`{type: custom, skill_id, version?}` must name a skill of the workspace; an omitted,
empty or `latest` version resolves to the skill's `latest_version_id` at save time, and
an explicit one (a version id, or the legacy epoch form) must exist and is kept as sent.
`{type: anthropic, skill_id}` must name an Anthropic-provided skill; its version
defaults to the one the emulator ships, and an explicit version is kept as sent (the
emulator does not know Anthropic's release history). A missing skill or version is a
404 `not_found_error` naming the field, as for a missing roster agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentform.emulator import defaults
from agentform.emulator.errors import ApiError, invalid_request
from agentform.emulator.skill_catalog import BUILTIN_SKILLS, find_skill, find_version
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

_LATEST = (None, "", "latest")


def materialize(
    em: Emulator, ws: str, params: list[Json] | None, field: str = "skills"
) -> list[Json]:
    """The response form of a `skills` list, every version concrete; 404 on a bad reference."""
    skills = defaults.materialize_skills(params, field)
    for index, (param, skill) in enumerate(zip(params or [], skills, strict=True)):
        skill["version"] = _version(em, ws, param, f"{field}.{index}")
    return skills


def _version(em: Emulator, ws: str, param: Json, field: str) -> str:
    skill_id, version = param["skill_id"], param.get("version")
    if param["type"] == "anthropic":
        if skill_id not in BUILTIN_SKILLS:
            raise _missing(f"{field}.skill_id: Anthropic skill {skill_id!r} not found")
        return defaults.LATEST_ANTHROPIC_SKILL if version in _LATEST else str(version)
    try:
        skill = find_skill(em, ws, skill_id)
        if skill.source != "custom":
            raise invalid_request(f"{field}.skill_id: {skill_id!r} is not a custom skill")
        if version in _LATEST:
            return str(skill.body["latest_version_id"])
        find_version(em, ws, skill_id, str(version), legacy=True, latest_ok=False)
    except ApiError as exc:
        if exc.status != 404 or exc.message.startswith(field):
            raise
        raise _missing(f"{field}: {exc.message}") from None
    return str(version)


def _missing(message: str) -> ApiError:
    return ApiError(404, "not_found_error", message)
