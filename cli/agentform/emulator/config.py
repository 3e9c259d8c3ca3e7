"""The emulator's settings, fixed when a server starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKSPACE = "default"


@dataclass(frozen=True)
class EmulatorConfig:
    db_path: Path
    api_key: str | None = None  # when set, requests must present exactly this key
    latency_ms: int = 0  # added (as an async sleep) to every API request
    responder: Path | None = None  # YAML rules file; None = the built-in default replies
    ping_interval: float = 15.0  # seconds between `event: ping` frames on idle streams
    log_requests: bool = False  # one log line per request on the `agentform.emulator` logger
