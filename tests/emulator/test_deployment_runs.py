"""Deployment runs, pause / unpause / archive and scheduled fires through the strict SDK."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from agentform.emulator import admin
from tests.emulator.kinds import make_agent, pages, upload_skill, user_message

SCHEDULE = {"type": "cron", "expression": "0 9 * * *", "timezone": "Europe/Paris"}


@pytest.fixture
def agent(client: Any) -> Any:
    return make_agent(client)


@pytest.fixture
def env(client: Any) -> Any:
    return client.beta.environments.create(name="env")


def deploy(client: Any, agent: Any, env: Any, **params: Any) -> Any:
    params.setdefault("initial_events", [user_message("run the report")])
    return client.beta.deployments.create(
        name="report", agent=agent.id, environment_id=env.id, **params
    )


def test_a_manual_run_starts_a_session_from_the_deployment(
    client: Any, agent: Any, env: Any
) -> None:
    vault = client.beta.vaults.create(display_name="alice")
    store = client.beta.memory_stores.create(name="notes")
    repo = {
        "type": "github_repository",
        "url": "https://github.com/acme/app",
        "authorization_token": "t",
    }
    resources = [repo, {"type": "memory_store", "memory_store_id": store.id}]
    budget = {"type": "limit", "max_list_cost": {"amount": "500", "currency": "USD"}}
    deployment = deploy(
        client, agent, env, vault_ids=[vault.id], resources=resources, budget=budget
    )
    run = client.beta.deployments.run(deployment.id)
    assert run.id.startswith("drun_011C") and run.type == "deployment_run" and run.error is None
    assert run.trigger_context.type == "manual" and run.deployment_id == deployment.id
    assert (run.agent.id, run.agent.version) == (agent.id, 1)
    session = client.beta.sessions.retrieve(run.session_id)
    assert session.deployment_id == deployment.id and session.agent.version == 1
    assert session.vault_ids == [vault.id] and session.environment_id == env.id
    assert [r.type for r in session.resources] == ["github_repository", "memory_store"]
    assert session.resources[1].mount_path == "/mnt/memory/notes"
    assert session.budget.max_list_cost.amount == "500"
    assert [s.id for s in client.beta.sessions.list(deployment_id=deployment.id)] == [session.id]
    first = client.beta.sessions.events.list(session.id).data[0]  # accepted at creation
    assert first.type == "user.message" and first.content[0].text == "run the report"
    assert client.beta.deployment_runs.retrieve(run.id) == run
    assert client.beta.deployments.retrieve(deployment.id).schedule is None


def test_manual_runs_record_failures_without_pausing(client: Any, agent: Any, env: Any) -> None:
    deployment = deploy(client, agent, env, schedule=SCHEDULE)
    client.beta.environments.archive(env.id)
    run = client.beta.deployments.run(deployment.id)
    assert run.session_id is None and run.error.type == "environment_archived_error"
    assert env.id in run.error.message
    assert client.beta.deployments.retrieve(deployment.id).status == "active"
    assert [r.id for r in client.beta.deployment_runs.list(has_error=True)] == [run.id]
    assert list(client.beta.deployment_runs.list(has_error=False)) == []


def test_pause_unpause_and_archive(client: Any, agent: Any, env: Any) -> None:
    deployment = deploy(client, agent, env, schedule=SCHEDULE)
    paused = client.beta.deployments.pause(deployment.id)
    assert paused.status == "paused" and paused.paused_reason.type == "manual"
    assert len(paused.schedule.upcoming_runs_at) == 5
    assert client.beta.deployments.pause(deployment.id).updated_at == paused.updated_at
    assert client.beta.deployments.run(deployment.id).session_id  # manual runs work while paused
    active = client.beta.deployments.unpause(deployment.id)
    assert active.status == "active" and active.paused_reason is None
    archived = client.beta.deployments.archive(deployment.id)
    assert archived.archived_at is not None and archived.status == "active"
    assert archived.schedule.upcoming_runs_at == []
    assert client.beta.deployments.archive(deployment.id).archived_at == archived.archived_at
    for call in (
        lambda: client.beta.deployments.pause(deployment.id),
        lambda: client.beta.deployments.unpause(deployment.id),
        lambda: client.beta.deployments.run(deployment.id),
        lambda: client.beta.deployments.update(deployment.id, name="x"),
    ):
        with pytest.raises(anthropic.BadRequestError, match="archived"):
            call()
    assert deployment.id not in [d.id for d in client.beta.deployments.list()]


def test_scheduled_fires_consume_occurrences(
    client: Any, agent: Any, env: Any, emulator_url: str
) -> None:
    deployment = deploy(client, agent, env, schedule=SCHEDULE)
    upcoming = deployment.schedule.upcoming_runs_at
    fired = admin.fire_deployment(emulator_url, deployment.id)
    assert fired["trigger_context"]["type"] == "schedule" and fired["session_id"]
    run = client.beta.deployment_runs.retrieve(fired["id"])
    assert run.trigger_context.scheduled_at == upcoming[0]
    after = client.beta.deployments.retrieve(deployment.id).schedule
    assert after.upcoming_runs_at[:4] == upcoming[1:] and after.last_run_at == run.created_at
    second = admin.fire_deployment(emulator_url, deployment.id)
    assert (
        client.beta.deployment_runs.retrieve(second["id"]).trigger_context.scheduled_at
        == upcoming[1]
    )
    manual = client.beta.deployments.run(deployment.id)  # manual runs leave last_run_at alone
    last = client.beta.deployment_runs.retrieve(second["id"]).created_at
    assert client.beta.deployments.retrieve(deployment.id).schedule.last_run_at == last
    assert [r.id for r in client.beta.deployment_runs.list(trigger_type="schedule")] == [
        second["id"],
        fired["id"],
    ]
    assert [r.id for r in client.beta.deployment_runs.list(trigger_type="manual")] == [manual.id]


def test_a_failed_scheduled_fire_pauses_with_the_error(
    client: Any, agent: Any, env: Any, emulator_url: str
) -> None:
    deployment = deploy(client, agent, env, schedule=SCHEDULE)
    client.beta.agents.archive(agent.id)
    fired = admin.fire_deployment(emulator_url, deployment.id)
    assert fired["session_id"] is None and fired["error"]["type"] == "agent_archived_error"
    paused = client.beta.deployments.retrieve(deployment.id)
    assert paused.status == "paused" and paused.paused_reason.type == "error"
    assert paused.paused_reason.error.type == "agent_archived_error"
    assert paused.schedule.last_run_at is None
    with pytest.raises(admin.AdminError, match="paused"):
        admin.fire_deployment(emulator_url, deployment.id)


@pytest.mark.parametrize(
    ("break_it", "error_type"),
    [
        (lambda c, ids: c.beta.vaults.archive(ids["vault"]), "vault_archived_error"),
        (lambda c, ids: c.beta.vaults.delete(ids["vault"]), "vault_not_found_error"),
        (lambda c, ids: c.beta.memory_stores.archive(ids["store"]), "memory_store_archived_error"),
        (
            lambda c, ids: c.beta.memory_stores.delete(ids["store"]),
            "session_resource_not_found_error",
        ),
        (lambda c, ids: c.beta.skills.delete(ids["skill"]), "skill_not_found_error"),
    ],
)
def test_fires_report_what_went_missing(
    client: Any, env: Any, break_it: Any, error_type: str
) -> None:
    skill = upload_skill(client)
    agent = make_agent(client, skills=[{"type": "custom", "skill_id": skill.id}])
    vault = client.beta.vaults.create(display_name="alice")
    store = client.beta.memory_stores.create(name="notes")
    deployment = deploy(client, agent, env, vault_ids=[vault.id],
                        resources=[{"type": "memory_store", "memory_store_id": store.id}])  # fmt: skip
    break_it(client, {"vault": vault.id, "store": store.id, "skill": skill.id})
    assert client.beta.deployments.run(deployment.id).error.type == error_type


def test_runs_list_pages_newest_first(client: Any, agent: Any, env: Any) -> None:
    deployment = deploy(client, agent, env)
    other = deploy(client, agent, env)
    ids = [client.beta.deployments.run(deployment.id).id for _ in range(3)]
    client.beta.deployments.run(other.id)
    listed = pages(client.beta.deployment_runs.list(deployment_id=deployment.id, limit=2))
    assert [[r.id for r in page] for page in listed] == [ids[:0:-1], ids[:1]]
    assert list(client.beta.deployment_runs.list(deployment_id="depl_nope")) == []
    since = client.beta.deployment_runs.retrieve(ids[1]).created_at
    newer = client.beta.deployment_runs.list(deployment_id=deployment.id, created_at_gt=since)
    assert [r.id for r in newer] == [ids[2]]
    with pytest.raises(anthropic.NotFoundError):
        client.beta.deployment_runs.retrieve("drun_nope")
