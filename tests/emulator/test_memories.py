"""Memories and memory versions through the real SDK (strict)."""

from __future__ import annotations

import hashlib
from typing import Any

import anthropic
import pytest

from agentform.emulator import admin
from tests.emulator.kinds import make_agent, pages


@pytest.fixture
def store(client: Any) -> Any:
    return client.beta.memory_stores.create(name="notes")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_create_and_views(client: Any, store: Any) -> None:
    memories = client.beta.memory_stores.memories
    memory = memories.create(store.id, path="/projects/a.md", content="héllo")
    assert memory.id.startswith("mem_011C") and memory.type == "memory" and memory.content is None
    assert (memory.content_sha256, memory.content_size_bytes) == (sha("héllo"), 6)
    assert memory.memory_version_id.startswith("memver_011C")
    assert memories.retrieve(memory.id, memory_store_id=store.id).content == "héllo"
    assert memories.retrieve(memory.id, memory_store_id=store.id, view="basic").content is None
    full = memories.create(store.id, path="/b.md", content="", view="full")
    assert full.content == "" and full.content_size_bytes == 0


def test_paths_are_unique_and_validated(client: Any, store: Any) -> None:
    memories = client.beta.memory_stores.memories
    first = memories.create(store.id, path="/a.md", content="a")
    with pytest.raises(anthropic.ConflictError) as caught:
        memories.create(store.id, path="/a.md", content="again")
    assert caught.value.type == "memory_path_conflict_error" and first.id in caught.value.message
    other = memories.create(store.id, path="/b.md", content="b")
    with pytest.raises(anthropic.ConflictError):
        memories.update(other.id, memory_store_id=store.id, path="/a.md")
    for path in ("a.md", "/a//b", "/a/../b", "/a/", "/x\u0007", "/e\u0301", "/" + "s/" * 20 + "x"):
        with pytest.raises(anthropic.BadRequestError, match="path"):
            memories.create(store.id, path=path, content="x")
    with pytest.raises(anthropic.BadRequestError, match="102400 bytes"):
        memories.create(store.id, path="/big.md", content="x" * 102_401)


def test_update_renames_and_changes_content_with_versions(client: Any, store: Any) -> None:
    memories = client.beta.memory_stores.memories
    memory = memories.create(store.id, path="/a.md", content="one")
    same = memories.update(memory.id, memory_store_id=store.id, content="one", path="/a.md")
    assert (
        same.memory_version_id == memory.memory_version_id and same.updated_at == memory.updated_at
    )
    renamed = memories.update(memory.id, memory_store_id=store.id, path="/dir/a.md")
    assert renamed.id == memory.id and renamed.path == "/dir/a.md"
    changed = memories.update(memory.id, memory_store_id=store.id, content="two", view="full")
    assert changed.content == "two" and changed.content_sha256 == sha("two")
    versions = list(client.beta.memory_stores.memory_versions.list(store.id, memory_id=memory.id))
    assert [v.operation for v in versions] == ["modified", "modified", "created"]
    assert [v.path for v in versions] == ["/dir/a.md", "/dir/a.md", "/a.md"]
    assert versions[0].id == changed.memory_version_id


def test_preconditions_guard_updates_and_deletes(client: Any, store: Any) -> None:
    memories = client.beta.memory_stores.memories
    memory = memories.create(store.id, path="/a.md", content="one")
    stale = {"type": "content_sha256", "content_sha256": sha("zero")}
    with pytest.raises(anthropic.ConflictError) as caught:
        memories.update(memory.id, memory_store_id=store.id, content="two", precondition=stale)
    assert caught.value.type == "memory_precondition_failed_error"
    fresh = {"type": "content_sha256", "content_sha256": memory.content_sha256}
    updated = memories.update(
        memory.id, memory_store_id=store.id, content="two", precondition=fresh
    )
    with pytest.raises(anthropic.ConflictError):
        memories.delete(memory.id, memory_store_id=store.id, expected_content_sha256=sha("one"))
    with pytest.raises(anthropic.BadRequestError, match="64 lowercase"):
        memories.delete(memory.id, memory_store_id=store.id, expected_content_sha256="ABC")
    deleted = memories.delete(
        memory.id, memory_store_id=store.id, expected_content_sha256=updated.content_sha256
    )
    assert (deleted.id, deleted.type) == (memory.id, "memory_deleted")
    with pytest.raises(anthropic.NotFoundError):
        memories.retrieve(memory.id, memory_store_id=store.id)
    gone = client.beta.memory_stores.memory_versions.list(store.id, memory_id=memory.id).data[0]
    assert gone.operation == "deleted" and gone.content_sha256 is None and gone.path == "/a.md"


