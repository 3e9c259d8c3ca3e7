"""The one writer of pins.yaml.

Every change to a pins file (apply, pin, promote, import, forget, mv) goes through a
PinStore. Under an exclusive lock (`flock` on `.agentform/locks/<name>.lock` beside
the file) it re-reads the file as it is now, applies single-entry changes, and writes
it atomically: a temp file, fsync, rename, fsync of the directory. So two writers
never lose each other's changes, a crash never leaves half a file, and a temp file a
killed writer left behind is removed by the next one.

Changes are conditional: an apply moves a pin only if it is still where the apply
found it (`expect`), so a rollback made meanwhile (`agentform pin`, an edit, a git
checkout) is never undone. `Batch` queues an apply's changes and writes them at most
every `interval` (0.5 s; sooner at the end), so a 5,000-resource apply rewrites the
file about a hundred times, not 5,000, and each write copies the file's entries once
(O(N + K) for K changes), never once per change; the intents the apply records before its first
server write (`Pending`) make the changes still queued at a crash recoverable.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from agentform.errors import UserError
from agentform.pins.fileformat import assemble, entry_text, loads
from agentform.pins.model import Pending, Pin, Pins

LOCK_WAIT = 30.0  # seconds a writer waits for another one (each holds it for milliseconds)


class _Keep:
    def __repr__(self) -> str:
        return "<keep>"


KEEP: Final = _Keep()  # leave this part of the entry as it is
ANY: Final = _Keep()  # no condition on the current pin


@dataclass(frozen=True)
class PinChange:
    """One entry's change: its pin (None removes it), and/or its pending intent.

    With `expect`, the pin moves only if the current one is that pin (same id, and same
    version unless `expect.version` is None; None: no pin); the intent change applies
    either way.

    With `moved_to`, the whole entry is renamed to that key instead (`pin` and `intent`
    are not used): only if its pin is `expect` and `moved_to` has no pin yet, so a
    rename never overwrites another resource's pin nor undoes a pin moved meanwhile.
    """

    section: str
    key: str
    pin: Pin | None | _Keep = KEEP
    intent: Pending | None | _Keep = KEEP
    expect: Pin | None | _Keep = ANY
    moved_to: str | None = None


class PinStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.parent / ".agentform" / "locks" / f"{path.name}.lock"
        self._known: tuple[str, Pins] | None = None  # the text last read or written, parsed
        self._texts: dict[tuple[str, str], tuple[Pin, str]] = {}
        self.written = False  # whether the last change or replace wrote the file

    def check_writable(self) -> None:
        """Fail now, before any server write, if the pins file cannot be written later."""
        directory = self.path.parent
        if not directory.is_dir():
            raise UserError(
                f"cannot write {self.path}: the directory {directory} does not exist "
                "(check --pins); nothing was changed"
            )
        if not os.access(directory, os.W_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            raise UserError(f"cannot write {self.path}: permission denied; nothing was changed")
        with self._locked():
            pass

    def read(self) -> Pins:
        with self._locked():
            return self._current()

    def change(
        self, changes: Sequence[PinChange], *, workspace_id: str | None = None
    ) -> list[bool]:
        """Apply `changes` in one locked write; for each, whether its pin condition held.

        `workspace_id` is recorded when the file has none yet (a file belongs to one
        workspace: agentform refuses it with another one before anything is written).
        """
        with self._locked():
            pins, applied = _apply_all(self._current(), changes)
            if workspace_id is not None and pins.workspace_id is None:
                pins = replace(pins, workspace_id=workspace_id)
            self.written = self._write(pins)
            return applied

    def replace(self, pins: Pins) -> bool:
        """Write `pins` as the whole file (tests, and tools that own the whole file)."""
        with self._locked():
            self._current()
            self.written = self._write(pins)
            return self.written

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _acquire(fd, self.path)
            self._remove_stale_temps()
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _current(self) -> Pins:
        """The file as it is now; parsed only if someone else wrote it since we did."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._known = None
            return Pins(path=self.path)
        if self._known is None or self._known[0] != text:
            self._known = (text, loads(text, path=self.path))
        return self._known[1]

    def _write(self, pins: Pins) -> bool:
        """Write `pins` unless the file already says exactly that (call after _current)."""
        text = assemble(pins, self._entry)
        if self._known is not None and self._known[0] == text:
            return False
        _atomic_write(self.path, text)
        self._known = (text, pins)
        return True

    def _entry(self, key: str, pin: Pin) -> str:
        cached = self._texts.get((key, pin.id))
        if cached is not None and cached[0] == pin:
            return cached[1]
        text = entry_text(key, pin)
        self._texts[(key, pin.id)] = (pin, text)
        return text

    def _remove_stale_temps(self) -> None:
        """Temp files of writers that died mid-write (we hold the lock: nobody is writing)."""
        for temp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            temp.unlink(missing_ok=True)


