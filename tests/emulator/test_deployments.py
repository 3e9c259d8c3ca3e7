"""Deployments through the real SDK (strict): pinning, schedules, updates, limits, lists."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import anthropic
import pytest

from tests.emulator.kinds import make_agent, pages, user_message

SCHEDULE = {"type": "cron", "expression": "0 9 * * 1-5", "timezone": "America/New_York"}


@pytest.fixture
def agent(client: Any) -> Any:
    agent = make_agent(client, system="v1")
    client.beta.agents.update(agent.id, system="v2")
    return agent


@pytest.fixture
def env(client: Any) -> Any:
    return client.beta.environments.create(name="env")


def deploy(client: Any, agent: Any, env: Any, **params: Any) -> Any:
    params.setdefault("name", "nightly")
    params.setdefault("initial_events", [user_message("go")])
    return client.beta.deployments.create(agent=agent.id, environment_id=env.id, **params)


def test_an_id_string_pins_the_latest_version(client: Any, agent: Any, env: Any) -> None:
    deployment = deploy(client, agent, env)
    assert deployment.id.startswith("depl_011C") and deployment.type == "deployment"
    assert (deployment.agent.id, deployment.agent.version) == (agent.id, 2)
    assert (deployment.status, deployment.paused_reason, deployment.schedule) == (
        "active",
        None,
        None,
    )
    assert deployment.resources == [] and deployment.vault_ids == [] and deployment.metadata == {}
    assert deployment.initial_events[0].content[0].text == "go"
    assert client.beta.deployments.retrieve(deployment.id) == deployment


def test_an_agent_object_keeps_its_version(client: Any, agent: Any, env: Any) -> None:
    deployment = client.beta.deployments.create(
        name="pinned", agent={"type": "agent", "id": agent.id, "version": 1},
        environment_id=env.id, initial_events=[user_message("go")],
    )  # fmt: skip
    assert deployment.agent.version == 1
    client.beta.agents.update(agent.id, system="v3")
    renamed = client.beta.deployments.update(deployment.id, name="renamed")
    assert renamed.agent.version == 1  # an omitted agent is preserved
    repinned = client.beta.deployments.update(deployment.id, agent=agent.id)
    assert repinned.agent.version == 3  # an id string re-pins the latest
    with pytest.raises(anthropic.NotFoundError):
        client.beta.deployments.update(
            deployment.id, agent={"type": "agent", "id": agent.id, "version": 9}
        )


def test_schedule_reports_upcoming_runs(client: Any, agent: Any, env: Any) -> None:
    deployment = deploy(client, agent, env, schedule=SCHEDULE)
    schedule = deployment.schedule
    assert (schedule.type, schedule.expression, schedule.timezone) == (
        "cron",
        "0 9 * * 1-5",
        "America/New_York",
    )
    assert schedule.last_run_at is None and len(schedule.upcoming_runs_at) == 5
    now = datetime.now(timezone.utc)
    local = [t.astimezone(ZoneInfo("America/New_York")) for t in schedule.upcoming_runs_at]
    assert all(t > now for t in schedule.upcoming_runs_at) and local == sorted(local)
    assert {(t.hour, t.minute) for t in local} == {(9, 0)} and {t.weekday() for t in local} <= set(
        range(5)
    )
    cleared = client.beta.deployments.update(deployment.id, schedule=None)
    assert cleared.schedule is None


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ({**SCHEDULE, "expression": "@daily"}, "schedule.expression"),
        ({**SCHEDULE, "expression": "0 9 L * *"}, "schedule.expression"),
        ({**SCHEDULE, "expression": "0 0 30 2 *"}, "never matches"),
        ({**SCHEDULE, "timezone": "Mars/Olympus"}, "schedule.timezone"),
    ],
)
def test_bad_schedules_are_400s(
    client: Any, agent: Any, env: Any, schedule: Any, problem: str
) -> None:
    with pytest.raises(anthropic.BadRequestError, match=problem):
        deploy(client, agent, env, schedule=schedule)
    assert list(client.beta.deployments.list()) == []


def test_references_are_checked(client: Any, agent: Any, env: Any) -> None:
    vault = client.beta.vaults.create(display_name="alice")
    store = client.beta.memory_stores.create(name="notes")
    client.beta.vaults.archive(vault.id)
    cases = [
        (anthropic.NotFoundError, {"agent": "agent_011Cnope"}),
        (anthropic.NotFoundError, {"environment_id": "env_011Cnope"}),
        (anthropic.NotFoundError, {"vault_ids": ["vlt_nope"]}),
        (anthropic.BadRequestError, {"vault_ids": [vault.id]}),
        (
            anthropic.NotFoundError,
            {"resources": [{"type": "memory_store", "memory_store_id": "memstore_x"}]},
        ),
    ]
    for error, override in cases:
        params = {"name": "d", "agent": agent.id, "environment_id": env.id,
                  "initial_events": [user_message("go")], **override}  # fmt: skip
        with pytest.raises(error):
            client.beta.deployments.create(**params)
    client.beta.memory_stores.archive(store.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        deploy(
            client, agent, env, resources=[{"type": "memory_store", "memory_store_id": store.id}]
        )
    client.beta.environments.archive(env.id)
    with pytest.raises(anthropic.BadRequestError) as caught:
        deploy(client, agent, env)
    assert caught.value.error_code == "environment_archived"
    client.beta.agents.archive(agent.id)
    live_env = client.beta.environments.create(name="live")
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        deploy(client, agent, live_env)
    assert list(client.beta.deployments.list(include_archived=True)) == []


def test_limits(client: Any, agent: Any, env: Any) -> None:
    files = [{"type": "file", "file_id": f"file_{i}"} for i in range(501)]
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "invalid_metadata"),
        ({"initial_events": []}, None),
        ({"initial_events": [user_message("go")] * 51}, None),
        ({"resources": files}, None),
        ({"vault_ids": [f"vlt_{i}" for i in range(51)]}, None),
        ({"name": ""}, None),
    ]
    for params, code in cases:
        with pytest.raises(anthropic.BadRequestError) as caught:
            deploy(client, agent, env, **params)
        assert caught.value.error_code == code
    assert len(deploy(client, agent, env, resources=files[:500]).resources) == 500


def test_system_message_must_follow_a_user_message(client: Any, agent: Any, env: Any) -> None:
    system = {"type": "system.message", "content": [{"type": "text", "text": "be brief"}]}
    with pytest.raises(anthropic.BadRequestError, match="system.message"):
        deploy(client, agent, env, initial_events=[system])
    ok = deploy(client, agent, env, initial_events=[user_message("go"), system])
    assert [e.type for e in ok.initial_events] == ["user.message", "system.message"]


def test_update_semantics(client: Any, agent: Any, env: Any) -> None:
    vault = client.beta.vaults.create(display_name="alice")
    repo = {
        "type": "github_repository",
        "url": "https://github.com/a/b",
        "authorization_token": "ghp_SECRET",
    }
    raw = client.beta.deployments.with_raw_response.create(
        name="d", agent=agent.id, environment_id=env.id, initial_events=[user_message("go")],
        description="nightly", metadata={"a": "1"}, vault_ids=[vault.id], resources=[repo],
    )  # fmt: skip
    assert "ghp_SECRET" not in raw.http_response.text
    created = raw.parse()
    assert (
        created.resources[0].url == "https://github.com/a/b"
        and created.resources[0].mount_path is None
    )
    same = client.beta.deployments.update(
        created.id, name="d", metadata={"a": "1"}, resources=[repo]
    )
    assert same.updated_at == created.updated_at
    updated = client.beta.deployments.update(
        created.id, description="", metadata={"a": None, "b": "2"}, vault_ids=None, resources=[],
        initial_events=[user_message("again")],
    )  # fmt: skip
    assert (updated.description, updated.metadata, updated.vault_ids) == (None, {"b": "2"}, [])
    assert updated.resources == [] and updated.initial_events[0].content[0].text == "again"
    assert updated.updated_at > created.updated_at
    for field in ("name", "agent", "environment_id", "initial_events"):
        with pytest.raises(anthropic.BadRequestError, match="cannot be cleared"):
            client.beta.deployments.update(created.id, **{field: None})


def test_list_filters_and_pages(client: Any, agent: Any, env: Any) -> None:
    other = make_agent(client, name="other")
    ids = [deploy(client, agent, env, name=f"d{i}").id for i in range(4)]
    theirs = client.beta.deployments.create(
        name="x", agent=other.id, environment_id=env.id, initial_events=[user_message("go")]
    )
    listed = pages(client.beta.deployments.list(limit=2))
    assert [[d.id for d in page] for page in listed] == [ids[:2], ids[2:], [theirs.id]]
    assert [d.id for d in client.beta.deployments.list(agent_id=other.id)] == [theirs.id]
    client.beta.deployments.pause(ids[1])
    client.beta.deployments.archive(ids[0])
    assert [d.id for d in client.beta.deployments.list(status="paused")] == [ids[1]]
    assert [d.id for d in client.beta.deployments.list(status="active")] == [
        ids[2],
        ids[3],
        theirs.id,
    ]
    assert [d.id for d in client.beta.deployments.list(include_archived=True)][0] == ids[0]
    with pytest.raises(anthropic.BadRequestError, match="cannot be combined"):
        client.beta.deployments.list(status="active", include_archived=True)
