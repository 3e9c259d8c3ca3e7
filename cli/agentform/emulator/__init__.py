"""A faithful local emulator of the Claude Managed Agents API (agents, environments,
sessions, session events) for offline use, CI dry runs and tests.

Import-light on purpose: FastAPI, uvicorn and the SDK are imported only when a server
starts. `serve()` runs one in a background thread and yields its base URL:

    with agentform.emulator.serve() as url:
        client = anthropic.Anthropic(base_url=url, api_key="anything")

`agentform.emulator.admin` drives the test-only `/_emulator/` API (faults, counters,
reset). See docs/emulator.md for the responder rules file and the fidelity notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["serve"]


@contextmanager
def serve(
    *,
    db_path: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    latency_ms: int = 0,
    responder: Path | None = None,
    ping_interval: float = 15.0,
) -> Iterator[str]:
    """Start an emulator on `host:port` (0 = a free port) in a daemon thread; yield its URL.

    `db_path=None` means a temporary database, deleted on exit; otherwise state persists
    in that SQLite file across restarts. `api_key`, when set, is the only key accepted.
    """
    from agentform.emulator.server import serve as _serve

    with _serve(
        db_path=db_path,
        host=host,
        port=port,
        api_key=api_key,
        latency_ms=latency_ms,
        responder=responder,
        ping_interval=ping_interval,
    ) as url:
        yield url
