"""What a session is made of: the agent snapshot (with overrides), resources, budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentform.emulator import defaults, multiagent
from agentform.emulator.errors import invalid_request
from agentform.emulator.file_resources import file_mount_path
from agentform.emulator.ids import new_id
from agentform.emulator.limits import check_length
from agentform.emulator.wire import Json

_OVERRIDES: dict[str, Callable[[Any], Any]] = {
    "tools": lambda v: defaults.materialize_tools(v, "agent.tools"),
    "mcp_servers": lambda v: defaults.materialize_mcp_servers(v, "agent.mcp_servers"),
    "skills": lambda v: defaults.materialize_skills(v, "agent.skills"),
    "system": lambda v: v or None,
}


def agent_snapshot(agent: Json, load: multiagent.VersionLoader, overrides: Json | None) -> Json:
    """The session's `agent`: that version's definition, multiagent expanded, overrides applied."""
    snapshot = multiagent.thread_agent(agent)
    for field, materialize in _OVERRIDES.items():
        if overrides is not None and field in overrides:
            snapshot[field] = materialize(overrides[field])
    if overrides is not None and "model" in overrides:
        snapshot["model"] = defaults.materialize_model(overrides["model"], field="agent.model")
    check_length(snapshot["system"], "agent.system", maximum=100_000)
    defaults.check_mcp_references(snapshot["tools"], snapshot["mcp_servers"], field="agent.")
    snapshot["multiagent"] = multiagent.expand_for_session(agent.get("multiagent"), load)
    return snapshot


def update_snapshot(snapshot: Json, param: Json) -> Json:
    """A mid-session `agent` update: `tools` / `mcp_servers` are full replacements."""
    updated = dict(snapshot)
    for field in ("tools", "mcp_servers"):
        if field in param:
            updated[field] = _OVERRIDES[field](param[field])
    defaults.check_mcp_references(updated["tools"], updated["mcp_servers"], field="agent.")
    return updated


def materialize_resources(params: list[Json], now: str) -> list[Json]:
    return [_resource(p, now, f"resources.{i}") for i, p in enumerate(params)]


def _resource(param: Json, now: str, field: str) -> Json:
    kind = param["type"]
    if kind == "memory_store":
        check_length(param.get("instructions"), f"{field}.instructions", maximum=4096)
        store_id = param["memory_store_id"]
        return {
            "type": "memory_store",
            "memory_store_id": store_id,
            "access": param.get("access") or "read_write",
            "description": "",
            "instructions": param.get("instructions"),
            "mount_path": f"/mnt/memory/{store_id}",
            "name": store_id,
        }
    resource: Json = {"type": kind, "id": new_id("sesrsc")}
    if kind == "github_repository":
        repo = param["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "repo"
        resource.update(
            url=param["url"],
            mount_path=param.get("mount_path") or f"/workspace/{repo}",
            checkout=param.get("checkout"),
        )
    else:
        resource.update(
            file_id=param["file_id"],
            mount_path=file_mount_path(param.get("mount_path"), param["file_id"], field),
        )
    resource.update(created_at=now, updated_at=now)
    return resource


def check_budget(budget: Json | None, field: str = "budget") -> None:
    if budget is None:
        return
    amount = budget["max_list_cost"]["amount"]
    if not amount.isdigit() or (len(amount) > 1 and amount.startswith("0")) or amount == "0":
        raise invalid_request(
            f"{field}.max_list_cost.amount: must be a positive integer string in minor units"
        )
