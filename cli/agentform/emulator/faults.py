"""Injected faults and per-route request counters (the `/_emulator/` admin API's state).

A fault applies to the next `count` requests whose method and path match (the path
exactly, or as a glob such as `/v1/agents/*`, where `*` also crosses `/`). It either
answers with an error status instead of running the request, or, when `lost` is set,
runs and commits the request and then loses the response: a 500 (`"500"`) or a
dropped connection (`"drop"`).
"""

from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LOST_MODES = ("500", "drop")
_METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH", "*")


class FaultSpecError(ValueError):
    """A fault request the admin API cannot accept; the message says which field."""


@dataclass
class Fault:
    method: str
    path: str
    remaining: int
    status: int = 500
    retry_after: float | None = None
    lost: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        return self.path == path or fnmatch.fnmatchcase(path, self.path)


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    unknown = sorted(set(spec) - {"method", "path", "count", "status", "retry_after", "lost"})
    if unknown:
        raise FaultSpecError(f"{unknown[0]}: unknown field")
    method = str(spec.get("method", "*")).upper()
    path = spec.get("path")
    count = spec.get("count", 1)
    status = spec.get("status", 500)
    retry_after = spec.get("retry_after")
    lost = spec.get("lost")
    if method not in _METHODS:
        raise FaultSpecError(f"method: expected one of {', '.join(_METHODS)}")
    if not isinstance(path, str) or not path.startswith("/"):
        raise FaultSpecError("path: expected a path such as /v1/agents or /v1/agents/*")
    if not _is_int(count) or count < 1:
        raise FaultSpecError("count: expected a positive integer")
    if not _is_int(status) or not 400 <= status <= 599:
        raise FaultSpecError("status: expected an HTTP error status (e.g. 429, 500, 503, 529)")
    if retry_after is not None and (not _is_number(retry_after) or retry_after < 0):
        raise FaultSpecError("retry_after: expected a non-negative number of seconds")
    if lost is not None and lost not in LOST_MODES:
        raise FaultSpecError('lost: expected null, "500" or "drop"')
    return Fault(method, path, count, status, retry_after, lost)


class FaultBook:
    """Pending faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.fired = 0

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first pending fault matching this request, counted as fired; else None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    self.fired += 1
                    return fault
        return None

    def pending(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.fired = 0


class Counters:
    """Requests seen per `METHOD /route/{template}`."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
