"""`agentform emulator`: serve the local Managed Agents API emulator in the foreground."""

from __future__ import annotations

import ipaddress
import logging
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from agentform.cli.app import App


class _Stop(Exception):
    """SIGTERM: leave the serving loop the same way Ctrl+C does."""


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database; state survives restarts.  [default: DIR/.agentform/emulator.db]",
)
@click.option(
    "--api-key",
    default=None,
    metavar="KEY",
    help="Accept only this key (x-api-key or Authorization: Bearer).  [default: any key]",
)
@click.option(
    "--latency-ms",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Delay added to every API request (concurrent requests overlap).",
)
@click.option(
    "--responder",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML rules file scripting the agents' replies (see docs/emulator.md).",
)
@click.option(
    "--turn-ms",
    default=500,
    show_default=True,
    type=click.IntRange(min=0),
    help="How long a session turn takes (a responder rule's delay_ms overrides it).",
)
@click.option(
    "--stream-idle-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="End an event stream that stayed quiet this long while its session was idle "
    "with nothing queued (0: never).",
)
@click.pass_obj
def emulator(
    app: App,
    host: str,
    port: int,
    db_path: Path | None,
    api_key: str | None,
    latency_ms: int,
    responder: Path | None,
    turn_ms: int,
    stream_idle_timeout: float,
) -> None:
    """Serve a local emulator of the Managed Agents API until interrupted.

    It answers the endpoints agentform uses (agents, agent versions,
    environments, sessions, session events, files) the way the real API does,
    stores everything in SQLite, and logs one line per request. Sessions reply
    through a deterministic responder, so evals run offline; each turn takes
    --turn-ms, so code that sends and then opens the stream sees the whole turn.
    The test-only admin API under /_emulator/ injects faults and reports request
    counters.

    \b
    Example:
      agentform emulator --port 8765 --responder evals/responder.yaml
      ANTHROPIC_BASE_URL=http://127.0.0.1:8765 ANTHROPIC_API_KEY=any python app.py
    """
    from agentform.emulator import validation
    from agentform.emulator.server import serve

    if not _is_loopback(host):
        click.secho(
            f"WARNING: binding {host}: anyone who can reach this machine can use the emulator"
            + ("" if api_key else " (no --api-key set: any key is accepted)"),
            fg="yellow",
            err=True,
        )
    db_path = db_path or app.state_dir / "emulator.db"
    validation.preload()  # import the SDK's param types now, not on the first request
    _log_requests()
    serving = serve(
        db_path=db_path,
        host=host,
        port=port,
        api_key=api_key,
        latency_ms=latency_ms,
        responder=responder,
        log_requests=True,
        turn_ms=turn_ms,
        stream_idle_timeout=stream_idle_timeout,
    )
    with serving as url:
        key_hint = "<your --api-key>" if api_key else "<any key>"
        click.echo(f"agentform emulator listening on {url} (database: {db_path})")
        click.echo(f"Point the SDK at it: ANTHROPIC_BASE_URL={url} ANTHROPIC_API_KEY={key_hint}")
        click.echo("Press Ctrl+C to stop.")
        _wait_for_interrupt()
    click.echo("Emulator stopped.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _log_requests() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger("agentform.emulator")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _wait_for_interrupt() -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        threading.Event().wait()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


COMMANDS = [emulator]
