"""Vaults through the real SDK (strict): create, update, list, archive, delete."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from tests.emulator.kinds import pages

BEARER = {"type": "static_bearer", "token": "tok-1", "mcp_server_url": "https://mcp.example.com"}


def test_create_and_retrieve(client: Any) -> None:
    vault = client.beta.vaults.create(display_name="Alice", metadata={"user": "u1"})
    assert vault.id.startswith("vlt_011C") and vault.type == "vault"
    assert (vault.display_name, vault.metadata, vault.archived_at) == (
        "Alice",
        {"user": "u1"},
        None,
    )
    assert vault.created_at == vault.updated_at
    assert client.beta.vaults.retrieve(vault.id) == vault


def test_update_patches_metadata_and_ignores_no_ops(client: Any) -> None:
    vault = client.beta.vaults.create(display_name="Alice", metadata={"a": "1", "b": "2"})
    same = client.beta.vaults.update(vault.id, display_name="Alice", metadata={"a": "1"})
    assert same.updated_at == vault.updated_at
    updated = client.beta.vaults.update(
        vault.id, display_name="Bob", metadata={"a": None, "c": "3"}
    )
    assert updated.display_name == "Bob" and updated.metadata == {"b": "2", "c": "3"}
    assert updated.updated_at > vault.updated_at
    with pytest.raises(anthropic.BadRequestError, match="cannot be cleared"):
        client.beta.vaults.update(vault.id, display_name=None)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"display_name": ""}, None),
        ({"display_name": "x" * 256}, None),
        ({"display_name": "a", "metadata": {f"k{i}": "v" for i in range(17)}}, "invalid_metadata"),
        ({"display_name": "a", "metadata": {"k" * 65: "v"}}, "invalid_metadata"),
    ],
)
def test_limits(client: Any, params: dict[str, Any], code: str | None) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.vaults.create(**params)
    assert caught.value.error_code == code
    assert list(client.beta.vaults.list()) == []


def test_list_pages_and_hides_archived(client: Any) -> None:
    ids = [client.beta.vaults.create(display_name=f"v{i}").id for i in range(5)]
    listed = pages(client.beta.vaults.list(limit=2))
    assert [[v.id for v in page] for page in listed] == [ids[:2], ids[2:4], ids[4:]]
    archived = client.beta.vaults.archive(ids[0])
    assert archived.archived_at is not None and archived.updated_at == archived.archived_at
    assert client.beta.vaults.archive(ids[0]) == archived  # idempotent
    assert [v.id for v in client.beta.vaults.list()] == ids[1:]
    assert [v.id for v in client.beta.vaults.list(include_archived=True)] == ids
    with pytest.raises(anthropic.BadRequestError, match="limit"):
        client.beta.vaults.list(limit=101)


def test_archived_vaults_are_read_only(client: Any) -> None:
    vault = client.beta.vaults.create(display_name="Alice")
    client.beta.vaults.credentials.create(vault.id, auth=BEARER)
    client.beta.vaults.archive(vault.id)
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.vaults.update(vault.id, display_name="Bob")
    with pytest.raises(anthropic.BadRequestError, match="archived"):
        client.beta.vaults.credentials.create(vault.id, auth=BEARER)
    assert len(list(client.beta.vaults.credentials.list(vault.id))) == 1


def test_delete_removes_the_vault_and_its_credentials(client: Any) -> None:
    vault = client.beta.vaults.create(display_name="Alice")
    credential = client.beta.vaults.credentials.create(vault.id, auth=BEARER)
    deleted = client.beta.vaults.delete(vault.id)
    assert (deleted.id, deleted.type) == (vault.id, "vault_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.vaults.retrieve(vault.id)
    with pytest.raises(anthropic.NotFoundError):
        client.beta.vaults.credentials.retrieve(credential.id, vault_id=vault.id)
    with pytest.raises(anthropic.NotFoundError):
        client.beta.vaults.delete(vault.id)


def test_vaults_are_per_workspace(client: Any, make_client: Any, emulator_url: str) -> None:
    vault = client.beta.vaults.create(display_name="Alice")
    other = make_client(emulator_url, default_headers={"anthropic-workspace-id": "wrkspc_other"})
    with pytest.raises(anthropic.NotFoundError):
        other.beta.vaults.retrieve(vault.id)
    assert list(other.beta.vaults.list()) == []
