"""Environments through the real SDK (strict): defaults, patch updates, delete, archive."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

LIMITED = {"type": "limited", "allow_package_managers": True}


def make_env(client: Any, **overrides: Any) -> Any:
    params: dict[str, Any] = {"name": "triage-env"}
    params.update(overrides)
    return client.beta.environments.create(**params)


def test_create_defaults(client: Any) -> None:
    env = make_env(client)
    assert env.id.startswith("env_011C") and env.type == "environment"
    assert env.config.type == "cloud" and env.config.networking.type == "unrestricted"
    packages = env.config.packages
    managers = ("apt", "cargo", "gem", "go", "npm", "pip")
    assert all(getattr(packages, manager) == [] for manager in managers)
    assert packages.type == "packages"
    assert env.metadata == {} and env.description is None and env.scope == "organization"
    assert env.created_at.endswith("Z") and env.archived_at is None


def test_limited_network_flags_and_packages(client: Any) -> None:
    env = make_env(
        client, config={"type": "cloud", "networking": LIMITED, "packages": {"pip": ["pandas"]}}
    )
    network = env.config.networking
    assert (network.allowed_hosts, network.allow_mcp_servers, network.allow_package_managers) == (
        [],
        False,
        True,
    )
    assert env.config.packages.pip == ["pandas"]
    with pytest.raises(anthropic.BadRequestError, match="allow_package_managers"):
        make_env(
            client,
            config={"type": "cloud", "networking": {"type": "limited"}, "packages": {"npm": ["x"]}},
        )


def test_update_is_a_patch(client: Any) -> None:
    env = make_env(
        client,
        description="d",
        metadata={"a": "1", "b": "2"},
        config={"type": "cloud", "networking": {**LIMITED, "allowed_hosts": ["api.example.com"]},
                "packages": {"pip": ["pandas"], "npm": ["express"]}},
    )  # fmt: skip
    updated = client.beta.environments.update(
        env.id,
        description="",
        metadata={"a": None, "b": "", "c": "3"},
        config={"type": "cloud", "networking": {"type": "limited", "allow_mcp_servers": True},
                "packages": {"pip": ["numpy"]}},
    )  # fmt: skip
    network = updated.config.networking
    assert network.allowed_hosts == ["api.example.com"] and network.allow_mcp_servers is True
    assert network.allow_package_managers is True
    assert updated.config.packages.pip == ["numpy"] and updated.config.packages.npm == ["express"]
    assert updated.description == "" and updated.metadata == {"c": "3"}
    assert updated.updated_at > env.updated_at
    unchanged = client.beta.environments.update(env.id, name="triage-env")
    assert unchanged.updated_at == updated.updated_at


def test_config_type_change_is_rejected(client: Any) -> None:
    env = make_env(client)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.environments.update(env.id, config={"type": "self_hosted"})
    assert caught.value.error_code == "invalid_config_type_change"


def test_archive_then_update_is_rejected(client: Any) -> None:
    env = make_env(client)
    archived = client.beta.environments.archive(env.id)
    assert archived.archived_at is not None
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.environments.update(env.id, name="renamed")
    assert caught.value.error_code == "environment_archived"
    assert client.beta.environments.list().data == []
    assert [e.id for e in client.beta.environments.list(include_archived=True)] == [env.id]


def test_delete_returns_a_json_body(client: Any) -> None:
    env = make_env(client)
    deleted = client.beta.environments.delete(env.id)
    assert (deleted.id, deleted.type) == (env.id, "environment_deleted")
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.beta.environments.retrieve(env.id)
    assert caught.value.error_code == "environment_not_found"


def test_delete_of_an_environment_in_use_is_a_409(client: Any) -> None:
    env = make_env(client)
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
    session = client.beta.sessions.create(agent=agent.id, environment_id=env.id)
    with pytest.raises(anthropic.ConflictError) as caught:
        client.beta.environments.delete(env.id)
    assert caught.value.type == "invalid_request_error"
    client.beta.sessions.delete(session.id)
    assert client.beta.environments.delete(env.id).type == "environment_deleted"


def test_list_pages_and_validation(client: Any) -> None:
    ids = [make_env(client, name=f"env-{i}").id for i in range(5)]
    first = client.beta.environments.list(limit=2)
    assert [e.id for e in first.data] == ids[:2] and first.next_page
    assert [e.id for e in client.beta.environments.list(limit=2)] == ids
    with pytest.raises(anthropic.BadRequestError, match="limit"):
        client.beta.environments.list(limit=1001)
    with pytest.raises(anthropic.BadRequestError, match="scope"):
        make_env(client, scope="account")
    with pytest.raises(anthropic.BadRequestError, match="config.packages.pip"):
        make_env(client, config={"type": "cloud", "packages": {"pip": "pandas"}})
