"""Object ids and timestamps in the real API's formats.

Ids are a type prefix, `_011C`, and random base62 (`agent_011CZkYpogX7uDKUyvBTophP`).
Timestamps are RFC 3339 UTC with millisecond precision and a `Z` suffix. The clock is
strictly increasing within a process, so `created_at` alone totally orders the objects
one emulator creates and list cursors never skip an object inserted mid-pagination.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from datetime import datetime, timezone

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
_RANDOM_LEN = 22


def new_id(prefix: str) -> str:
    """A fresh id such as `agent_011C...` (prefix, `_011C`, 22 random base62 chars)."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LEN))
    return f"{prefix}_011C{tail}"


class Clock:
    """Wall-clock milliseconds, bumped by 1 ms when two calls land in the same millisecond.

    `last_ms` (the latest stamp already stored) keeps the order across a restart.
    """

    def __init__(self, last_ms: int = 0) -> None:
        self._last = last_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            now = max(int(time.time() * 1000), self._last + 1)
            self._last = now
            return now


def format_ms(ms: int) -> str:
    """`1743704650412` -> `2025-04-03T18:24:10.412Z`."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_rfc3339_us(text: str) -> int:
    """Microseconds since the epoch for an RFC 3339 string (`Z` or an offset; naive = UTC).

    Raises ValueError on anything else.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
