"""Agents through the real SDK (strict): defaults, versions, no-op updates, CAS, archive."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from agentform.emulator import admin
from tests.emulator.kinds import upload_skill

TOOLSET = {"type": "agent_toolset_20260401"}


def make_agent(client: Any, **overrides: Any) -> Any:
    params: dict[str, Any] = {"name": "triage", "model": "claude-sonnet-4-6", "system": "Route."}
    params.update(overrides)
    return client.beta.agents.create(**params)


def test_create_materialises_server_defaults(client: Any) -> None:
    skill = upload_skill(client)
    agent = make_agent(
        client,
        tools=[TOOLSET],
        skills=[
            {"type": "anthropic", "skill_id": "xlsx"},
            {"type": "custom", "skill_id": skill.id},
        ],
    )
    assert agent.id.startswith("agent_011C") and agent.type == "agent" and agent.version == 1
    assert agent.model.id == "claude-sonnet-4-6"
    assert agent.model.effort is not None and agent.model.effort.type == "high"
    assert agent.model.speed == "standard"
    assert agent.execution_identity.type == "service_account"
    toolset = agent.tools[0]
    assert toolset.default_config.enabled is True
    assert toolset.default_config.permission_policy.type == "always_allow"
    assert toolset.configs == []
    assert [(s.skill_id, s.version) for s in agent.skills] == [
        ("xlsx", "20251013"),
        (skill.id, skill.latest_version_id),
    ]
    assert agent.metadata == {} and agent.mcp_servers == [] and agent.multiagent is None
    assert agent.description is None and agent.archived_at is None
    assert agent.created_at == agent.updated_at


def test_tool_configs_inherit_from_default_config(client: Any) -> None:
    tools = [
        {
            "type": "agent_toolset_20260401",
            "default_config": {"permission_policy": {"type": "always_ask"}},
            "configs": [{"name": "bash"}, {"name": "web_fetch", "enabled": False}],
        },
        {"type": "mcp_toolset", "mcp_server_name": "github"},
        {
            "type": "custom",
            "name": "lookup",
            "description": "Look up.",
            "input_schema": {"type": "object"},
        },
    ]
    servers = [{"type": "url", "name": "github", "url": "https://api.githubcopilot.com/mcp/"}]
    agent = make_agent(client, tools=tools, mcp_servers=servers)
    bash, fetch = agent.tools[0].configs
    assert (bash.type, bash.enabled, bash.permission_policy.type) == ("bash", True, "always_ask")
    assert (fetch.type, fetch.enabled, fetch.url_sources, fetch.allowed_domains) == (
        "web_fetch",
        False,
        None,
        None,
    )
    mcp = agent.tools[1]
    assert mcp.default_config.permission_policy.type == "always_ask" and mcp.configs == []
    assert agent.tools[2].name == "lookup"


def test_model_object_and_haiku_effort(client: Any) -> None:
    fast = make_agent(client, model={"id": "claude-opus-4-8", "effort": "max", "speed": "fast"})
    assert (fast.model.effort.type, fast.model.speed) == ("max", "fast")
    haiku = make_agent(client, model="claude-haiku-4-5")
    assert haiku.model.effort is None
    with pytest.raises(anthropic.BadRequestError, match="model.speed"):
        make_agent(client, model={"id": "claude-haiku-4-5", "speed": "fast"})


def test_update_bumps_version_and_keeps_history(client: Any) -> None:
    agent = make_agent(client, metadata={"team": "support"})
    v2 = client.beta.agents.update(agent.id, version=1, system="Route tickets.")
    v3 = client.beta.agents.update(agent.id, version=2, metadata={"tier": "gold"})
    assert (v2.version, v3.version) == (2, 3)
    assert v3.system == "Route tickets." and v3.metadata == {"team": "support", "tier": "gold"}
    assert client.beta.agents.retrieve(agent.id, version=1).system == "Route."
    assert client.beta.agents.retrieve(agent.id, version=2).metadata == {"team": "support"}
    assert client.beta.agents.retrieve(agent.id).version == 3
    history = list(client.beta.agents.versions.list(agent.id, limit=2))
    assert [a.version for a in history] == [1, 2, 3]
    with pytest.raises(anthropic.NotFoundError):
        client.beta.agents.retrieve(agent.id, version=4)


def test_noop_update_returns_current_version_unchanged(client: Any, emulator_url: str) -> None:
    agent = make_agent(client, tools=[TOOLSET], metadata={"team": "support"})
    same = client.beta.agents.update(
        agent.id, version=1, name="triage", model="claude-sonnet-4-6", system="Route.",
        tools=[TOOLSET], metadata={"team": "support"},
    )  # fmt: skip
    assert same.version == 1 and same.updated_at == agent.updated_at
    assert same.model.effort.type == "high"
    assert [a.version for a in client.beta.agents.versions.list(agent.id)] == [1]


def test_metadata_patch_and_list_replacement(client: Any) -> None:
    agent = make_agent(client, metadata={"a": "1", "b": "2"}, tools=[TOOLSET])
    updated = client.beta.agents.update(agent.id, metadata={"a": None, "c": "3"}, tools=[])
    assert updated.metadata == {"b": "2", "c": "3"} and updated.tools == []
    cleared = client.beta.agents.update(agent.id, description="", system=None, skills=None)
    assert (cleared.description, cleared.system, cleared.skills) == (None, None, [])
    assert cleared.version == 3


def test_effort_rule_on_update(client: Any) -> None:
    agent = make_agent(client, model={"id": "claude-opus-4-8", "effort": "low"})
    kept = client.beta.agents.update(agent.id, model="claude-opus-4-8")
    assert kept.version == 1 and kept.model.effort.type == "low"
    reset = client.beta.agents.update(agent.id, model="claude-opus-4-7")
    assert reset.version == 2 and reset.model.effort.type == "high"
    haiku = client.beta.agents.update(agent.id, model={"id": "claude-haiku-4-5"})
    assert haiku.model.effort is None


def test_name_and_model_cannot_be_cleared(client: Any) -> None:
    agent = make_agent(client)
    for field in ("name", "model"):
        with pytest.raises(anthropic.BadRequestError, match=f"{field}: cannot be cleared"):
            client.beta.agents.update(agent.id, **{field: None})
    with pytest.raises(anthropic.BadRequestError, match="name"):
        client.beta.agents.update(agent.id, name="")


def test_stale_version_is_a_409_that_is_not_retried(client: Any, emulator_url: str) -> None:
    agent = make_agent(client)
    client.beta.agents.update(agent.id, version=1, system="changed")
    with pytest.raises(anthropic.ConflictError) as caught:
        client.beta.agents.update(agent.id, version=1, system="changed")
    error = caught.value
    assert error.type == "invalid_request_error"  # as the API reference says, not conflict_error
    assert error.response.headers["x-should-retry"] == "false"
    assert error.request_id == error.body["request_id"]
    assert admin.counters(emulator_url)["POST /v1/agents/{agent_id}"] == 2  # no retries


def test_archived_agent_rejects_updates_and_leaves_lists(client: Any) -> None:
    agent = make_agent(client)
    archived = client.beta.agents.archive(agent.id)
    assert archived.archived_at is not None and archived.version == 1
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.agents.update(agent.id, system="x")
    assert [a.id for a in client.beta.agents.list()] == []
    listed = client.beta.agents.list(include_archived=True).data
    assert [a.id for a in listed] == [agent.id] and listed[0].archived_at is not None
    assert client.beta.agents.retrieve(agent.id, version=1).archived_at is not None


def test_pagination_of_250_agents(client: Any, emulator_url: str) -> None:
    created = [make_agent(client, name=f"agent-{i:03d}").id for i in range(250)]
    admin.reset(emulator_url)
    pages = list(client.beta.agents.list(limit=100).iter_pages())
    assert [len(p.data) for p in pages] == [100, 100, 50]
    assert [a.id for p in pages for a in p.data] == created
    assert pages[-1].next_page is None and pages[0].next_page.startswith("page_")
    assert admin.counters(emulator_url) == {"GET /v1/agents": 3}


def test_list_filters_by_created_at(client: Any) -> None:
    first = make_agent(client, name="first")
    second = make_agent(client, name="second")
    after = client.beta.agents.list(created_at_gte=second.created_at).data
    before = client.beta.agents.list(created_at_lte=first.created_at).data
    assert [a.id for a in after] == [second.id] and [a.id for a in before] == [first.id]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bogus": 1}, "bogus: Extra inputs are not permitted"),
        ({"tools": [{"type": "nope"}]}, "tools.0.type"),
        ({"tools": [{**TOOLSET, "configs": [{"name": "bash", "enabled": "yes"}]}]},
         "tools.0.configs.0.enabled: Input should be a valid boolean"),
        ({"model": {"id": "claude-opus-4-8", "effort": "extreme"}}, "model.effort"),
        ({"mcp_servers": [{"type": "url", "name": "gh", "url": "https://x.example/mcp"}]},
         "not referenced by any mcp_toolset"),
        ({"name": "x" * 257}, "name: must be at most 256"),
    ],
)  # fmt: skip
def test_bad_requests_name_the_field(client: Any, params: dict[str, Any], field: str) -> None:
    body = {"name": "triage", "model": "claude-sonnet-4-6", **params}
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.agents.create(extra_body=body, name=body.pop("name"), model=body.pop("model"))
    assert caught.value.type == "invalid_request_error"
    assert field in caught.value.message


def test_metadata_limits_use_invalid_metadata(client: Any) -> None:
    too_many = {f"k{i}": "v" for i in range(17)}
    for metadata in (too_many, {"k" * 65: "v"}, {"k": "v" * 513}):
        with pytest.raises(anthropic.BadRequestError) as caught:
            make_agent(client, metadata=metadata)
        assert caught.value.error_code == "invalid_metadata"
    assert make_agent(client, metadata={"agentform.key": "triage"}).metadata == {
        "agentform.key": "triage"
    }


def test_multiagent_roster_resolves_versions(client: Any) -> None:
    helper = make_agent(client, name="helper")
    client.beta.agents.update(helper.id, system="v2")
    lead = make_agent(
        client,
        name="lead",
        multiagent={"type": "coordinator", "agents": [helper.id, {"type": "self"}]},
    )
    refs = [(a.id, a.version) for a in lead.multiagent.agents]
    assert refs == [(helper.id, 2), (lead.id, 1)]
    with pytest.raises(anthropic.BadRequestError, match="depth limit"):
        make_agent(client, multiagent={"type": "coordinator", "agents": [lead.id]})


def test_multiagent_20261001_defaults_and_merge(client: Any) -> None:
    agent = make_agent(client, multiagent={"type": "multiagent_20261001"})
    config = agent.multiagent
    assert (config.advisor.type, config.subagents.type, config.workflows.type) == (
        "disabled", "enabled", "enabled",
    )  # fmt: skip
    merged = client.beta.agents.update(
        agent.id,
        multiagent={
            "type": "multiagent_20261001",
            "advisor": {"type": "enabled", "model": "claude-opus-4-8"},
        },
    )
    assert merged.version == 2 and merged.multiagent.advisor.model == "claude-opus-4-8"
    assert merged.multiagent.subagents.type == "enabled"


def test_query_and_version_bounds(client: Any) -> None:
    agent = make_agent(client)
    with pytest.raises(anthropic.BadRequestError, match="limit"):
        client.beta.agents.list(limit=101)
    with pytest.raises(anthropic.BadRequestError, match="version"):
        client.beta.agents.retrieve(agent.id, version=0)
    with pytest.raises(anthropic.BadRequestError, match="version"):
        client.beta.agents.update(agent.id, version=0, system="x")
    with pytest.raises(anthropic.BadRequestError, match="page"):
        client.beta.agents.list(page="page_garbage")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.agents.versions.list("agent_011Cmissing")
