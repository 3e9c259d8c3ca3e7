"""Eval results cached on disk, so that a rerun makes no session it does not need.

Two tables in one SQLite file (`.agentform/eval-cache.sqlite3` by default):

- `runs`: a finished turn (the reply, the tool calls, the token usage, the wall time),
  keyed by the server (its URL and workspace, or the local emulator and its responder
  rules), the digest of the agent spec the session ran (plus its environment), the
  digest of the case (the message sent) and the repeat index. Grades are not stored:
  they are recomputed from the turn, so a changed grader regrades without a session.
  Errors (timeouts, API failures) are never stored: they measured nothing.
- `judgments`: one LLM-judge call, keyed by the server, the judge model, its prompt
  (the grader's rubric, the case, the reply) and the judge's repeat index.

Writes are committed one by one from the event loop's thread (WAL mode: a crash loses at
most the entry being written). Reading is by key only, so memory does not grow with the
cache.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

DEFAULT_FILE = "eval-cache.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS judgments (key TEXT PRIMARY KEY, data TEXT NOT NULL);
"""


def key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


class Cache:
    """`Cache(None)` is a cache that holds nothing (--no-cache reads nothing either)."""

    def __init__(self, path: Path | None, *, read: bool = True) -> None:
        self.path = path
        self.read = read
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, run_key: str) -> dict[str, Any] | None:
        return self._get("runs", run_key)

    def put_run(self, run_key: str, data: dict[str, Any]) -> None:
        self._put("runs", run_key, data)

    def judgment(self, judgment_key: str) -> dict[str, Any] | None:
        return self._get("judgments", judgment_key)

    def put_judgment(self, judgment_key: str, data: dict[str, Any]) -> None:
        self._put("judgments", judgment_key, data)

    def _get(self, table: str, entry: str) -> dict[str, Any] | None:
        if self._db is None or not self.read:
            return None
        row = self._db.execute(f"SELECT data FROM {table} WHERE key = ?", (entry,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _put(self, table: str, entry: str, data: dict[str, Any]) -> None:
        if self._db is None:
            return
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self._db.execute(f"INSERT OR REPLACE INTO {table} (key, data) VALUES (?, ?)", (entry, text))
