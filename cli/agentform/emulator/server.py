"""Running the emulator: in a background thread (`serve`) for tests, `--local` and the CLI."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import uvicorn

from agentform.emulator.app import create_app
from agentform.emulator.config import (
    DEFAULT_STREAM_IDLE_TIMEOUT,
    EmulatorConfig,
)
from agentform.emulator.state import Emulator, open_emulator
from agentform.errors import EmulatorStartError

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0


class _QuietDrops(logging.Filter):
    """Hide uvicorn's complaint about the responses we drop on purpose (`lost: drop`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


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
    log_requests: bool = False,
    turn_ms: int = 0,
    stream_idle_timeout: float = DEFAULT_STREAM_IDLE_TIMEOUT,
    wait_for_stop: bool = True,
) -> Iterator[str]:
    """Start an emulator in a daemon thread and yield its base URL (no trailing slash).

    `port=0` picks a free port; `db_path=None` uses a temporary database that is deleted
    on exit. The server stops (open streams closed, turns cancelled) when the block ends.
    `turn_ms` is how long a turn takes: `0` (the default here, for agentform's own commands
    and tests, which open the stream before they send) answers at once; `agentform emulator`
    uses 500. `stream_idle_timeout` ends quiet streams of idle sessions (0: never).
    `wait_for_stop=False` (`--local`: the process exits next) does not wait the ~0.2 s
    uvicorn takes to shut down: every request has committed, the database is closed
    under its lock, and the daemon thread ends with the process.
    """
    with ExitStack() as stack:
        if db_path is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="agentform-emulator-"))
            db_path = Path(tmp) / "emulator.db"
        config = EmulatorConfig(
            db_path,
            api_key,
            latency_ms,
            responder,
            ping_interval,
            log_requests,
            turn_ms,
            stream_idle_timeout,
        )
        em = open_emulator(config)
        stack.callback(em.store.close)
        server = _server(em, host, port)
        thread = threading.Thread(target=server.run, name="agentform-emulator", daemon=True)
        thread.start()
        stack.callback(_stop, em, server, thread, wait_for_stop)
        bound = _wait_until_started(server, thread, host, port)
        yield f"http://{_url_host(host)}:{bound}"


_QUIET_DROPS = _QuietDrops()


def _server(em: Emulator, host: str, port: int) -> uvicorn.Server:
    uvicorn_log = logging.getLogger("uvicorn.error")
    if _QUIET_DROPS not in uvicorn_log.filters:
        uvicorn_log.addFilter(_QUIET_DROPS)
    config = uvicorn.Config(
        create_app(em),
        host=host,
        port=port,
        http="h11",
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def _wait_until_started(
    server: uvicorn.Server, thread: threading.Thread, host: str, port: int
) -> int:
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise EmulatorStartError(
                f"the emulator could not start on {host}:{port} (is the port in use?)"
            )
        time.sleep(0.005)
    sockets = [s for srv in server.servers for s in srv.sockets]
    return int(sockets[0].getsockname()[1])


def _stop(em: Emulator, server: uvicorn.Server, thread: threading.Thread, wait: bool) -> None:
    if em.loop is not None and not em.loop.is_closed():
        with suppress(RuntimeError):  # the loop may have closed in the meantime
            em.loop.call_soon_threadsafe(em.stop_background_work)
    server.should_exit = True
    if wait:
        thread.join(timeout=_STOP_TIMEOUT)


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
