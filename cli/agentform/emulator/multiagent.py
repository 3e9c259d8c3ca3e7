"""Multiagent configuration: resolve rosters to pinned agent versions, merge, expand.

Two shapes exist (SDK `BetaManagedAgentsMultiagent*`):
- `coordinator`: a roster of agent ids, `{type: agent, id, version?}`, `{type: self}` or
  one `{type: advisor, model}`; every agent entry resolves to `{type: agent, id, version}`.
- `multiagent_20261001`: `advisor`, `subagents`, `workflows`, each enabled or disabled;
  omitted or null members take their defaults, and an update whose stored value has the
  same type is merged level by level instead of replacing it.
Sessions carry the expanded form: every roster reference becomes the full agent snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentform.emulator.errors import invalid_request

Json = dict[str, Any]
# (agent id, version or None for latest, field path) -> {"type": "agent", "id", "version"}
Resolver = Callable[[str, "int | None", str], Json]
# (agent id, version) -> the stored agent object at that version
VersionLoader = Callable[[str, int], Json]

_MEMBERS = ("advisor", "subagents", "workflows")
_THREAD_AGENT_FIELDS = (
    "type", "id", "version", "name", "description", "system", "model",
    "execution_identity", "tools", "mcp_servers", "skills",
)  # fmt: skip


def materialize(param: Json | None, resolve: Resolver, self_ref: Json) -> Json | None:
    """The stored multiagent object for request params (None clears it)."""
    if param is None:
        return None
    if param["type"] == "coordinator":
        return _coordinator(param, resolve, self_ref)
    members = {m: _member(m, param.get(m), resolve, self_ref) for m in _MEMBERS}
    return _checked({"type": "multiagent_20261001", **members})


def merge(
    stored: Json | None, param: Json | None, resolve: Resolver, self_ref: Json
) -> Json | None:
    """Update semantics: `multiagent_20261001` over a stored one merges; anything else replaces."""
    if (
        param is None
        or stored is None
        or not (param["type"] == stored["type"] == "multiagent_20261001")
    ):
        return materialize(param, resolve, self_ref)
    merged = dict(stored)
    for name in _MEMBERS:
        if name in param:
            merged[name] = _merge_member(name, stored[name], param[name], resolve, self_ref)
    return _checked(merged)


def without_self_versions(multiagent: Json | None, agent_id: str) -> Json | None:
    """A copy where references to `agent_id` itself carry version 0 (for no-op comparison)."""
    if multiagent is None:
        return None
    return _map_refs(
        multiagent, lambda ref: {**ref, "version": 0} if ref["id"] == agent_id else ref
    )


def expand_for_session(multiagent: Json | None, load: VersionLoader) -> Json | None:
    """The session form: every agent reference replaced by that version's full definition."""
    if multiagent is None:
        return None
    return _map_refs(multiagent, lambda ref: thread_agent(load(ref["id"], ref["version"])))


def thread_agent(agent: Json) -> Json:
    return {key: agent.get(key) for key in _THREAD_AGENT_FIELDS}


def _coordinator(param: Json, resolve: Resolver, self_ref: Json) -> Json:
    entries = param["agents"]
    if not 1 <= len(entries) <= 20:
        raise invalid_request("multiagent.agents: must have 1-20 entries")
    resolved = [
        _roster_entry(e, resolve, self_ref, f"multiagent.agents.{i}") for i, e in enumerate(entries)
    ]
    seen: set[str] = set()
    for index, entry in enumerate(resolved):
        key = entry.get("id") or "anthropic.advisor"
        if key in seen:
            raise invalid_request(f"multiagent.agents.{index}: duplicate roster entry {key!r}")
        seen.add(key)
    return {"type": "coordinator", "agents": resolved}


def _roster_entry(entry: str | Json, resolve: Resolver, self_ref: Json, field: str) -> Json:
    if isinstance(entry, dict) and entry["type"] == "advisor":
        return {"type": "advisor", "model": entry["model"]}
    return _reference(entry, resolve, self_ref, field)


def _reference(entry: str | Json, resolve: Resolver, self_ref: Json, field: str) -> Json:
    if isinstance(entry, str):
        return resolve(entry, None, field)
    if entry["type"] == "self":
        return dict(self_ref)
    return resolve(entry["id"], entry.get("version"), field)


def _member(name: str, param: Json | None, resolve: Resolver, self_ref: Json) -> Json:
    if param is None:
        return (
            {"type": "disabled"}
            if name == "advisor"
            else _enabled_threads(None, resolve, self_ref, name)
        )
    if param["type"] == "disabled":
        return {"type": "disabled"}
    if name == "advisor":
        return {"type": "enabled", "model": param["model"]}
    return _enabled_threads(param, resolve, self_ref, name)


def _enabled_threads(param: Json | None, resolve: Resolver, self_ref: Json, name: str) -> Json:
    param = param or {}
    inline = param.get("inline_agents") or {"type": "enabled"}
    refs = param.get("predefined_agents") or []
    field = f"multiagent.{name}.predefined_agents"
    if len(refs) > 20:
        raise invalid_request(f"{field}: at most 20 agents are allowed")
    predefined = [_reference(r, resolve, self_ref, f"{field}.{i}") for i, r in enumerate(refs)]
    return {
        "type": "enabled",
        "inline_agents": {"type": inline["type"]},
        "predefined_agents": predefined,
    }


def _merge_member(
    name: str, stored: Json, param: Json | None, resolve: Resolver, self_ref: Json
) -> Json:
    if (
        param is None
        or param["type"] != stored["type"]
        or param["type"] == "disabled"
        or name == "advisor"
    ):
        return _member(name, param, resolve, self_ref)
    merged = dict(stored)
    if "inline_agents" in param:
        merged["inline_agents"] = {"type": (param["inline_agents"] or {"type": "enabled"})["type"]}
    if "predefined_agents" in param:
        fresh = _enabled_threads(
            {"predefined_agents": param["predefined_agents"]}, resolve, self_ref, name
        )
        merged["predefined_agents"] = fresh["predefined_agents"]
    return merged


def _checked(config: Json) -> Json:
    for name in ("subagents", "workflows"):
        member = config[name]
        inline_off = member["type"] == "enabled" and member["inline_agents"]["type"] == "disabled"
        if inline_off and not member["predefined_agents"]:
            raise invalid_request(
                f"multiagent.{name}: with inline_agents disabled, "
                "predefined_agents must name at least one agent"
            )
    return config


def _map_refs(multiagent: Json, change: Callable[[Json], Json]) -> Json:
    result = dict(multiagent)
    if multiagent["type"] == "coordinator":
        result["agents"] = [change(a) if a["type"] == "agent" else a for a in multiagent["agents"]]
        return result
    for name in ("subagents", "workflows"):
        member = multiagent[name]
        if member["type"] == "enabled":
            result[name] = {
                **member,
                "predefined_agents": [change(r) for r in member["predefined_agents"]],
            }
    return result
