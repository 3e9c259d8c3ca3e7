"""Sessions through the real SDK (strict): pinning, overrides, list, archive, delete."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest


@pytest.fixture
def agent(client: Any) -> Any:
    agent = client.beta.agents.create(
        name="triage", model="claude-sonnet-4-6", system="v1", metadata={"agentform.key": "triage"}
    )
    client.beta.agents.update(agent.id, system="v2")
    return agent


@pytest.fixture
def env(client: Any) -> Any:
    return client.beta.environments.create(name="env")


def test_agent_id_string_pins_the_latest_version(client: Any, agent: Any, env: Any) -> None:
    session = client.beta.sessions.create(agent=agent.id, environment_id=env.id, title="t")
    assert session.id.startswith("sesn_011C") and session.status == "idle"
    assert (session.agent.version, session.agent.system) == (2, "v2")
    assert session.title == "t" and session.environment_id == env.id
    assert session.resources == [] and session.vault_ids == [] and session.outcome_evaluations == []
    assert session.usage.input_tokens == 0 and session.stats.active_seconds == 0


def test_agent_object_pins_a_version(client: Any, agent: Any, env: Any) -> None:
    session = client.beta.sessions.create(
        agent={"type": "agent", "id": agent.id, "version": 1}, environment_id=env.id
    )
    assert (session.agent.version, session.agent.system) == (1, "v1")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.sessions.create(
            agent={"type": "agent", "id": agent.id, "version": 9}, environment_id=env.id
        )


def test_overrides_apply_to_the_session_only(client: Any, agent: Any, env: Any) -> None:
    session = client.beta.sessions.create(
        agent={
            "type": "agent_with_overrides",
            "id": agent.id,
            "system": "override",
            "model": "claude-opus-4-8",
        },
        environment_id=env.id,
    )
    assert session.agent.system == "override" and session.agent.model.id == "claude-opus-4-8"
    assert client.beta.agents.retrieve(agent.id).system == "v2"


def test_resources_and_metadata(client: Any, agent: Any, env: Any) -> None:
    store = client.beta.memory_stores.create(name="notes")
    uploaded = client.beta.files.upload(file=("notes.txt", b"hi", "text/plain"))
    session = client.beta.sessions.create(
        agent=agent.id,
        environment_id=env.id,
        metadata={"ticket": "42"},
        resources=[
            {
                "type": "github_repository",
                "url": "https://github.com/acme/app",
                "authorization_token": "t",
            },
            {"type": "file", "file_id": uploaded.id},
            {"type": "memory_store", "memory_store_id": store.id},
        ],
        budget={"type": "limit", "max_list_cost": {"amount": "2500", "currency": "USD"}},
    )
    repo, file, memory = session.resources
    assert repo.mount_path == "/workspace/app" and repo.id.startswith("sesrsc_")
    assert file.file_id == uploaded.id and memory.access == "read_write"
    assert session.metadata == {"ticket": "42"} and session.budget.max_list_cost.amount == "2500"
    assert [s.id for s in client.beta.sessions.list(memory_store_id=store.id)] == [session.id]


def test_missing_or_archived_references(client: Any, agent: Any, env: Any) -> None:
    with pytest.raises(anthropic.NotFoundError):
        client.beta.sessions.create(agent="agent_011Cnope", environment_id=env.id)
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.beta.sessions.create(agent=agent.id, environment_id="env_011Cnope")
    assert caught.value.error_code == "environment_not_found"
    client.beta.environments.archive(env.id)
    with pytest.raises(anthropic.BadRequestError) as archived_env:
        client.beta.sessions.create(agent=agent.id, environment_id=env.id)
    assert archived_env.value.error_code == "environment_archived"
    live_env = client.beta.environments.create(name="live")
    client.beta.agents.archive(agent.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.sessions.create(agent=agent.id, environment_id=live_env.id)


def test_list_is_newest_first_with_both_cursors(client: Any, agent: Any, env: Any) -> None:
    ids = [client.beta.sessions.create(agent=agent.id, environment_id=env.id).id for _ in range(5)]
    first = client.beta.sessions.list(limit=2)
    assert [s.id for s in first.data] == ids[::-1][:2]
    assert first.prev_page is None and first.next_page
    second = client.beta.sessions.list(limit=2, page=first.next_page)
    assert [s.id for s in second.data] == ids[::-1][2:4]
    back = client.beta.sessions.list(limit=2, page=second.prev_page)
    assert [s.id for s in back.data] == ids[::-1][:2]
    assert [s.id for s in client.beta.sessions.list(order="asc", limit=2)] == ids
    with pytest.raises(anthropic.BadRequestError, match="order"):
        client.beta.sessions.list(order="asc", page=first.next_page)


def test_list_filters(client: Any, agent: Any, env: Any) -> None:
    pinned = client.beta.sessions.create(
        agent={"type": "agent", "id": agent.id, "version": 1}, environment_id=env.id
    )
    latest = client.beta.sessions.create(agent=agent.id, environment_id=env.id)
    by_version = client.beta.sessions.list(agent_id=agent.id, agent_version=1).data
    assert [s.id for s in by_version] == [pinned.id]
    assert [s.id for s in client.beta.sessions.list(statuses=["idle"])] == [latest.id, pinned.id]
    assert client.beta.sessions.list(statuses=["running"]).data == []
    with pytest.raises(anthropic.BadRequestError, match="agent_version"):
        client.beta.sessions.list(agent_version=1)


def test_update_archive_and_delete(client: Any, agent: Any, env: Any) -> None:
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id, metadata={"a": "1"}
    )
    updated = client.beta.sessions.update(
        session.id, title="renamed", metadata={"a": None, "b": "2"}
    )
    assert updated.title == "renamed" and updated.metadata == {"b": "2"}
    archived = client.beta.sessions.archive(session.id)
    assert archived.archived_at is not None
    assert client.beta.sessions.list().data == []
    assert [s.id for s in client.beta.sessions.list(include_archived=True)] == [session.id]
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.sessions.events.send(
            session.id,
            events=[{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}],
        )
    deleted = client.beta.sessions.delete(session.id)
    assert (deleted.id, deleted.type) == (session.id, "session_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.sessions.retrieve(session.id)
