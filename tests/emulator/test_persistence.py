"""SQLite: state survives a restart, WAL mode, concurrent writers."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from agentform.emulator import admin


def test_state_survives_a_restart(fresh_emulator: Any, make_client: Any, tmp_path: Path) -> None:
    db = tmp_path / "state" / "emulator.db"
    with fresh_emulator(db_path=db) as url:
        client = make_client(url)
        agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6", system="v1")
        client.beta.agents.update(agent.id, system="v2")
        env = client.beta.environments.create(name="env")
        session = client.beta.sessions.create(agent=agent.id, environment_id=env.id)
        client.beta.sessions.events.send(
            session.id,
            events=[{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}],
        )
    with fresh_emulator(db_path=db) as url:
        client = make_client(url)
        assert client.beta.agents.retrieve(agent.id).system == "v2"
        assert client.beta.agents.retrieve(agent.id, version=1).system == "v1"
        assert client.beta.environments.retrieve(env.id).name == "env"
        assert client.beta.sessions.retrieve(session.id).agent.version == 2
        assert client.beta.sessions.events.list(session.id).data[0].type == "user.message"
        again = client.beta.agents.create(name="b", model="claude-sonnet-4-6")
        assert [a.id for a in client.beta.agents.list()] == [agent.id, again.id]


def test_database_uses_wal(fresh_emulator: Any, tmp_path: Path) -> None:
    db = tmp_path / "wal.db"
    with fresh_emulator(db_path=db):
        mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_twenty_concurrent_creates(client: Any, emulator_url: str) -> None:
    def create(index: int) -> str:
        agent = client.beta.agents.create(name=f"agent-{index}", model="claude-sonnet-4-6")
        return str(agent.id)

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(create, range(20)))
    assert len(set(ids)) == 20
    listed = client.beta.agents.list(limit=100).data
    assert sorted(a.id for a in listed) == sorted(ids)
    assert [a.created_at for a in listed] == sorted(a.created_at for a in listed)
    assert admin.counters(emulator_url)["POST /v1/agents"] == 20


def test_clock_never_repeats_or_goes_back() -> None:
    from agentform.emulator.ids import Clock

    future = int(time.time() * 1000) + 60_000  # e.g. stamps a previous run bumped ahead
    clock = Clock(last_ms=future)
    stamps = [clock.now_ms() for _ in range(100)]
    assert stamps[0] == future + 1 and stamps == sorted(set(stamps))
