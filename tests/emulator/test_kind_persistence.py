"""The new kinds' tables: they survive a restart, and an older database gains them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from agentform.emulator.store import _SCHEMA
from tests.emulator.kinds import upload_skill, user_message


def test_kinds_survive_a_restart(fresh_emulator: Any, make_client: Any, tmp_path: Path) -> None:
    db = tmp_path / "kinds.db"
    with fresh_emulator(db_path=db) as url:
        client = make_client(url)
        skill = upload_skill(client)
        vault = client.beta.vaults.create(display_name="alice")
        store = client.beta.memory_stores.create(name="notes")
        memory = client.beta.memory_stores.memories.create(store.id, path="/a.md", content="kept")
        agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
        env = client.beta.environments.create(name="env")
        deployment = client.beta.deployments.create(
            name="d", agent=agent.id, environment_id=env.id, initial_events=[user_message("go")]
        )
        run = client.beta.deployments.run(deployment.id)
    with fresh_emulator(db_path=db) as url:
        client = make_client(url)
        assert client.beta.skills.retrieve(skill.id).latest_version_id == skill.latest_version_id
        assert client.beta.vaults.retrieve(vault.id).display_name == "alice"
        retrieved = client.beta.memory_stores.memories.retrieve(memory.id, memory_store_id=store.id)
        assert retrieved.content == "kept"
        assert client.beta.deployment_runs.retrieve(run.id).session_id == run.session_id
        newer = client.beta.vaults.create(display_name="bob")
        assert newer.created_at > vault.created_at


def test_a_database_from_before_the_kinds_opens(
    fresh_emulator: Any, make_client: Any, tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(_SCHEMA)
    with fresh_emulator(db_path=db) as url:
        vault = make_client(url).beta.vaults.create(display_name="alice")
    tables = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert {"vaults", "skills", "memories", "deployments"} <= tables
    assert vault.id.startswith("vlt_")
