"""SQLite persistence: WAL, one connection, JSON bodies stored exactly as served.

Each object row keeps the response body as JSON text, so reads and list pages are
served without re-serialising anything. Rows are partitioned by workspace. All access
goes through one connection guarded by a lock; the server runs handlers on one event
loop, so writes are serialised and every write is a single short transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentform.emulator.kinds_schema import KIND_CLOCK_SOURCES, KIND_SCHEMA, KIND_TABLES
from agentform.emulator.wire import dumps, loads

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS agents_order ON agents (workspace, created_us, id);
CREATE TABLE IF NOT EXISTS agent_versions (
    agent_id TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (agent_id, version));
CREATE TABLE IF NOT EXISTS environments (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS environments_order ON environments (workspace, created_us, id);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, agent_id TEXT NOT NULL,
    agent_version INTEGER NOT NULL, environment_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_order ON sessions (workspace, created_us, id);
CREATE INDEX IF NOT EXISTS sessions_environment ON sessions (environment_id);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL, processed_us INTEGER, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id, seq);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_us INTEGER NOT NULL,
    scope_id TEXT, body TEXT NOT NULL, content BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS files_order ON files (workspace, created_us, id);
"""

_TABLES = ("agents", "agent_versions", "environments", "sessions", "events", "files")


@dataclass(frozen=True)
class Page:
    """One page of rows in listing order, with the sort keys of its ends."""

    bodies: list[str]
    keys: list[tuple[int, str]]
    has_more: bool


@dataclass
class ListQuery:
    """A keyset-paginated listing of one object table within one workspace."""

    table: str
    workspace: str
    limit: int
    descending: bool = False
    after: tuple[int, str] | None = None  # strictly after this key, in listing order
    before: tuple[int, str] | None = None  # strictly before this key, in listing order
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(_SCHEMA)
        self._conn.executescript(KIND_SCHEMA)
        self._conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on the shared connection."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def archive(self, table: str, object_id: str, body: str, stamp: str) -> str:
        """Mark an agent or environment row archived; return its body with `archived_at`."""
        if table not in ("agents", "environments"):
            raise ValueError(f"cannot archive rows of {table}")
        obj = loads(body)
        obj["archived_at"] = stamp
        text = dumps(obj)
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE {table} SET archived = 1, body = ? WHERE id = ?", (text, object_id)
            )
        return text

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())

    def page(self, query: ListQuery) -> Page:
        """Keyset pagination over (created_us, id); `before` pages are returned in listing order."""
        backwards = query.before is not None
        descending = query.descending != backwards
        clauses = ["workspace = ?", *query.where]
        params: list[Any] = [query.workspace, *query.params]
        bound = query.before if backwards else query.after
        if bound is not None:
            clauses.append(f"(created_us, id) {'<' if descending else '>'} (?, ?)")
            params.extend(bound)
        direction = "DESC" if descending else "ASC"
        sql = (
            f"SELECT created_us, id, body FROM {query.table} WHERE {' AND '.join(clauses)} "
            f"ORDER BY created_us {direction}, id {direction} LIMIT ?"
        )
        rows = self.all(sql, [*params, query.limit + 1])
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if backwards:
            rows.reverse()
        return Page(
            bodies=[r[2] for r in rows], keys=[(r[0], r[1]) for r in rows], has_more=has_more
        )

    def latest_ms(self) -> int:
        """The latest timestamp stored (ms), so a restarted clock never goes backwards."""
        sources = [("created_us", "agents"), ("created_us", "environments")]
        sources += [("created_us", "sessions"), ("processed_us", "events")]
        sources += [*KIND_CLOCK_SOURCES, ("created_us", "files")]
        latest = ", ".join(f"COALESCE((SELECT MAX({c}) FROM {t}), 0)" for c, t in sources)
        row = self.one(f"SELECT MAX({latest})")
        return int(row[0]) // 1000 if row else 0

    def wipe(self) -> None:
        """Delete every stored object (the admin reset with `data: true`)."""
        with self.transaction() as conn:
            for table in (*_TABLES, *KIND_TABLES):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
