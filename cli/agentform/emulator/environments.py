"""Environments: create, retrieve, update in place (no versions), list, delete, archive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentform.emulator.env_config import materialize_config, update_config
from agentform.emulator.errors import conflict, invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.limits import check_length, check_metadata, patch_metadata
from agentform.emulator.pagination import QueryParams, apply_cursor, page_json
from agentform.emulator.store import ListQuery
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator


def create(em: Emulator, ws: str, body: Any) -> str:
    params = validate_body("environment.create", body)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    env: Json = {
        "type": "environment",
        "id": new_id("env"),
        "name": params["name"],
        "description": params.get("description"),
        "scope": _scope(params.get("scope")) or "organization",
        "config": materialize_config(params.get("config")),
        "metadata": dict(params.get("metadata") or {}),
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }
    text = dumps(_checked(env))
    with em.store.transaction() as conn:
        conn.execute(
            "INSERT INTO environments (id, workspace, created_us, body) VALUES (?, ?, ?, ?)",
            (env["id"], ws, now_ms * 1000, text),
        )
    return text


def retrieve(em: Emulator, ws: str, env_id: str) -> str:
    return _row(em, ws, env_id)[1]


def update(em: Emulator, ws: str, env_id: str, body: Any) -> str:
    params = validate_body("environment.update", body)
    archived, text = _row(em, ws, env_id)
    if archived:
        raise invalid_request(
            f"environment {env_id!r} is archived and cannot be updated",
            error_code="environment_archived",
        )
    current = loads(text)
    env = _patched(current, params)
    if env == current:
        return text
    env["updated_at"] = format_ms(em.clock.now_ms())
    text = dumps(_checked(env))
    with em.store.transaction() as conn:
        conn.execute("UPDATE environments SET body = ? WHERE id = ?", (text, env_id))
    return text


def archive(em: Emulator, ws: str, env_id: str) -> str:
    archived, text = _row(em, ws, env_id)
    if archived:
        return text  # archiving twice is harmless and changes nothing
    return em.store.archive("environments", env_id, text, format_ms(em.clock.now_ms()))


def delete(em: Emulator, ws: str, env_id: str) -> str:
    _row(em, ws, env_id)
    with em.store.transaction() as conn:
        used = conn.execute(
            "SELECT COUNT(*) FROM sessions WHERE environment_id = ?", (env_id,)
        ).fetchone()[0]
        if used:
            raise conflict(
                f"environment {env_id!r} is used by {used} session(s); delete them first "
                "or archive the environment instead",
                error_type="invalid_request_error",
            )
        conn.execute("DELETE FROM environments WHERE id = ?", (env_id,))
    return dumps({"id": env_id, "type": "environment_deleted"})


def list_environments(em: Emulator, ws: str, params: QueryParams) -> str:
    limit = params.limit(default=20, maximum=1000)
    query = ListQuery(table="environments", workspace=ws, limit=limit)
    if not params.boolean("include_archived"):
        query.where.append("archived = 0")
    apply_cursor(query, params, "asc")
    page = em.store.page(query)
    return page_json(page, "asc", backwards=False, first_page=query.after is None)


def find(em: Emulator, ws: str, env_id: str) -> tuple[bool, str]:
    """(archived, body) of an environment in this workspace; 404 `environment_not_found`."""
    return _row(em, ws, env_id)


def _row(em: Emulator, ws: str, env_id: str) -> tuple[bool, str]:
    row = em.store.one(
        "SELECT archived, body FROM environments WHERE id = ? AND workspace = ?", (env_id, ws)
    )
    if row is None:
        raise not_found("environment", env_id, error_code="environment_not_found")
    return bool(row[0]), str(row[1])


def _patched(current: Json, params: Json) -> Json:
    env = dict(current)
    if params.get("name") is not None:  # the SDK allows null; it cannot clear a name
        env["name"] = params["name"]
    if "description" in params:
        env["description"] = params["description"]
    if params.get("scope") is not None:
        env["scope"] = _scope(params["scope"])
    if "config" in params:
        env["config"] = update_config(current["config"], params["config"])
    if "metadata" in params:
        env["metadata"] = patch_metadata(
            current["metadata"], params["metadata"], empty_deletes=True
        )
    return env


def _scope(scope: str | None) -> str | None:
    if scope == "account":
        raise invalid_request(
            "scope: 'account' is not supported for API organizations; use 'organization'"
        )
    return scope


def _checked(env: Json) -> Json:
    check_length(env["name"], "name", minimum=1, maximum=256)
    check_length(env["description"], "description", maximum=1024)
    check_metadata(env["metadata"])
    return env
