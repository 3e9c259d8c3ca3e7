"""One apply at a time per pins file, on one machine.

Two applies from the same directory would plan against the same state and both
create what is missing. The apply lock (`flock` on `.agentform/locks/<pins>.apply.lock`
beside the pins file, taken before the plan is read) makes the second one wait up to
`--lock-timeout` seconds, then fail with who holds it. Applies on different machines
cannot share a lock file: apply.reconcile keeps them from leaving duplicates, and the
CI recipes put applies in one `concurrency:` group. The lock is released by the
kernel when the process dies, so a killed apply never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from agentform.errors import UserError


class LockedError(UserError):
    """Another apply holds the lock of this pins file."""


@contextmanager
def apply_lock(pins_path: Path, timeout: float = 0.0) -> Iterator[None]:
    path = pins_path.parent / ".agentform" / "locks" / f"{pins_path.name}.apply.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, path, pins_path, timeout)
        os.ftruncate(fd, 0)
        os.write(fd, _holder().encode())
        yield
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, pins_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = path.read_text(encoding="utf-8").strip() or "another process"
                raise LockedError(
                    f"another agentform apply is running for {pins_path} ({holder}); nothing "
                    "was changed. Wait for it, or pass --lock-timeout SECONDS to wait here"
                ) from None
            time.sleep(0.1)


def _holder() -> str:
    started = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"pid {os.getpid()} on {socket.gethostname()}, started {started}"
