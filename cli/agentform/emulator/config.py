"""The emulator's settings, fixed when a server starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKSPACE = "default"
DEFAULT_STREAM_IDLE_TIMEOUT = 60.0


@dataclass(frozen=True)
class EmulatorConfig:
    db_path: Path
    api_key: str | None = None  # when set, requests must present exactly this key
    latency_ms: int = 0  # added (as an async sleep) to every API request
    responder: Path | None = None  # YAML rules file; None = the built-in default replies
    ping_interval: float = 15.0  # seconds between `event: ping` frames on idle streams
    log_requests: bool = False  # one log line per request on the `agentform.emulator` logger
    # How long a turn runs (running -> idle); rules may override. `agentform emulator` uses
    # 500 ms, like a short turn of a fast model, so a client may send and only then open
    # the stream (as the API's tutorials do); embedded use (tests, --local) answers at once.
    turn_ms: int = 0
    # A stream that carried nothing for this long while its session sat idle with nothing
    # queued ends with an error frame instead of pinging forever (0: never).
    stream_idle_timeout: float = DEFAULT_STREAM_IDLE_TIMEOUT
