"""Agents: create, retrieve (any version), update with version history, list, archive.

Every change to an agent's spec writes a new immutable version (1, 2, 3, ...); an update
that changes nothing returns the current version untouched. `version` in an update body
is an optimistic-concurrency guard: a mismatch is a 409 even when nothing would change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentform.emulator import defaults, multiagent, skill_refs
from agentform.emulator.errors import ApiError, conflict, invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.limits import check_length, check_metadata, patch_metadata
from agentform.emulator.pagination import (
    QueryParams,
    add_time_filters,
    apply_cursor,
    decode_cursor,
    encode_cursor,
    page_json,
)
from agentform.emulator.store import ListQuery
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

SPEC_FIELDS = (
    "name", "description", "system", "model", "execution_identity",
    "tools", "mcp_servers", "skills", "multiagent", "metadata",
)  # fmt: skip
_REPLACED_LISTS = {
    "tools": defaults.materialize_tools,
    "mcp_servers": defaults.materialize_mcp_servers,
}


def create(em: Emulator, ws: str, body: Any) -> str:
    params = validate_body("agent.create", body)
    agent_id = new_id("agent")
    spec = _initial_spec(em, ws, agent_id, params)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    agent = {"type": "agent", "id": agent_id, "version": 1, **spec}
    agent.update(created_at=now, updated_at=now, archived_at=None)
    text = dumps(agent)
    with em.store.transaction() as conn:
        conn.execute(
            "INSERT INTO agents (id, workspace, created_us, version, body) VALUES (?, ?, ?, 1, ?)",
            (agent_id, ws, now_ms * 1000, text),
        )
        conn.execute(
            "INSERT INTO agent_versions (agent_id, version, body) VALUES (?, 1, ?)",
            (agent_id, text),
        )
    return text


def retrieve(em: Emulator, ws: str, agent_id: str, params: QueryParams) -> str:
    version = params.integer("version", default=None, minimum=1, maximum=None)
    archived, current, body = _row(em, ws, agent_id)
    if version is None or version == current:
        return body
    row = em.store.one(
        "SELECT body FROM agent_versions WHERE agent_id = ? AND version = ?", (agent_id, version)
    )
    if row is None:
        raise ApiError(404, "not_found_error", f"agent {agent_id!r} has no version {version}")
    return _with_archived(row[0], loads(body)["archived_at"]) if archived else row[0]


def update(em: Emulator, ws: str, agent_id: str, body: Any) -> str:
    for field in ("name", "model"):
        if isinstance(body, dict) and field in body and body[field] is None:
            raise invalid_request(f"{field}: cannot be cleared; omit it to keep the current value")
    params = validate_body("agent.update", body)
    if params.get("version", 1) < 1:
        raise invalid_request("version: must be at least 1")
    archived, version, text = _row(em, ws, agent_id)
    if archived:
        raise invalid_request(f"agent {agent_id!r} is archived and cannot be updated")
    if "version" in params and params["version"] != version:
        raise conflict(
            f"agent {agent_id!r} is at version {version}, not {params['version']}; "
            "retrieve it and retry the update against the current version"
        )
    current = loads(text)
    spec = _updated_spec(em, ws, current, params)
    if _same_spec(spec, current):
        return text
    return _write_version(em, current, spec)


def archive(em: Emulator, ws: str, agent_id: str) -> str:
    archived, _, text = _row(em, ws, agent_id)
    if archived:
        return text  # archiving twice is harmless and changes nothing
    return em.store.archive("agents", agent_id, text, format_ms(em.clock.now_ms()))


def list_agents(em: Emulator, ws: str, params: QueryParams) -> str:
    limit = params.limit(default=20, maximum=100)
    query = ListQuery(table="agents", workspace=ws, limit=limit)
    if not params.boolean("include_archived"):
        query.where.append("archived = 0")
    add_time_filters(query, params.time_filters(("gte", "lte")))
    apply_cursor(query, params, "asc")
    page = em.store.page(query)
    return page_json(page, "asc", backwards=False, first_page=query.after is None)


def list_versions(em: Emulator, ws: str, agent_id: str, params: QueryParams) -> str:
    limit = params.limit(default=20, maximum=100)
    archived, _, current = _row(em, ws, agent_id)
    token = params.get("page")
    after = decode_cursor(token, "asc").key[0] if token else 0
    rows = em.store.all(
        "SELECT version, body FROM agent_versions WHERE agent_id = ? AND version > ? "
        "ORDER BY version LIMIT ?",
        (agent_id, after, limit + 1),
    )
    more, rows = len(rows) > limit, rows[:limit]
    archived_at = loads(current)["archived_at"] if archived else None
    bodies = [_with_archived(body, archived_at) if archived else body for _, body in rows]
    next_page = dumps(encode_cursor("after", "asc", (rows[-1][0], "")) if more else None)
    return '{"data":[' + ",".join(bodies) + '],"next_page":' + next_page + "}"


def load_version(em: Emulator, agent_id: str, version: int) -> Json:
    row = em.store.one(
        "SELECT body FROM agent_versions WHERE agent_id = ? AND version = ?", (agent_id, version)
    )
    if row is None:
        raise ApiError(404, "not_found_error", f"agent {agent_id!r} has no version {version}")
    return loads(row[0])


def find(em: Emulator, ws: str, agent_id: str) -> tuple[bool, int, str]:
    """(archived, latest version, body) of an agent in this workspace; 404 otherwise."""
    return _row(em, ws, agent_id)


def _row(em: Emulator, ws: str, agent_id: str) -> tuple[bool, int, str]:
    row = em.store.one(
        "SELECT archived, version, body FROM agents WHERE id = ? AND workspace = ?", (agent_id, ws)
    )
    if row is None:
        raise not_found("agent", agent_id)
    return bool(row[0]), int(row[1]), str(row[2])


def _initial_spec(em: Emulator, ws: str, agent_id: str, params: Json) -> Json:
    self_ref = {"type": "agent", "id": agent_id, "version": 1}
    spec: Json = {
        "name": params["name"],
        "description": params.get("description") or None,
        "system": params.get("system") or None,
        "model": defaults.materialize_model(params["model"]),
        "execution_identity": defaults.materialize_identity(params.get("execution_identity")),
        "tools": defaults.materialize_tools(params.get("tools")),
        "mcp_servers": defaults.materialize_mcp_servers(params.get("mcp_servers")),
        "skills": skill_refs.materialize(em, ws, params.get("skills")),
        "multiagent": multiagent.materialize(params.get("multiagent"), _resolver(em, ws), self_ref),
        "metadata": dict(params.get("metadata") or {}),
    }
    return _checked(spec)


def _updated_spec(em: Emulator, ws: str, current: Json, params: Json) -> Json:
    spec = {field: current[field] for field in SPEC_FIELDS}
    if "name" in params:
        spec["name"] = params["name"]
    for field in ("description", "system"):
        if field in params:
            spec[field] = params[field] or None
    if "model" in params:
        spec["model"] = defaults.materialize_model(params["model"], stored=current["model"])
    for field, materialize in _REPLACED_LISTS.items():
        if field in params:
            spec[field] = materialize(params[field])
    if "skills" in params:
        spec["skills"] = skill_refs.materialize(em, ws, params["skills"])
    if "execution_identity" in params:
        spec["execution_identity"] = defaults.materialize_identity(params["execution_identity"])
    if "multiagent" in params:
        self_ref = {"type": "agent", "id": current["id"], "version": current["version"] + 1}
        spec["multiagent"] = multiagent.merge(
            current["multiagent"], params["multiagent"], _resolver(em, ws), self_ref
        )
    if "metadata" in params:
        spec["metadata"] = patch_metadata(current["metadata"], params["metadata"])
    return _checked(spec)


def _checked(spec: Json) -> Json:
    check_length(spec["name"], "name", minimum=1, maximum=256)
    check_length(spec["description"], "description", maximum=2048)
    check_length(spec["system"], "system", maximum=100_000)
    check_metadata(spec["metadata"])
    defaults.check_mcp_references(spec["tools"], spec["mcp_servers"])
    return spec


def _same_spec(spec: Json, current: Json) -> bool:
    agent_id = current["id"]
    for field in SPEC_FIELDS:
        new, old = spec[field], current[field]
        if field == "multiagent":
            new = multiagent.without_self_versions(new, agent_id)
            old = multiagent.without_self_versions(old, agent_id)
        if new != old:
            return False
    return True


def _write_version(em: Emulator, current: Json, spec: Json) -> str:
    version = current["version"] + 1
    agent = {"type": "agent", "id": current["id"], "version": version, **spec}
    agent.update(
        created_at=current["created_at"], updated_at=format_ms(em.clock.now_ms()), archived_at=None
    )
    text = dumps(agent)
    with em.store.transaction() as conn:
        conn.execute(
            "UPDATE agents SET version = ?, body = ? WHERE id = ?", (version, text, current["id"])
        )
        conn.execute(
            "INSERT INTO agent_versions (agent_id, version, body) VALUES (?, ?, ?)",
            (current["id"], version, text),
        )
    return text


def _resolver(em: Emulator, ws: str) -> multiagent.Resolver:
    def resolve(agent_id: str, version: int | None, field: str) -> Json:
        row = em.store.one(
            "SELECT archived, version FROM agents WHERE id = ? AND workspace = ?", (agent_id, ws)
        )
        if row is None:
            raise ApiError(404, "not_found_error", f"{field}: agent {agent_id!r} not found")
        if row[0]:
            raise invalid_request(f"{field}: agent {agent_id!r} is archived")
        pinned = int(row[1]) if version is None else version
        if version is not None and version < 1:
            raise invalid_request(f"{field}.version: must be at least 1")
        if load_version(em, agent_id, pinned)["multiagent"] is not None:
            raise invalid_request(
                f"{field}: agent {agent_id!r} has multiagent set itself (depth limit is 1)"
            )
        return {"type": "agent", "id": agent_id, "version": pinned}

    return resolve


def _with_archived(body: str, archived_at: str | None) -> str:
    agent = loads(body)
    agent["archived_at"] = archived_at
    return dumps(agent)
