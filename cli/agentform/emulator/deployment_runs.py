"""Deployment runs: one record per attempt to start a session from a deployment.

`POST /v1/deployments/{id}/run` fires manually (allowed while paused, not once archived).
Scheduled fires come from the emulator's admin API (`POST /_emulator/deployments/{id}/
fire`), which plays the schedule's next occurrence: the emulator does not fire on the
wall clock. A fire first checks what the deployment references; if something is gone
the run records the error (`agent_archived_error`, `environment_not_found_error`,
`vault_archived_error`, ...) instead of a session, and a failed scheduled fire pauses
the deployment with `paused_reason: {type: error, error: {type}}` (rate-limit and
rejection errors excepted, as in the SDK's paused-reason union). A successful fire
creates a session carrying `deployment_id`, with the deployment's pinned agent
version, environment, vaults, resources and budget, and sends its initial events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentform.emulator import deployment_parts as parts
from agentform.emulator import deployments, environments, events, schedules, sessions
from agentform.emulator.errors import ApiError, invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.pagination import QueryParams, add_time_filters, apply_cursor, page_json
from agentform.emulator.skill_catalog import find_version
from agentform.emulator.store import ListQuery
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

TABLE = "deployment_runs"
_NO_AUTO_PAUSE = ("session_rate_limited_error", "session_creation_rejected_error")
_TRIGGERS = ("schedule", "manual")


def run(em: Emulator, ws: str, deployment_id: str) -> str:
    deployment = deployments.find_active(em, ws, deployment_id)
    return dumps(_fire(em, ws, deployment, {"type": "manual"}, scheduled_ms=None))


def fire_scheduled(em: Emulator, ws: str, deployment_id: str) -> Json:
    """Play the schedule's next occurrence now (the admin API's stand-in for the clock)."""
    deployment = deployments.find_active(em, ws, deployment_id)
    if deployment["schedule"] is None:
        raise invalid_request(f"deployment {deployment_id!r} has no schedule")
    if deployment["status"] == "paused":
        raise invalid_request(
            f"deployment {deployment_id!r} is paused; scheduled fires are suppressed"
        )
    after_ms = max(parts.schedule_state(em, deployment_id)[0], em.clock.now_ms())
    scheduled_ms = schedules.next_fire_ms(deployment["schedule"], after_ms=after_ms)
    trigger = {"type": "schedule", "scheduled_at": format_ms(scheduled_ms)}
    record = _fire(em, ws, deployment, trigger, scheduled_ms=scheduled_ms)
    error = record["error"]
    if error is not None and error["type"] not in _NO_AUTO_PAUSE:
        reason = {"type": "error", "error": {"type": error["type"]}}
        deployments.pause(em, ws, deployment_id, reason=reason)
    return record


def retrieve(em: Emulator, ws: str, run_id: str) -> str:
    row = em.store.one(
        "SELECT body FROM deployment_runs WHERE id = ? AND workspace = ?", (run_id, ws)
    )
    if row is None:
        raise not_found("deployment run", run_id)
    return str(row[0])


def list_runs(em: Emulator, ws: str, params: QueryParams) -> str:
    """Newest first, filtered by deployment, trigger type, error and creation time."""
    limit = params.limit(default=20, maximum=1000)
    query = ListQuery(table=TABLE, workspace=ws, limit=limit, descending=True)
    deployment_id = params.get("deployment_id")
    if deployment_id is not None:
        query.where.append("deployment_id = ?")
        query.params.append(deployment_id)
    if params.get("has_error") is not None:
        query.where.append("has_error = ?")
        query.params.append(int(params.boolean("has_error")))
    trigger = params.get("trigger_type")
    if trigger is not None:
        query.where.append("trigger_type = ?")
        query.params.append(params.choice("trigger_type", _TRIGGERS, default="manual"))
    add_time_filters(query, params.time_filters(("gt", "gte", "lt", "lte")))
    apply_cursor(query, params, "desc")
    page = em.store.page(query)
    return page_json(page, "desc", backwards=False, first_page=query.after is None)


def _fire(em: Emulator, ws: str, deployment: Json, trigger: Json, scheduled_ms: int | None) -> Json:
    error = _fire_error(em, ws, deployment)
    session_id = None
    if error is None:
        try:
            session_id = _start_session(em, ws, deployment)
        except ApiError as exc:
            error = {"type": "session_creation_rejected_error", "message": exc.message}
    now_ms = em.clock.now_ms()
    record: Json = {
        "type": "deployment_run",
        "id": new_id("drun"),
        "deployment_id": deployment["id"],
        "agent": deployment["agent"],
        "trigger_context": trigger,
        "session_id": session_id,
        "error": error,
        "created_at": format_ms(now_ms),
    }
    scheduled_us = None if scheduled_ms is None else scheduled_ms * 1000
    with em.store.transaction() as conn:
        conn.execute(
            "INSERT INTO deployment_runs (id, workspace, created_us, deployment_id, trigger_type, "
            "has_error, scheduled_us, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (record["id"], ws, now_ms * 1000, deployment["id"], trigger["type"],
             int(error is not None), scheduled_us, dumps(record)),
        )  # fmt: skip
    return record


def _fire_error(em: Emulator, ws: str, deployment: Json) -> Json | None:
    """Why this deployment cannot start a session now, as a run error; None if it can."""
    for check in (_agent_error, _environment_error, _vault_error, _store_error, _skill_error):
        error = check(em, ws, deployment)
        if error is not None:
            return error
    return None


def _agent_error(em: Emulator, ws: str, deployment: Json) -> Json | None:
    agent_id = deployment["agent"]["id"]
    row = em.store.one("SELECT archived FROM agents WHERE id = ? AND workspace = ?", (agent_id, ws))
    if row is None or row[0]:
        return _error("agent_archived_error", f"agent `{agent_id}` is archived")
    return None


def _environment_error(em: Emulator, ws: str, deployment: Json) -> Json | None:
    env_id = deployment["environment_id"]
    row = em.store.one(
        "SELECT archived FROM environments WHERE id = ? AND workspace = ?", (env_id, ws)
    )
    if row is None:
        return _error("environment_not_found_error", f"environment `{env_id}` was not found")
    if row[0]:
        return _error("environment_archived_error", f"environment `{env_id}` is archived")
    return None


def _vault_error(em: Emulator, ws: str, deployment: Json) -> Json | None:
    for vault_id in deployment["vault_ids"]:
        row = em.store.one(
            "SELECT archived FROM vaults WHERE id = ? AND workspace = ?", (vault_id, ws)
        )
        if row is None:
            return _error("vault_not_found_error", f"vault `{vault_id}` was not found")
        if row[0]:
            return _error("vault_archived_error", f"vault `{vault_id}` is archived")
    return None


def _store_error(em: Emulator, ws: str, deployment: Json) -> Json | None:
    for resource in deployment["resources"]:
        if resource["type"] != "memory_store":
            continue
        store_id = resource["memory_store_id"]
        row = em.store.one(
            "SELECT archived FROM memory_stores WHERE id = ? AND workspace = ?", (store_id, ws)
        )
        if row is None:
            return _error(
                "session_resource_not_found_error", f"memory store `{store_id}` was not found"
            )
        if row[0]:
            return _error("memory_store_archived_error", f"memory store `{store_id}` is archived")
    return None


def _skill_error(em: Emulator, ws: str, deployment: Json) -> Json | None:
    ref = deployment["agent"]
    row = em.store.one(
        "SELECT body FROM agent_versions WHERE agent_id = ? AND version = ?",
        (ref["id"], ref["version"]),
    )
    for skill in loads(row[0])["skills"] if row else []:
        if skill["type"] != "custom":
            continue
        try:
            find_version(em, ws, skill["skill_id"], skill["version"], legacy=True, latest_ok=False)
        except ApiError:
            return _error(
                "skill_not_found_error",
                f"skill `{skill['skill_id']}` version `{skill['version']}` was not found",
            )
    return None


def _start_session(em: Emulator, ws: str, deployment: Json) -> str:
    body: Json = {
        "agent": deployment["agent"],
        "environment_id": deployment["environment_id"],
        "vault_ids": deployment["vault_ids"],
        "resources": deployments.raw_resources(em, deployment["id"]),
    }
    if deployment.get("budget") is not None:
        body["budget"] = deployment["budget"]
    session = loads(sessions.create(em, ws, body, deployment_id=deployment["id"]))
    _, env_text = environments.find(em, ws, deployment["environment_id"])
    self_hosted = loads(env_text)["config"]["type"] == "self_hosted"
    initial = deployment["initial_events"]
    em.runner.submit(
        session["id"], events.accept(em, session["id"], initial, self_hosted=self_hosted)
    )
    return str(session["id"])


def _error(kind: str, message: str) -> Json:
    return {"type": kind, "message": message}
