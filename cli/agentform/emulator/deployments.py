"""Deployments: an agent version bound to an environment, vaults, resources, initial
events and an optional cron schedule. Create, retrieve, update, list, archive, pause,
unpause; runs live in `deployment_runs.py`, the parts in `deployment_parts.py`.

Update follows the SDK docstrings: `agent`, `environment_id`, `initial_events` and
`name` cannot be cleared (null is a 400); `description` `""` or null clears it;
`resources`, `vault_ids`, `schedule` and `budget` are full replacements that null (or
`[]`) clears; `metadata` is a patch. An `agent` id string re-pins the latest version.
An update that changes nothing returns the deployment unchanged. An archived deployment
is read-only and reports `status: active` with `archived_at` set.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from agentform.emulator import deployment_parts as parts
from agentform.emulator import records
from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.limits import check_metadata, patch_metadata
from agentform.emulator.pagination import QueryParams
from agentform.emulator.validation import validate_body
from agentform.emulator.wire import Json, dumps

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

TABLE = "deployments"
_NOT_CLEARABLE = ("agent", "environment_id", "initial_events", "name")
_STATUSES = ("active", "paused")


def create(em: Emulator, ws: str, body: Any) -> str:
    params = validate_body("deployment.create", body)
    now_ms = em.clock.now_ms()
    now = format_ms(now_ms)
    parts.check_environment(em, ws, params["environment_id"])
    raw_resources = list(params.get("resources") or [])
    deployment: Json = {
        "type": "deployment",
        "id": new_id("depl"),
        "name": params["name"],
        "description": params.get("description") or None,
        "agent": parts.resolve_agent(em, ws, params["agent"]),
        "environment_id": params["environment_id"],
        "initial_events": parts.check_initial_events(list(params["initial_events"])),
        "resources": parts.public_resources(em, ws, raw_resources),
        "vault_ids": parts.check_vaults(em, ws, list(params.get("vault_ids") or [])),
        "schedule": parts.check_schedule(params.get("schedule"), now_ms),
        "metadata": dict(params.get("metadata") or {}),
        "budget": params.get("budget"),
        "status": "active",
        "paused_reason": None,
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
    }
    check_metadata(deployment["metadata"])
    records.insert(em, TABLE, ws, parts.check_spec(deployment), now_ms, status="active",
                   agent_id=deployment["agent"]["id"], secrets=dumps(raw_resources))  # fmt: skip
    return parts.render(em, dumps(deployment))


def retrieve(em: Emulator, ws: str, deployment_id: str) -> str:
    return parts.render(em, dumps(find(em, ws, deployment_id)[1]))


def update(em: Emulator, ws: str, deployment_id: str, body: Any) -> str:
    for field in _NOT_CLEARABLE:
        if isinstance(body, dict) and field in body and body[field] is None:
            raise invalid_request(f"{field}: cannot be cleared; omit it to keep the current value")
    params = validate_body("deployment.update", body)
    current = find_active(em, ws, deployment_id)
    deployment, raw = _patched(em, ws, current, params)
    if deployment == current and raw is None:
        return parts.render(em, dumps(current))
    changed = records.touch(em, parts.check_spec(deployment))
    extra = {} if raw is None else {"secrets": dumps(raw)}
    text = records.save(em, TABLE, changed, agent_id=changed["agent"]["id"], **extra)
    return parts.render(em, text)


def list_deployments(em: Emulator, ws: str, params: QueryParams) -> str:
    status = params.get("status")
    where, values = [], []
    if status is not None:
        if status not in _STATUSES:
            raise invalid_request("status: Input should be 'active' or 'paused'")
        if params.get("include_archived") is not None and params.boolean("include_archived"):
            raise invalid_request("status: cannot be combined with include_archived")
        where, values = ["status = ?"], [status]
    agent_id = params.get("agent_id")
    if agent_id is not None:
        where, values = [*where, "agent_id = ?"], [*values, agent_id]
    listing = records.Listing(table=TABLE, maximum=100, where=where, params=values,
                              time_operators=("gte", "lte"))  # fmt: skip
    return records.list_page(em, ws, params, listing, render=lambda body: parts.render(em, body))


def archive(em: Emulator, ws: str, deployment_id: str) -> str:
    archived, deployment = find(em, ws, deployment_id)
    if not archived:
        stamp = format_ms(em.clock.now_ms())
        deployment.update(status="active", paused_reason=None, archived_at=stamp, updated_at=stamp)
        records.save(em, TABLE, deployment, archived=1, status="active")
    return parts.render(em, dumps(deployment))


def pause(em: Emulator, ws: str, deployment_id: str, reason: Json | None = None) -> str:
    """Pause (`reason` defaults to manual); pausing a paused deployment changes nothing."""
    deployment = find_active(em, ws, deployment_id)
    if deployment["status"] != "paused":
        deployment.update(status="paused", paused_reason=reason or {"type": "manual"})
        records.save(em, TABLE, records.touch(em, deployment), status="paused")
    return parts.render(em, dumps(deployment))


def unpause(em: Emulator, ws: str, deployment_id: str) -> str:
    deployment = find_active(em, ws, deployment_id)
    if deployment["status"] != "active":
        deployment.update(status="active", paused_reason=None)
        records.save(em, TABLE, records.touch(em, deployment), status="active")
    return parts.render(em, dumps(deployment))


def find(em: Emulator, ws: str, deployment_id: str) -> tuple[bool, Json]:
    return records.fetch(em, TABLE, ws, deployment_id, "deployment")


def find_active(em: Emulator, ws: str, deployment_id: str) -> Json:
    """An unarchived deployment (400 if archived: archiving is terminal)."""
    archived, deployment = find(em, ws, deployment_id)
    if archived:
        raise invalid_request(f"deployment {deployment_id!r} is archived and cannot be changed")
    return deployment


def raw_resources(em: Emulator, deployment_id: str) -> list[Json]:
    """The resources as sent, write-only tokens included (for the sessions it creates)."""
    row = em.store.one("SELECT secrets FROM deployments WHERE id = ?", (deployment_id,))
    resources: list[Json] = [] if row is None else json.loads(row[0])
    return resources


def _patched(em: Emulator, ws: str, current: Json, params: Json) -> tuple[Json, list[Json] | None]:
    """The updated deployment, and the new raw resources when they were replaced."""
    deployment = dict(current)
    if "agent" in params:
        deployment["agent"] = parts.resolve_agent(em, ws, params["agent"])
    if "environment_id" in params:
        parts.check_environment(em, ws, params["environment_id"])
        deployment["environment_id"] = params["environment_id"]
    for field in ("name", "budget"):
        if field in params:
            deployment[field] = params[field]
    if "description" in params:
        deployment["description"] = params["description"] or None
    if "initial_events" in params:
        deployment["initial_events"] = parts.check_initial_events(list(params["initial_events"]))
    if "vault_ids" in params:
        deployment["vault_ids"] = parts.check_vaults(em, ws, list(params["vault_ids"] or []))
    if "schedule" in params:
        deployment["schedule"] = parts.check_schedule(params["schedule"], em.clock.now_ms())
    if "metadata" in params:
        deployment["metadata"] = patch_metadata(current["metadata"], params["metadata"])
        check_metadata(deployment["metadata"])
    raw = None
    if "resources" in params:
        raw = list(params["resources"] or [])
        deployment["resources"] = parts.public_resources(em, ws, raw)
        raw = None if raw == raw_resources(em, current["id"]) else raw
    return deployment, raw
