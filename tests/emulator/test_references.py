"""References between kinds: agents' skills and rosters, sessions' vaults and stores."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests.emulator.kinds import make_agent, skill_files, upload_skill


@pytest.fixture
def env(client: Any) -> Any:
    return client.beta.environments.create(name="env")


def test_custom_skills_resolve_to_the_latest_version(client: Any) -> None:
    skill = upload_skill(client)
    agent = make_agent(client, skills=[{"type": "custom", "skill_id": skill.id}])
    assert [(s.type, s.skill_id, s.version) for s in agent.skills] == [
        ("custom", skill.id, skill.latest_version_id)
    ]
    newer = client.beta.skills.versions.create(skill.id, files=skill_files())
    pinned = make_agent(
        client,
        skills=[{"type": "custom", "skill_id": skill.id, "version": skill.latest_version_id}],
    )
    assert pinned.skills[0].version == skill.latest_version_id
    latest = make_agent(
        client, skills=[{"type": "custom", "skill_id": skill.id, "version": "latest"}]
    )
    assert latest.skills[0].version == newer.id


def test_an_update_resolves_latest_again(client: Any) -> None:
    skill = upload_skill(client)
    refs = [{"type": "custom", "skill_id": skill.id}]
    agent = make_agent(client, skills=refs)
    assert client.beta.agents.update(agent.id, skills=refs).version == 1  # nothing changed
    newer = client.beta.skills.versions.create(skill.id, files=skill_files())
    updated = client.beta.agents.update(agent.id, skills=refs)
    assert updated.version == 2 and updated.skills[0].version == newer.id


def test_anthropic_skills_default_to_the_shipped_version(client: Any) -> None:
    agent = make_agent(
        client,
        skills=[
            {"type": "anthropic", "skill_id": "xlsx"},
            {"type": "anthropic", "skill_id": "pdf", "version": "20250101"},
        ],
    )
    assert [(s.skill_id, s.version) for s in agent.skills] == [
        ("xlsx", "20251013"),
        ("pdf", "20250101"),
    ]


@pytest.mark.parametrize(
    ("reference", "field"),
    [
        ({"type": "custom", "skill_id": "skill_011Cmissing"}, "skills.0"),
        ({"type": "anthropic", "skill_id": "not-a-skill"}, "skills.0.skill_id"),
    ],
)
def test_unknown_skills_are_404s_naming_the_field(client: Any, reference: Any, field: str) -> None:
    with pytest.raises(anthropic.NotFoundError, match=field) as caught:
        make_agent(client, skills=[reference])
    assert caught.value.type == "not_found_error"
    assert list(client.beta.agents.list()) == []


def test_unknown_versions_and_deleted_skills_are_404s(client: Any) -> None:
    skill = upload_skill(client)
    with pytest.raises(anthropic.NotFoundError, match="no version"):
        make_agent(
            client, skills=[{"type": "custom", "skill_id": skill.id, "version": "skillver_x"}]
        )
    agent = make_agent(client, skills=[{"type": "custom", "skill_id": skill.id}])
    client.beta.skills.delete(skill.id)
    with pytest.raises(anthropic.NotFoundError, match="not found"):
        client.beta.agents.update(agent.id, skills=[{"type": "custom", "skill_id": skill.id}])
    assert client.beta.agents.retrieve(agent.id).version == 1


def test_a_custom_reference_to_an_anthropic_skill_is_a_400(client: Any) -> None:
    with pytest.raises(anthropic.BadRequestError, match="not a custom skill"):
        make_agent(client, skills=[{"type": "custom", "skill_id": "xlsx"}])


def test_session_skill_overrides_resolve_too(client: Any, env: Any) -> None:
    skill = upload_skill(client)
    agent = make_agent(client)
    override = {"type": "agent_with_overrides", "id": agent.id}
    session = client.beta.sessions.create(
        agent={**override, "skills": [{"type": "custom", "skill_id": skill.id}]},
        environment_id=env.id,
    )
    assert session.agent.skills[0].version == skill.latest_version_id
    with pytest.raises(anthropic.NotFoundError, match="agent.skills.0"):
        client.beta.sessions.create(
            agent={**override, "skills": [{"type": "custom", "skill_id": "skill_nope"}]},
            environment_id=env.id,
        )


def test_rosters_reject_unknown_archived_and_missing_versions(client: Any) -> None:
    helper = make_agent(client, name="helper")
    roster = {"type": "coordinator", "agents": [{"type": "agent", "id": helper.id, "version": 9}]}
    with pytest.raises(anthropic.NotFoundError, match="no version 9"):
        make_agent(client, multiagent=roster)
    with pytest.raises(anthropic.NotFoundError, match="multiagent.agents.0"):
        make_agent(client, multiagent={"type": "coordinator", "agents": ["agent_011Cnope"]})
    client.beta.agents.archive(helper.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        make_agent(client, multiagent={"type": "coordinator", "agents": [helper.id]})


def test_sessions_check_vaults(client: Any, env: Any) -> None:
    agent = make_agent(client)
    vault = client.beta.vaults.create(display_name="alice")
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id, vault_ids=[vault.id]
    )
    assert session.vault_ids == [vault.id]
    with pytest.raises(anthropic.NotFoundError, match="vault_ids.0"):
        client.beta.sessions.create(agent=agent.id, environment_id=env.id, vault_ids=["vlt_nope"])
    with pytest.raises(anthropic.BadRequestError, match="listed twice"):
        client.beta.sessions.create(
            agent=agent.id, environment_id=env.id, vault_ids=[vault.id, vault.id]
        )
    client.beta.vaults.archive(vault.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.sessions.create(agent=agent.id, environment_id=env.id, vault_ids=[vault.id])


def test_sessions_check_and_snapshot_memory_stores(client: Any, env: Any) -> None:
    agent = make_agent(client)
    store = client.beta.memory_stores.create(name="User Preferences!", description="Prefs")
    resource = {"type": "memory_store", "memory_store_id": store.id, "access": "read_only"}
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id, resources=[resource]
    )
    attached = session.resources[0]
    assert (attached.name, attached.description) == ("User Preferences!", "Prefs")
    assert attached.mount_path == "/mnt/memory/user-preferences-" and attached.access == "read_only"
    client.beta.memory_stores.update(store.id, name="Renamed")
    assert client.beta.sessions.retrieve(session.id).resources[0].name == "User Preferences!"
    missing = {"type": "memory_store", "memory_store_id": "memstore_nope"}
    with pytest.raises(anthropic.NotFoundError, match="resources.0.memory_store_id"):
        client.beta.sessions.create(agent=agent.id, environment_id=env.id, resources=[missing])
    with pytest.raises(anthropic.BadRequestError, match="attached twice"):
        client.beta.sessions.create(
            agent=agent.id, environment_id=env.id, resources=[resource, resource]
        )
    client.beta.memory_stores.archive(store.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.sessions.create(agent=agent.id, environment_id=env.id, resources=[resource])
    assert [s.id for s in client.beta.sessions.list(memory_store_id=store.id)] == [session.id]


def test_at_most_eight_memory_stores_per_session(client: Any, env: Any) -> None:
    agent = make_agent(client)
    stores = [client.beta.memory_stores.create(name=f"s{i}").id for i in range(9)]
    resources = [{"type": "memory_store", "memory_store_id": s} for s in stores]
    with pytest.raises(anthropic.BadRequestError, match="at most 8"):
        client.beta.sessions.create(agent=agent.id, environment_id=env.id, resources=resources)
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id, resources=resources[:8]
    )
    assert len(session.resources) == 8
