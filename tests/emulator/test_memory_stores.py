"""Memory stores through the real SDK (strict): create, update, list, archive, delete."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest

from tests.emulator.kinds import pages


def test_create_retrieve_and_defaults(client: Any) -> None:
    store = client.beta.memory_stores.create(name="User Preferences")
    assert store.id.startswith("memstore_011C") and store.type == "memory_store"
    assert (store.description, store.metadata, store.archived_at) == ("", {}, None)
    assert client.beta.memory_stores.retrieve(store.id) == store


def test_update_semantics(client: Any) -> None:
    store = client.beta.memory_stores.create(name="prefs", description="d", metadata={"a": "1"})
    same = client.beta.memory_stores.update(store.id, name="prefs", metadata={"a": "1"})
    assert same.updated_at == store.updated_at
    updated = client.beta.memory_stores.update(
        store.id, name="renamed", description="", metadata={"a": None, "b": "2"}
    )
    assert (updated.name, updated.description, updated.metadata) == ("renamed", "", {"b": "2"})
    assert updated.updated_at > store.updated_at
    with pytest.raises(anthropic.BadRequestError, match="cannot be cleared"):
        client.beta.memory_stores.update(store.id, name=None)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"name": ""}, None),
        ({"name": "x" * 256}, None),
        ({"name": "tab\there"}, None),
        ({"name": "ok", "description": "d" * 1025}, None),
        ({"name": "ok", "metadata": {f"k{i}": "v" for i in range(17)}}, "invalid_metadata"),
        ({"name": "ok", "metadata": {"k": "v" * 513}}, "invalid_metadata"),
    ],
)
def test_limits(client: Any, params: dict[str, Any], code: str | None) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.memory_stores.create(**params)
    assert caught.value.error_code == code
    assert list(client.beta.memory_stores.list()) == []


def test_list_pages_filters_and_hides_archived(client: Any) -> None:
    stores = [client.beta.memory_stores.create(name=f"s{i}") for i in range(5)]
    ids = [s.id for s in stores]
    listed = pages(client.beta.memory_stores.list(limit=2))
    assert [[s.id for s in page] for page in listed] == [ids[:2], ids[2:4], ids[4:]]
    since = client.beta.memory_stores.list(created_at_gte=stores[3].created_at)
    assert [s.id for s in since] == ids[3:]
    until = client.beta.memory_stores.list(created_at_lte=stores[1].created_at)
    assert [s.id for s in until] == ids[:2]
    client.beta.memory_stores.archive(ids[0])
    assert [s.id for s in client.beta.memory_stores.list()] == ids[1:]
    assert [s.id for s in client.beta.memory_stores.list(include_archived=True)] == ids


def test_an_archived_store_is_read_only_but_readable(client: Any) -> None:
    store = client.beta.memory_stores.create(name="prefs")
    memory = client.beta.memory_stores.memories.create(store.id, path="/a.md", content="a")
    archived = client.beta.memory_stores.archive(store.id)
    assert archived.archived_at is not None and archived.updated_at == archived.archived_at
    assert client.beta.memory_stores.archive(store.id) == archived
    for write in (
        lambda: client.beta.memory_stores.update(store.id, name="x"),
        lambda: client.beta.memory_stores.memories.create(store.id, path="/b.md", content="b"),
        lambda: client.beta.memory_stores.memories.update(
            memory.id, memory_store_id=store.id, content="changed"
        ),
    ):
        with pytest.raises(anthropic.BadRequestError, match="archived"):
            write()
    assert (
        client.beta.memory_stores.memories.retrieve(memory.id, memory_store_id=store.id).content
        == "a"
    )
    version = client.beta.memory_stores.memory_versions.list(store.id).data[0]
    assert (
        client.beta.memory_stores.memory_versions.redact(
            version.id, memory_store_id=store.id
        ).redacted_at
        is not None
    )
    client.beta.memory_stores.memories.delete(memory.id, memory_store_id=store.id)


def test_delete_removes_memories_and_versions(client: Any) -> None:
    store = client.beta.memory_stores.create(name="prefs")
    memory = client.beta.memory_stores.memories.create(store.id, path="/a.md", content="a")
    deleted = client.beta.memory_stores.delete(store.id)
    assert (deleted.id, deleted.type) == (store.id, "memory_store_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.beta.memory_stores.memories.retrieve(memory.id, memory_store_id=store.id)
    with pytest.raises(anthropic.NotFoundError):
        client.beta.memory_stores.memory_versions.list(store.id)


def test_memory_endpoints_need_their_beta_token(emulator_url: str) -> None:
    headers = {"x-api-key": "k", "anthropic-beta": "managed-agents-2026-04-01"}
    response = httpx2.get(emulator_url + "/v1/memory_stores", headers=headers, timeout=5)
    assert response.status_code == 400
    assert "agent-memory-2026-07-22" in response.json()["error"]["message"]
    skills = httpx2.get(emulator_url + "/v1/skills", headers={"x-api-key": "k"}, timeout=5)
    assert skills.status_code == 200 and len(skills.json()["data"]) == 4
