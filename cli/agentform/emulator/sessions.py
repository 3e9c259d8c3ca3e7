"""Sessions: create (pinned to an agent version), retrieve, list, update, archive, delete,
plus sending and listing their events. Turns themselves run in `runner.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agentform.emulator import agents, environments, events, session_refs
from agentform.emulator.errors import invalid_request, not_found
from agentform.emulator.file_resources import check_file_resources
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.limits import check_length, check_metadata, patch_metadata
from agentform.emulator.pagination import QueryParams, add_time_filters, apply_cursor, page_json
from agentform.emulator.session_parts import (
    agent_snapshot,
    check_budget,
    materialize_resources,
    update_snapshot,
)
from agentform.emulator.store import ListQuery
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

_STATUSES = ("rescheduling", "running", "idle", "terminated")
_HAS_MEMORY_STORE = (
    "EXISTS (SELECT 1 FROM json_each(body, '$.resources') "
    "WHERE json_extract(value, '$.memory_store_id') = ?)"
)


class SessionGoneError(Exception):
    """The session was deleted while something was still working on it."""


def create(em: Emulator, ws: str, body: Any, *, deployment_id: str | None = None) -> str:
    params = validate_body("session.create", body)
    agent = _pinned_agent(em, ws, params["agent"])
    env_archived, env_text = environments.find(em, ws, params["environment_id"])
    if env_archived:
        raise invalid_request(
            f"environment {params['environment_id']!r} is archived; new sessions cannot use it",
            error_code="environment_archived",
        )
    check_file_resources(em, ws, params.get("resources") or [])
    now_ms = em.clock.now_ms()
    session = _new_session(em, params, agent, format_ms(now_ms))
    session_refs.apply(em, ws, params, session)
    session["deployment_id"] = deployment_id
    with em.store.transaction() as conn:
        conn.execute(
            "INSERT INTO sessions (id, workspace, created_us, status, agent_id, agent_version, "
            "environment_id, body) VALUES (?, ?, ?, 'idle', ?, ?, ?, ?)",
            (session["id"], ws, now_ms * 1000, agent["id"], agent["version"],
             params["environment_id"], dumps(session)),
        )  # fmt: skip
    initial = params.get("initial_events") or []
    if initial:
        self_hosted = loads(env_text)["config"]["type"] == "self_hosted"
        em.runner.submit(
            session["id"], events.accept(em, session["id"], initial, self_hosted=self_hosted)
        )
    return dumps(session)


def retrieve(em: Emulator, ws: str, session_id: str) -> str:
    return _row(em, ws, session_id)[1]


def update(em: Emulator, ws: str, session_id: str, body: Any) -> str:
    params = validate_body("session.update", body)
    archived, text = _row(em, ws, session_id)
    if archived:
        raise invalid_request(f"session {session_id!r} is archived and read-only")
    if "vault_ids" in params:
        raise invalid_request("vault_ids: updating vault_ids is not yet supported")
    current = loads(text)
    session = _patched(current, params)
    if session == current:
        return text
    return dumps(mutate(em, session_id, lambda s: s.update(session)))


def archive(em: Emulator, ws: str, session_id: str) -> str:
    """Archive an idle (or terminated) session: it becomes read-only and its streams end."""
    archived, text = _row(em, ws, session_id)
    if archived:
        return text
    if loads(text)["status"] == "running" or em.runner.busy(session_id):
        raise invalid_request(
            f"session {session_id!r} cannot be archived while its status is running; "
            "interrupt it or wait until it is idle"
        )
    stamp = format_ms(em.clock.now_ms())
    session = mutate(em, session_id, lambda s: s.update(archived_at=stamp), archive=True)
    em.hub.close_session(session_id)  # an archived session never emits another event
    return dumps(session)


def delete(em: Emulator, ws: str, session_id: str) -> str:
    _, text = _row(em, ws, session_id)
    if loads(text)["status"] == "running":
        raise invalid_request(f"session {session_id!r} is running; interrupt it before deleting it")
    em.runner.forget(session_id)
    with em.store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        conn.execute("DELETE FROM events WHERE session_id = ?", (session_id,))
    deleted = {
        "type": "session.deleted",
        "id": new_id("sevt"),
        "processed_at": format_ms(em.clock.now_ms()),
    }
    em.hub.publish(session_id, deleted)
    em.hub.close_session(session_id)
    return dumps({"id": session_id, "type": "session_deleted"})


def list_sessions(em: Emulator, ws: str, params: QueryParams) -> str:
    limit = params.limit(default=20, maximum=100)
    order = params.choice("order", ("asc", "desc"), default="desc")
    query = ListQuery(table="sessions", workspace=ws, limit=limit, descending=order == "desc")
    _add_filters(query, params)
    apply_cursor(query, params, order)
    page = em.store.page(query)
    backwards = query.before is not None
    first = query.after is None and not backwards
    return page_json(page, order, backwards=backwards, first_page=first, with_prev=True)


def send_events(em: Emulator, ws: str, session_id: str, body: Any) -> str:
    params = validate_body("events.send", body)
    archived, text = _row(em, ws, session_id)
    session = loads(text)
    if archived or session["status"] == "terminated":
        raise invalid_request(
            f"session {session_id!r} is {'archived' if archived else 'terminated'}"
        )
    env_row = em.store.one(
        "SELECT body FROM environments WHERE id = ?", (session["environment_id"],)
    )
    self_hosted = env_row is not None and loads(env_row[0])["config"]["type"] == "self_hosted"
    echoes = events.accept(em, session_id, params["events"], self_hosted=self_hosted)
    em.runner.submit(session_id, echoes)
    return dumps({"data": echoes})


def list_events(em: Emulator, ws: str, session_id: str, params: QueryParams) -> str:
    _row(em, ws, session_id)
    return events.list_page(em, session_id, params)


def find(em: Emulator, ws: str, session_id: str) -> Json:
    """The stored session (404 if it is not in this workspace)."""
    return loads(_row(em, ws, session_id)[1])


def find_status(em: Emulator, session_id: str) -> str | None:
    row = em.store.one("SELECT status FROM sessions WHERE id = ?", (session_id,))
    return None if row is None else str(row[0])


def mutate(
    em: Emulator, session_id: str, change: Callable[[Json], None], *, archive: bool = False
) -> Json:
    """Apply `change` to the stored session, stamp `updated_at`, and save it."""
    row = em.store.one("SELECT body FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        raise SessionGoneError(session_id)
    session = loads(row[0])
    change(session)
    session["updated_at"] = format_ms(em.clock.now_ms())
    with em.store.transaction() as conn:
        conn.execute(
            "UPDATE sessions SET status = ?, archived = archived OR ?, body = ? WHERE id = ?",
            (session["status"], int(archive), dumps(session), session_id),
        )
    return session


def _row(em: Emulator, ws: str, session_id: str) -> tuple[bool, str]:
    row = em.store.one(
        "SELECT archived, body FROM sessions WHERE id = ? AND workspace = ?", (session_id, ws)
    )
    if row is None:
        raise not_found("session", session_id)
    return bool(row[0]), str(row[1])


def _pinned_agent(em: Emulator, ws: str, ref: str | Json) -> Json:
    """The agent version the session runs, with any per-session overrides applied."""
    agent_id = ref if isinstance(ref, str) else ref["id"]
    version = None if isinstance(ref, str) else ref.get("version")
    if version is not None and version < 1:
        raise invalid_request("agent.version: must be at least 1")
    archived, latest, _ = agents.find(em, ws, agent_id)
    if archived:
        raise invalid_request(f"agent {agent_id!r} is archived; new sessions cannot use it")
    stored = agents.load_version(em, agent_id, version or latest)
    overrides = ref if isinstance(ref, dict) and ref["type"] == "agent_with_overrides" else None
    return agent_snapshot(stored, lambda i, v: agents.load_version(em, i, v), overrides)


def _new_session(em: Emulator, params: Json, agent: Json, now: str) -> Json:
    title, metadata = params.get("title"), dict(params.get("metadata") or {})
    check_length(title, "title", maximum=500)
    check_metadata(metadata)
    check_length(params.get("initial_events"), "initial_events", maximum=50)
    check_budget(params.get("budget"))
    return {
        "type": "session",
        "id": new_id("sesn"),
        "status": "idle",
        "title": title,
        "environment_id": params["environment_id"],
        "agent": agent,
        "resources": materialize_resources(params.get("resources") or [], now),
        "vault_ids": list(params.get("vault_ids") or []),
        "metadata": metadata,
        "outcome_evaluations": [],
        "usage": {"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0},
        "stats": {"duration_seconds": 0.0, "active_seconds": 0.0},
        "budget": params.get("budget"),
        "deployment_id": None,
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }


def _patched(current: Json, params: Json) -> Json:
    session = dict(current)
    if "title" in params:
        check_length(params["title"], "title", minimum=1, maximum=500)
        session["title"] = params["title"]
    if "metadata" in params:
        session["metadata"] = patch_metadata(current["metadata"], params["metadata"])
        check_metadata(session["metadata"])
    if "budget" in params:
        if current["budget"] is None and params["budget"] is not None:
            raise invalid_request("budget: a budget can only be set when the session is created")
        check_budget(params["budget"])
        session["budget"] = params["budget"]
    if "agent" in params:
        if current["status"] == "running":
            raise invalid_request("agent: the session is running; wait until it is idle")
        session["agent"] = update_snapshot(current["agent"], params["agent"])
    return session


def _add_filters(query: ListQuery, params: QueryParams) -> None:
    if not params.boolean("include_archived"):
        query.where.append("archived = 0")
    agent_id, version = (
        params.get("agent_id"),
        params.integer("agent_version", default=None, minimum=1, maximum=None),
    )
    if version is not None and agent_id is None:
        raise invalid_request("agent_version: only allowed together with agent_id")
    for column, value in (("agent_id", agent_id), ("agent_version", version)):
        if value is not None:
            query.where.append(f"{column} = ?")
            query.params.append(value)
    statuses = params.values("statuses")
    for status in statuses:
        if status not in _STATUSES:
            raise invalid_request(f"statuses: Input should be {', '.join(map(repr, _STATUSES))}")
    if statuses:
        query.where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        query.params.extend(statuses)
    memory_store_id = params.get("memory_store_id")
    if memory_store_id is not None:
        query.where.append(_HAS_MEMORY_STORE)
        query.params.append(memory_store_id)
    deployment_id = params.get("deployment_id")
    if deployment_id is not None:
        query.where.append("json_extract(body, '$.deployment_id') IS ?")
        query.params.append(deployment_id)
    add_time_filters(query, params.time_filters(("gt", "gte", "lt", "lte")))
