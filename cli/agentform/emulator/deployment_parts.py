"""What a deployment is made of, checked: its agent reference, environment, vaults,
resources, initial events and schedule; and how it renders.

An `agent` given as an id string (or as `{type: agent, id}` without a version) pins the
agent's latest version at that moment; `{type: agent, id, version}` pins that version.
Resources are echoed without their write-only `authorization_token`, which is kept
privately for the sessions the deployment creates. The schedule's `upcoming_runs_at`
and `last_run_at` are computed when the deployment is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentform.emulator import agents, environments, memory_stores, schedules, vaults
from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms
from agentform.emulator.limits import check_length
from agentform.emulator.session_parts import check_budget
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

MAX_RESOURCES = 500
MAX_VAULTS = 50
MAX_INITIAL_EVENTS = 50
_REPLY_EVENTS = ("user.message",)


def resolve_agent(em: Emulator, ws: str, ref: str | Json) -> Json:
    """`{type: agent, id, version}` for the agent a deployment runs (404 / 400 if unusable)."""
    agent_id = ref if isinstance(ref, str) else ref["id"]
    version = None if isinstance(ref, str) else ref.get("version")
    if version is not None and version < 1:
        raise invalid_request("agent.version: must be at least 1")
    archived, latest, _ = agents.find(em, ws, agent_id)
    if archived:
        raise invalid_request(f"agent: agent {agent_id!r} is archived")
    if version is not None:
        agents.load_version(em, agent_id, version)
    return {"type": "agent", "id": agent_id, "version": version or latest}


def check_environment(em: Emulator, ws: str, env_id: str) -> None:
    archived, _ = environments.find(em, ws, env_id)
    if archived:
        raise invalid_request(
            f"environment_id: environment {env_id!r} is archived",
            error_code="environment_archived",
        )


def check_vaults(em: Emulator, ws: str, vault_ids: list[str]) -> list[str]:
    check_length(vault_ids, "vault_ids", maximum=MAX_VAULTS)
    vaults.check_usable(em, ws, vault_ids, "vault_ids")
    return vault_ids


def public_resources(em: Emulator, ws: str, params: list[Json]) -> list[Json]:
    """The echoed resource configs (no write-only tokens); 404 / 400 on bad memory stores."""
    check_length(params, "resources", maximum=MAX_RESOURCES)
    memory_stores.check_resources(em, ws, params, "resources")
    return [_resource_config(p) for p in params]


def check_initial_events(events: list[Json], field: str = "initial_events") -> list[Json]:
    check_length(events, field, minimum=1, maximum=MAX_INITIAL_EVENTS)
    for index, event in enumerate(events):
        if event["type"] != "system.message":
            continue
        follows = index > 0 and events[index - 1]["type"] in _REPLY_EVENTS
        if index != len(events) - 1 or not follows:
            raise invalid_request(
                f"{field}.{index}: a system.message must be the last event and directly "
                "follow a user.message"
            )
    return events


def check_schedule(schedule: Json | None, now_ms: int) -> Json | None:
    if schedule is None:
        return None
    schedules.checked(schedule, now_ms)
    return {"type": "cron", "expression": schedule["expression"], "timezone": schedule["timezone"]}


def check_spec(deployment: Json) -> Json:
    check_length(deployment["name"], "name", minimum=1, maximum=256)
    check_length(deployment["description"], "description", maximum=2048)
    check_budget(deployment.get("budget"))
    return deployment


def render(em: Emulator, body: str) -> str:
    """A stored deployment as served: its schedule with run times computed now."""
    deployment = loads(body)
    schedule = deployment["schedule"]
    if schedule is None:
        return body
    anchor, last_run_at = schedule_state(em, deployment["id"])
    runs: list[str] = []
    if deployment["archived_at"] is None:
        runs = schedules.upcoming_stamps(schedule, after_ms=max(anchor, em.clock.now_ms()))
    deployment["schedule"] = {**schedule, "last_run_at": last_run_at, "upcoming_runs_at": runs}
    return dumps(deployment)


def schedule_state(em: Emulator, deployment_id: str) -> tuple[int, str | None]:
    """(ms of the latest scheduled fire, `created_at` of the latest successful one)."""
    row = em.store.one(
        "SELECT MAX(scheduled_us), MAX(CASE WHEN has_error = 0 THEN created_us END) "
        "FROM deployment_runs WHERE deployment_id = ? AND trigger_type = 'schedule'",
        (deployment_id,),
    )
    if row is None:
        return 0, None
    anchor = 0 if row[0] is None else int(row[0]) // 1000
    return anchor, None if row[1] is None else format_ms(int(row[1]) // 1000)


def _resource_config(param: Json) -> Json:
    kind = param["type"]
    if kind == "github_repository":
        return {"type": kind, "url": param["url"], "checkout": param.get("checkout"),
                "mount_path": param.get("mount_path")}  # fmt: skip
    if kind == "file":
        return {"type": kind, "file_id": param["file_id"], "mount_path": param.get("mount_path")}
    check_length(param.get("instructions"), "resources.instructions", maximum=4096)
    return {"type": kind, "memory_store_id": param["memory_store_id"],
            "access": param.get("access"), "instructions": param.get("instructions")}  # fmt: skip
