"""Planning as a pure function of (manifests, server state, pins): no server involved."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from agentform.errors import UserError
from agentform.kinds import desired_spec, server_spec
from agentform.kinds.shape import digest, resolve_wildcards
from agentform.manifests.estate import Estate, load_estate
from agentform.pins.model import AgentPin, EnvironmentPin, Pins
from agentform.plan.build import build_plan
from agentform.plan.model import Plan
from agentform.remote.state import RemoteState, ServerObject
from tests.estate import write

PROMPT = "You route tickets.\nAnswer in JSON.\n"
DIGEST = "sha256:" + "0" * 64


def estate(tmp_path: Path, agent: str | None = None, environment: str | None = None) -> Estate:
    write(
        tmp_path,
        "agents/triage.yaml",
        agent or f"name: triage\nmodel: claude-sonnet-4-6\nsystem: {json.dumps(PROMPT)}\n",
    )
    write(
        tmp_path, "environments/default.yaml", environment or "name: env\nconfig: {type: cloud}\n"
    )
    return load_estate(tmp_path)


def server_agent(**overrides: Any) -> dict[str, Any]:
    """An agent as the API returns it, every default materialised (cf. strict fixtures)."""
    agent = {
        "type": "agent",
        "id": "agent_011A",
        "version": 1,
        "name": "triage",
        "description": None,
        "system": PROMPT,
        "model": {
            "id": "claude-sonnet-4-6",
            "speed": "standard",
            "effort": {"type": "high"},
            "inference_geo": None,
        },
        "execution_identity": {"type": "service_account"},
        "tools": [],
        "mcp_servers": [],
        "skills": [],
        "multiagent": None,
        "metadata": {"agentform.key": "triage", "agentform.digest": DIGEST},
        "created_at": "2026-04-03T18:24:10.412Z",
        "updated_at": "2026-04-03T18:24:10.412Z",
        "archived_at": None,
    }
    agent.update(overrides)
    return agent


def server_environment(**overrides: Any) -> dict[str, Any]:
    env = {
        "type": "environment",
        "id": "env_011A",
        "name": "env",
        "description": None,
        "scope": "organization",
        "config": {
            "type": "cloud",
            "networking": {"type": "unrestricted"},
            "packages": {
                "type": "packages",
                "apt": [],
                "cargo": [],
                "gem": [],
                "go": [],
                "npm": [],
                "pip": [],
            },
        },
        "metadata": {"agentform.key": "default", "agentform.digest": DIGEST},
        "created_at": "2026-03-15T10:00:00Z",
        "updated_at": "2026-03-15T10:00:00Z",
        "archived_at": None,
    }
    env.update(overrides)
    return env


def state(
    agents: list[dict[str, Any]] = (), environments: list[dict[str, Any]] = ()
) -> RemoteState:  # type: ignore[assignment]
    return RemoteState.of(
        *(ServerObject("agent", a) for a in agents),
        *(ServerObject("environment", e) for e in environments),
    )


PINNED = Pins(
    agents={"triage": AgentPin("agent_011A", 1, DIGEST)},
    environments={"default": EnvironmentPin("env_011A")},
)


def actions(plan: Plan) -> dict[tuple[str, str], str]:
    return {(c.kind, c.key): c.action for c in plan.changes}


def test_first_plan_creates_everything_with_markers(tmp_path: Path) -> None:
    plan = build_plan(estate(tmp_path), state(), Pins())
    assert actions(plan) == {("agent", "triage"): "create", ("environment", "default"): "create"}
    body = plan.changes[0].body
    assert body is not None and body["metadata"]["agentform.key"] == "triage"
    assert body["metadata"]["agentform.digest"].startswith("sha256:")
    assert body["system"] == PROMPT
    assert plan.has_changes


def test_server_resolved_defaults_are_not_changes(tmp_path: Path) -> None:
    plan = build_plan(estate(tmp_path), state([server_agent()], [server_environment()]), PINNED)
    assert actions(plan) == {("agent", "triage"): "noop", ("environment", "default"): "noop"}
    assert not plan.has_changes and plan.notes == ()


def test_a_prompt_edit_is_an_update_sent_with_the_planned_version(tmp_path: Path) -> None:
    live = server_agent(
        version=4, system="Old prompt.\n", metadata={"agentform.key": "triage", "old": "x"}
    )
    pins = PINNED.with_agent("triage", AgentPin("agent_011A", 4, DIGEST))
    plan = build_plan(estate(tmp_path), state([live], [server_environment()]), pins)
    change = plan.changes[0]
    assert (change.action, change.from_version) == ("update", 4)
    assert [(f.path, f.change) for f in change.fields] == [
        ("system", "changed"),
        ("metadata.old", "removed"),
    ]
    assert change.body is not None and change.body["version"] == 4
    assert change.body["metadata"]["old"] is None  # metadata is a patch: null deletes
    assert change.body["system"] == PROMPT


def test_removing_an_optional_field_clears_it_explicitly(tmp_path: Path) -> None:
    live = server_agent(description="Was set by hand")
    plan = build_plan(estate(tmp_path), state([live], [server_environment()]), PINNED)
    change = plan.changes[0]
    assert [(f.path, f.change) for f in change.fields] == [("description", "removed")]
    assert (
        change.body is not None
        and "description" in change.body
        and change.body["description"] is None
    )


def test_an_explicit_effort_is_compared_but_an_omitted_one_is_the_server_s(tmp_path: Path) -> None:
    pinned_estate = estate(
        tmp_path,
        agent=f"name: triage\nmodel: {{id: claude-sonnet-4-6, effort: low}}\nsystem: {json.dumps(PROMPT)}\n",
    )
    plan = build_plan(pinned_estate, state([server_agent()], [server_environment()]), PINNED)
    assert [(f.path, f.before, f.after) for f in plan.changes[0].fields] == [
        ("model.effort.type", "high", "low")
    ]


def test_held_pin_is_reported_and_not_moved(tmp_path: Path) -> None:
    pins = PINNED.with_agent("triage", AgentPin("agent_011A", 1, DIGEST))
    live = state([server_agent(version=2)], [server_environment()])
    v1 = ServerObject("agent", server_agent(version=1, metadata={"agentform.key": "triage"}))
    plan = build_plan(estate(tmp_path), live.with_versions({("agent", "agent_011A", 1): v1}), pins)
    assert actions(plan)[("agent", "triage")] == "noop"
    assert [(n.code, n.message) for n in plan.notes] == [("held", "held: pinned v1, latest v2")]


def test_an_unpinned_object_found_by_its_marker_is_pinned_not_recreated(tmp_path: Path) -> None:
    plan = build_plan(
        estate(tmp_path), state([server_agent(version=3)], [server_environment()]), Pins()
    )
    agent = plan.changes[0]
    assert (agent.action, agent.id, agent.from_version, agent.reason) == (
        "pin",
        "agent_011A",
        3,
        "no pin yet",
    )
    assert agent.digest == digest(server_spec("agent", server_agent(version=3)))


def test_objects_without_the_marker_are_never_touched(tmp_path: Path) -> None:
    foreign = server_agent(id="agent_foreign", metadata={})
    plan = build_plan(estate(tmp_path), state([foreign], [server_environment()]), Pins())
    assert actions(plan)[("agent", "triage")] == "create"
    assert all(c.id != "agent_foreign" for c in plan.changes)


def test_a_removed_manifest_plans_an_archive_of_its_pinned_agent(tmp_path: Path) -> None:
    old = server_agent(id="agent_old", name="old", metadata={"agentform.key": "old"})
    pins = PINNED.with_agent("old", AgentPin("agent_old", 2, DIGEST))
    plan = build_plan(estate(tmp_path), state([server_agent(), old], [server_environment()]), pins)
    archive = [c for c in plan.changes if c.action == "archive"]
    assert [(c.key, c.id, c.reason, c.live) for c in archive] == [
        ("old", "agent_old", "manifest removed", True)
    ]


def test_duplicates_of_a_key_plan_an_archive_of_the_unused_one(tmp_path: Path) -> None:
    extra = server_agent(id="agent_dup")
    plan = build_plan(
        estate(tmp_path), state([server_agent(), extra], [server_environment()]), PINNED
    )
    assert [(c.action, c.id) for c in plan.changes if c.kind == "agent"] == [
        ("noop", "agent_011A"),
        ("archive", "agent_dup"),
    ]


def test_two_unpinned_objects_with_one_key_is_an_error_not_a_guess(tmp_path: Path) -> None:
    two = state([server_agent(), server_agent(id="agent_dup")], [server_environment()])
    with pytest.raises(UserError, match="agent_011A, agent_dup all carry agentform.key=triage"):
        build_plan(estate(tmp_path), two, Pins())


def test_environment_config_type_change_is_a_replace(tmp_path: Path) -> None:
    selfhosted = estate(tmp_path, environment="name: env\nconfig: {type: self_hosted}\n")
    plan = build_plan(selfhosted, state([server_agent()], [server_environment()]), PINNED)
    env = [c for c in plan.changes if c.kind == "environment"][0]
    assert env.action == "replace" and "cloud -> self_hosted" in env.reason
    assert env.body is not None and env.body["metadata"]["agentform.key"] == "default"


def test_environment_update_sends_every_config_field(tmp_path: Path) -> None:
    limited = estate(
        tmp_path, environment="name: env\nconfig: {type: cloud, networking: {type: limited}}\n"
    )
    plan = build_plan(limited, state([server_agent()], [server_environment()]), PINNED)
    env = [c for c in plan.changes if c.kind == "environment"][0]
    assert env.action == "update" and env.body is not None
    assert env.body["config"]["networking"] == {
        "type": "limited",
        "allowed_hosts": [],
        "allow_mcp_servers": False,
        "allow_package_managers": False,
    }
    assert set(env.body["config"]["packages"]) == {
        "type",
        "apt",
        "cargo",
        "gem",
        "go",
        "npm",
        "pip",
    }


def test_package_order_is_not_a_change(tmp_path: Path) -> None:
    env = "name: env\nconfig: {type: cloud, packages: {pip: [pandas, numpy]}}\n"
    live = server_environment()
    live["config"] = copy.deepcopy(live["config"])
    live["config"]["packages"]["pip"] = ["numpy", "pandas"]
    plan = build_plan(estate(tmp_path, environment=env), state([server_agent()], [live]), PINNED)
    assert not plan.has_changes


def test_targets_limit_the_plan_and_unknown_targets_are_errors(tmp_path: Path) -> None:
    plan = build_plan(estate(tmp_path), state(), Pins(), targets=["default"])
    assert actions(plan) == {("environment", "default"): "create"}
    with pytest.raises(UserError, match="--target nope: no such key"):
        build_plan(estate(tmp_path), state(), Pins(), targets=["nope"])


def test_a_pinned_object_that_is_gone_is_recreated_with_a_note(tmp_path: Path) -> None:
    plan = build_plan(estate(tmp_path), state([], [server_environment()]), PINNED)
    assert actions(plan)[("agent", "triage")] == "create"
    assert [n.code for n in plan.notes] == ["missing"]


def test_exhaustive_defaults_materialise_like_the_server() -> None:
    manifest = {
        "name": "x",
        "model": "claude-opus-4-8",
        "system": "s",
        "tools": [
            {"type": "agent_toolset_20260401", "configs": [{"name": "bash"}]},
            {"type": "mcp_toolset", "mcp_server_name": "gh"},
        ],
        "mcp_servers": [{"type": "url", "name": "gh", "url": "https://x"}],
        "skills": [{"type": "anthropic", "skill_id": "xlsx"}],
    }
    server = server_agent(
        model={"id": "claude-opus-4-8", "speed": "standard", "effort": {"type": "max"}},
        tools=[
            {
                "type": "agent_toolset_20260401",
                "default_config": {"enabled": True, "permission_policy": {"type": "always_allow"}},
                "configs": [
                    {
                        "type": "bash",
                        "name": "bash",
                        "enabled": True,
                        "permission_policy": {"type": "always_allow"},
                    }
                ],
            },
            {
                "type": "mcp_toolset",
                "mcp_server_name": "gh",
                "default_config": {"enabled": True, "permission_policy": {"type": "always_ask"}},
                "configs": [],
            },
        ],
        mcp_servers=[{"type": "url", "name": "gh", "url": "https://x"}],
        skills=[{"type": "anthropic", "skill_id": "xlsx", "version": "20251013"}],
        name="x",
        system="s",
    )
    actual = server_spec("agent", server)
    assert resolve_wildcards(desired_spec("agent", manifest), actual) == actual