def test_list_by_prefix_and_depth_with_pages(client: Any, store: Any) -> None:
    memories = client.beta.memory_stores.memories
    for path in ("/a.md", "/notes/x.md", "/notes/deep/y.md", "/notes-old/z.md", "/z.md"):
        memories.create(store.id, path=path, content=path)
    everything = [m.path for m in memories.list(store.id)]
    assert everything == ["/a.md", "/notes-old/z.md", "/notes/deep/y.md", "/notes/x.md", "/z.md"]
    top = [(m.type, m.path) for m in memories.list(store.id, depth=1)]
    assert top == [("memory", "/a.md"), ("memory_prefix", "/notes-old/"),
                   ("memory_prefix", "/notes/"), ("memory", "/z.md")]  # fmt: skip
    notes = [(m.type, m.path) for m in memories.list(store.id, path_prefix="/notes/", depth=1)]
    assert notes == [("memory_prefix", "/notes/deep/"), ("memory", "/notes/x.md")]
    paged = pages(memories.list(store.id, depth=1, limit=3))
    assert [[m.path for m in page] for page in paged] == [
        ["/a.md", "/notes-old/", "/notes/"],
        ["/z.md"],
    ]
    full = list(memories.list(store.id, path_prefix="/notes/", view="full"))
    assert [m.content for m in full] == ["/notes/deep/y.md", "/notes/x.md"]
    with pytest.raises(anthropic.BadRequestError, match="path_prefix"):
        memories.list(store.id, path_prefix="/notes")


def test_full_view_pages_hold_at_most_twenty(client: Any, store: Any) -> None:
    for i in range(21):
        client.beta.memory_stores.memories.create(store.id, path=f"/m{i:02}.md", content="x")
    full = client.beta.memory_stores.memories.list(store.id, view="full", limit=100)
    assert len(full.data) == 20 and full.next_page
    assert len(client.beta.memory_stores.memories.list(store.id, limit=100).data) == 21


def test_versions_record_who_wrote_them(client: Any, store: Any, emulator_url: str) -> None:
    seeded = client.beta.memory_stores.memories.create(store.id, path="/seed.md", content="seed")
    agent = make_agent(client)
    env = client.beta.environments.create(name="env")
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id,
        resources=[{"type": "memory_store", "memory_store_id": store.id}],
    )  # fmt: skip
    written = admin.agent_write(
        emulator_url, store.id, session_id=session.id, path="/learned.md", content="agent"
    )
    admin.agent_write(emulator_url, store.id, session_id=session.id, path="/seed.md", content="x")
    versions = client.beta.memory_stores.memory_versions
    by_agent = list(versions.list(store.id, session_id=session.id))
    assert [v.memory_id for v in by_agent] == [seeded.id, written["id"]]
    assert {v.created_by.type for v in by_agent} == {"session_actor"}
    assert by_agent[0].created_by.session_id == session.id
    api_key_id = versions.list(store.id, operation="created").data[-1].created_by.api_key_id
    assert api_key_id.startswith("apikey_") and "test-key" not in api_key_id
    by_api = list(versions.list(store.id, api_key_id=api_key_id))
    assert [(v.memory_id, v.operation) for v in by_api] == [(seeded.id, "created")]


def test_agent_writes_need_a_writable_attachment(
    client: Any, store: Any, emulator_url: str
) -> None:
    agent = make_agent(client)
    env = client.beta.environments.create(name="env")
    read_only = {"type": "memory_store", "memory_store_id": store.id, "access": "read_only"}
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id, resources=[read_only]
    )
    with pytest.raises(admin.AdminError, match="read-only"):
        admin.agent_write(emulator_url, store.id, session_id=session.id, path="/x.md", content="x")
    bare = client.beta.sessions.create(agent=agent.id, environment_id=env.id)
    with pytest.raises(admin.AdminError, match="does not have"):
        admin.agent_write(emulator_url, store.id, session_id=bare.id, path="/x.md", content="x")
    assert list(client.beta.memory_stores.memories.list(store.id)) == []


def test_versions_retrieve_full_and_redact(client: Any, store: Any) -> None:
    memory = client.beta.memory_stores.memories.create(store.id, path="/secret.md", content="pw=1")
    versions = client.beta.memory_stores.memory_versions
    version = versions.retrieve(memory.memory_version_id, memory_store_id=store.id)
    assert version.content == "pw=1" and version.redacted_at is None
    assert versions.list(store.id).data[0].content is None
    assert versions.list(store.id, view="full").data[0].content == "pw=1"
    redacted = versions.redact(memory.memory_version_id, memory_store_id=store.id)
    assert redacted.redacted_at is not None and redacted.redacted_by.type == "api_actor"
    assert (redacted.content, redacted.path, redacted.content_sha256) == (None, None, None)
    assert redacted.content_size_bytes is None and redacted.created_by.type == "api_actor"
    again = versions.retrieve(memory.memory_version_id, memory_store_id=store.id)
    assert again.content is None and again.redacted_at == redacted.redacted_at
    assert versions.redact(memory.memory_version_id, memory_store_id=store.id) == redacted
    with pytest.raises(anthropic.NotFoundError):
        versions.retrieve("memver_nope", memory_store_id=store.id)


def test_version_list_pages_newest_first(client: Any, store: Any) -> None:
    memory = client.beta.memory_stores.memories.create(store.id, path="/a.md", content="0")
    for i in range(1, 5):
        client.beta.memory_stores.memories.update(
            memory.id, memory_store_id=store.id, content=str(i)
        )
    listed = pages(client.beta.memory_stores.memory_versions.list(store.id, limit=2))
    sizes = [[v.content_sha256 for v in page] for page in listed]
    assert sizes == [[sha("4"), sha("3")], [sha("2"), sha("1")], [sha("0")]]
    with pytest.raises(anthropic.BadRequestError, match="operation"):
        client.beta.memory_stores.memory_versions.list(store.id, operation="renamed")