class Batch:
    """An apply's pin changes, written together at most every `interval` seconds.

    `add` queues; a background timer writes what is queued; `close` writes the rest.
    `rejected` lists the tags of changes whose pin condition did not hold (someone
    moved the pin meanwhile). A write error stops the batch: `add` and `close` raise it.
    """

    def __init__(self, store: PinStore, interval: float = 0.5) -> None:
        self.store = store
        self.interval = interval
        self.changed = False
        self._queue: list[tuple[PinChange, object]] = []
        self._rejected: list[object] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._timer = threading.Thread(target=self._run, name="pins-writer", daemon=True)
        self._timer.start()

    def add(self, change: PinChange, tag: object = None) -> None:
        if self._error is not None:
            raise self._error
        with self._lock:
            self._queue.append((change, tag))

    def flush(self) -> None:
        with self._write_lock:
            with self._lock:
                queued, self._queue = self._queue, []
            if not queued:
                return
            try:
                results = self.store.change([change for change, _ in queued])
            except BaseException as exc:
                self._error = exc
                raise
            self.changed = self.changed or self.store.written
            self._rejected += [tag for (_, tag), ok in zip(queued, results, strict=True) if not ok]

    def rejected(self) -> list[object]:
        return list(self._rejected)

    def close(self) -> None:
        self._stop.set()
        self._timer.join(timeout=5)
        self.flush()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            started = time.monotonic()
            try:
                self.flush()
            except BaseException:
                return  # recorded in _error; add/close raise it
            # A slow disk or a huge file: write less often, so writing stays <= 4% of the time.
            self.interval = max(self.interval, 25 * (time.monotonic() - started))


def _apply_all(pins: Pins, changes: Sequence[PinChange]) -> tuple[Pins, list[bool]]:
    """`pins` with `changes` made in order (one copy of the file's entries, not one per
    change: a batch of K changes to a file of N pins costs O(N + K), not O(N x K));
    for each change, whether its pin condition held."""
    sections = {name: dict(entries) for name, entries in pins.sections.items()}
    pending = {name: dict(intents) for name, intents in pins.pending.items()}
    applied = []
    for change in changes:
        if change.moved_to is not None:
            applied.append(_move(sections, pending, change, change.moved_to))
            continue
        ok = True
        if change.pin is not KEEP:
            entries = sections.setdefault(change.section, {})
            if change.expect is not ANY and not _same(entries.get(change.key), change.expect):  # type: ignore[arg-type]
                ok = False
            elif change.pin is None:
                entries.pop(change.key, None)
            else:
                entries[change.key] = change.pin  # type: ignore[assignment]
        if change.intent is not KEEP:
            intents = pending.setdefault(change.section, {})
            if change.intent is None:
                intents.pop(change.key, None)
            else:
                intents[change.key] = change.intent  # type: ignore[assignment]
        applied.append(ok)
    changed = Pins(sections, workspace_id=pins.workspace_id, pending=pending, path=pins.path)
    return changed, applied


def _move(
    sections: dict[str, dict[str, Pin]],
    pending: dict[str, dict[str, Pending]],
    change: PinChange,
    to: str,
) -> bool:
    """Rename an entry (its pin, and its intent unless `to` has one), only if its pin is
    still `expect` and `to` has no pin yet; whether it was renamed."""
    entries = sections.setdefault(change.section, {})
    if change.expect is not ANY and not _same(entries.get(change.key), change.expect):  # type: ignore[arg-type]
        return False
    if entries.get(to) is not None:
        return False
    pin = entries.pop(change.key, None)
    if pin is not None:
        entries[to] = pin
    intents = pending.setdefault(change.section, {})
    intent = intents.get(to) or intents.pop(change.key, None)
    intents.pop(change.key, None)
    if intent is not None:
        intents[to] = intent
    return True


def _same(current: Pin | None, expected: Pin | None) -> bool:
    if current is None or expected is None:
        return current is expected
    if expected.version is None:
        return current.id == expected.id
    return (current.id, current.version) == (expected.id, expected.version)


def _acquire(fd: int, path: Path) -> None:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise UserError(
                    f"{path} is locked by another agentform process for over {LOCK_WAIT:.0f} s"
                ) from None
            time.sleep(0.005)


def _atomic_write(path: Path, text: str) -> None:
    """Write a sibling temp file, fsync it, rename it over `path` (same mode as before)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    # 0o666 filtered by the umask, as for any new file; an existing file keeps its mode.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            temp.chmod(path.stat().st_mode & 0o777)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def write(path: Path, pins: Pins) -> bool:
    """Replace the whole file with `pins` through the locked writer; False if unchanged."""
    return PinStore(path).replace(pins)
