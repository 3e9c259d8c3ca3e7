"""Memory stores and their seeded memories: created, updated when a file changes, deleted
only with --prune; what an agent wrote is never touched and is listed apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentform.emulator import admin
from tests.cli_helpers import agentform, plan_json
from tests.deployment_estate import pinned
from tests.estate import copy_example, write


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    estate = copy_example(tmp_path / "estate")
    write(estate, "memory_stores/notes.yaml", "name: triage-notes\ndescription: Team notes\n")
    write(estate, "memory_stores/notes/team/oncall.md", "On call: Ada.\n")
    write(estate, "memory_stores/notes/rules.md", "Escalate P1s.\n")
    return estate


def applied(estate: Path, url: str, *args: str) -> str:
    result = agentform(estate, url, "apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output
    return result.output


def memories(client: Any, estate: Path) -> dict[str, Any]:
    store = pinned(estate).get("memory_stores", "notes").id
    return {m.path: m for m in client.beta.memory_stores.memories.list(store)}


def store_change(estate: Path, url: str) -> dict[str, Any]:
    return next(c for c in plan_json(estate, url)["changes"] if c["key"] == "notes")


def agent_session(client: Any, estate: Path) -> Any:
    found = pinned(estate)
    store = found.get("memory_stores", "notes").id
    return client.beta.sessions.create(
        agent=found.agents["triage"].id,
        environment_id=found.environments["default"].id,
        resources=[{"type": "memory_store", "memory_store_id": store}],
    )


def test_seed_files_become_memories_and_a_changed_file_updates_its_memory(
    estate: Path, emulator_url: str, client: Any
) -> None:
    output = applied(estate, emulator_url)
    assert "memory /rules.md created; memory /team/oncall.md created" in output
    first = memories(client, estate)
    assert sorted(first) == ["/rules.md", "/team/oncall.md"]
    assert plan_json(estate, emulator_url)["has_changes"] is False

    write(estate, "memory_stores/notes/team/oncall.md", "On call: Grace.\n")
    change = store_change(estate, emulator_url)
    assert change["reason"] == "memory /team/oncall.md updated"
    assert [f["path"] for f in change["fields"]] == ["memories./team/oncall.md"]
    applied(estate, emulator_url)
    after = memories(client, estate)
    assert after["/team/oncall.md"].id == first["/team/oncall.md"].id
    store = pinned(estate).get("memory_stores", "notes").id
    versions = client.beta.memory_stores.memory_versions.list(
        store, memory_id=first["/team/oncall.md"].id
    )
    assert [v.operation for v in versions] == ["modified", "created"]
    full = client.beta.memory_stores.memories.retrieve(
        after["/team/oncall.md"].id, memory_store_id=store
    )
    assert full.content == "On call: Grace.\n"
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_a_removed_seed_file_is_deleted_only_with_prune(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    (estate / "memory_stores" / "notes" / "rules.md").unlink()
    plan = plan_json(estate, emulator_url)
    assert plan["has_changes"] is False
    assert [n["message"] for n in plan["notes"]] == [
        "memory /rules.md has no seed file any more; `apply --prune` deletes it"
    ]
    applied(estate, emulator_url)
    assert "/rules.md" in memories(client, estate)
    assert "memory /rules.md deleted" in applied(estate, emulator_url, "--prune")
    assert sorted(memories(client, estate)) == ["/team/oncall.md"]


def test_what_the_agent_wrote_is_never_touched_and_listed_apart(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    session = agent_session(client, estate)
    store = pinned(estate).get("memory_stores", "notes").id
    admin.agent_write(emulator_url, store, session_id=session.id, path="/learned.md", content="x")
    admin.agent_write(
        emulator_url, store, session_id=session.id, path="/rules.md", content="P1s: page Ada.\n"
    )
    plan = plan_json(estate, emulator_url, "--prune")
    assert plan["has_changes"] is False
    assert [n["message"] for n in plan["notes"]] == [
        f"memory /rules.md was last written by an agent in session {session.id}; its seed file "
        "is not applied (what an agent wrote is never touched)"
    ]
    applied(estate, emulator_url, "--prune")
    found = memories(client, estate)
    assert sorted(found) == ["/learned.md", "/rules.md", "/team/oncall.md"]
    rows = json.loads(agentform(estate, emulator_url, "status", "--format", "json").stdout)
    row = next(r for r in rows if r["kind"] == "memory_store")
    assert row["lines"] == [
        "1 memory seeded through the API",
        f"written by an agent (never touched): /learned.md (an agent in session {session.id}), "
        f"/rules.md (an agent in session {session.id})",
    ]


def test_a_seed_file_too_large_for_the_api_is_a_validate_error(
    estate: Path, emulator_url: str
) -> None:
    write(estate, "memory_stores/notes/big.md", "x" * 102_401)
    result = agentform(estate, emulator_url, "validate")
    assert result.exit_code == 1
    assert "big.md is 102,401 bytes; the limit is 102,400" in result.output


def test_a_deployment_mounts_the_store_by_key(estate: Path, emulator_url: str, client: Any) -> None:
    write(estate, "deployments/nightly.yaml", """
        name: nightly
        agent: triage
        environment: default
        resources: [{type: memory_store, memory_store_id: {memory_store: notes}}]
        initial_events: [{type: user.message, text: go}]
    """)  # fmt: skip
    applied(estate, emulator_url)
    found = pinned(estate)
    made = client.beta.deployments.retrieve(found.get("deployments", "nightly").id)
    assert made.resources[0].memory_store_id == found.get("memory_stores", "notes").id
    assert plan_json(estate, emulator_url)["has_changes"] is False
