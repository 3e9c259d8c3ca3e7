"""Execute a Plan through the SDK. Every success is recorded in pins.yaml at once.

Changes run concurrently with a bound. A pin moves only for a resource this apply
created, updated, replaced or found unpinned; each move is written atomically as soon
as its write succeeds, so a crash or a failure halfway leaves pins.yaml valid and true
to what happened. Archiving needs `prune=True`. With a `gate`, an agent's new version
is pinned only if the gate passes it (`refused` otherwise: the version exists, the pin
stays). The core never prints: progress goes to the `report` callback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agentform import pins as pinsfile
from agentform.apply import writes as writes
from agentform.errors import AgentformError, UserError
from agentform.kinds import kind
from agentform.kinds.shape import digest
from agentform.pins.model import Pin, Pins
from agentform.plan.build import Change, Plan
from agentform.remote.client import Remote, RemoteError
from agentform.remote.state import ServerObject

Status = Literal["done", "unchanged", "skipped", "failed", "refused"]
SAFE_ARCHIVES = 2  # archiving more than this, and more than a quarter, needs force
SAFE_SHARE = 0.25


class UnsafePlanError(UserError):
    """The apply would archive a large share of what agentform manages."""


@dataclass(frozen=True)
class GateVerdict:
    """A gate's answer for one new agent version; `details` are for the renderer."""

    passed: bool
    message: str
    details: tuple[Any, ...] = ()


Gate = Callable[[Change, ServerObject], GateVerdict]


@dataclass(frozen=True)
class ApplyOptions:
    prune: bool = False
    force: bool = False
    parallelism: int = 4
    policy: writes.RetryPolicy = field(default_factory=writes.RetryPolicy)
    gate: Gate | None = None  # asked before an updated agent's new version is pinned


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    message: str
    verdict: GateVerdict | None = None


@dataclass(frozen=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]
    pins_changed: bool

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def refused(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "refused")

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def check_safe(plan: Plan, options: ApplyOptions) -> None:
    """Refuse a pruning apply that archives a large share of the estate without `force`.

    Archives are irreversible; the usual cause is running apply from the wrong
    directory, or with most manifests deleted by mistake.
    """
    if not options.prune or options.force:
        return
    archives = [c for c in plan.changes if c.action == "archive" and c.live]
    managed = len(plan.changes)
    if len(archives) > SAFE_ARCHIVES and len(archives) > SAFE_SHARE * managed:
        keys = ", ".join(f"{c.kind} {c.key}" for c in archives)
        raise UnsafePlanError(
            f"this apply would archive {len(archives)} of the {managed} resources agentform "
            f"manages here ({keys}); archives are irreversible: pass --force if you mean it"
        )


def apply_plan(
    plan: Plan,
    remote: Remote,
    pins: Pins,
    pins_path: Path,
    options: ApplyOptions,
    report: Callable[[Outcome], None] = lambda outcome: None,
) -> ApplyResult:
    check_safe(plan, options)
    book = _PinBook(pins, pins_path)
    runner = _Runner(remote, book, options)
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, options.parallelism)) as pool:
        pending: set[Future[Outcome]] = {pool.submit(runner.run, c) for c in plan.actionable()}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcomes.append(future.result())
                    report(outcomes[-1])
        except BaseException:
            for future in pending:
                future.cancel()  # in-flight writes finish and are still recorded
            raise
    return ApplyResult(tuple(sorted(outcomes, key=lambda o: o.change.order)), book.changed)


class _PinBook:
    """The pins as this apply moves them; every move is written to disk at once."""

    def __init__(self, pins: Pins, path: Path) -> None:
        self.pins = pins
        self.path = path
        self.changed = False
        self._lock = threading.Lock()

    def set(self, kind_name: str, key: str, pin: Pin | None) -> None:
        with self._lock:
            self._write(self.pins.with_pin(kind(kind_name).plural, key, pin))

    def get(self, kind_name: str, key: str) -> Pin | None:
        return self.pins.get(kind(kind_name).plural, key)

    def _write(self, pins: Pins) -> None:
        self.pins = pins
        self.changed = pinsfile.write(self.path, pins) or self.changed


class _Runner:
    def __init__(self, remote: Remote, book: _PinBook, options: ApplyOptions) -> None:
        self.remote = remote
        self.book = book
        self.options = options

    def run(self, change: Change) -> Outcome:
        try:
            handler: Callable[[Change], Outcome] = getattr(self, f"_{change.action}")
            return handler(change)
        except RemoteError as exc:
            return Outcome(change, "failed", str(exc))

    def _create(self, change: Change) -> Outcome:
        created = writes.create(
            self.remote, change.kind, dict(change.body or {}), self.options.policy
        )
        self._record(change, created)
        return Outcome(change, "done", f"created {created.id}{_v(created)}, pinned")

    def _update(self, change: Change) -> Outcome:
        assert change.id is not None
        updated = writes.update(
            self.remote, change.kind, change.id, dict(change.body or {}), self.options.policy
        )
        if kind(change.kind).versioned and updated.version == change.from_version:
            return Outcome(
                change,
                "unchanged",
                f"the server found nothing to change (still v{updated.version})",
            )
        verdict = self._gate(change, updated)
        if verdict is not None and not verdict.passed:
            return Outcome(change, verdict.status, verdict.message, verdict.verdict)
        self._record(change, updated)
        moved = (
            f"v{change.from_version} -> v{updated.version}, pinned"
            if kind(change.kind).versioned
            else "updated in place"
        )
        gated = f" (eval gate: {verdict.message})" if verdict is not None else ""
        return Outcome(change, "done", moved + gated, verdict.verdict if verdict else None)

    def _gate(self, change: Change, updated: ServerObject) -> _Gated | None:
        """The gate's say on a new agent version, before its pin moves (None: no gate)."""
        if change.kind != "agent" or self.options.gate is None:
            return None
        held = f"v{updated.version} created, not pinned"
        try:
            verdict = self.options.gate(change, updated)
        except AgentformError as exc:
            return _Gated(False, "failed", f"{held}: the eval gate could not run: {exc}", None)
        if verdict.passed:
            return _Gated(True, "done", verdict.message, verdict)
        return _Gated(False, "refused", f"{held}: {verdict.message}", verdict)

    def _replace(self, change: Change) -> Outcome:
        created = writes.create(
            self.remote, change.kind, dict(change.body or {}), self.options.policy
        )
        self._record(change, created)
        message = f"created {created.id} to replace {change.id}, pinned"
        if not self.options.prune:
            return Outcome(
                change, "done", f"{message}; {change.id} left in place (archive it with --prune)"
            )
        assert change.id is not None
        writes.archive(self.remote, change.kind, change.id, self.options.policy)
        return Outcome(change, "done", f"{message}; archived {change.id}")

    def _record(self, change: Change, obj: ServerObject) -> None:
        self.book.set(change.kind, change.key, pin_of(obj))

    def _pin(self, change: Change) -> Outcome:
        assert change.id is not None
        if kind(change.kind).versioned:
            assert change.from_version is not None and change.digest is not None
            pin = Pin(change.id, change.from_version, change.digest)
        else:
            pin = Pin(change.id)
        self.book.set(change.kind, change.key, pin)
        return Outcome(
            change, "done", f"pinned {change.id}{_version(change.from_version)} ({change.reason})"
        )

    def _archive(self, change: Change) -> Outcome:
        assert change.id is not None
        if not self.options.prune:
            return Outcome(
                change, "skipped", "not archived: pass --prune to archive (irreversible)"
            )
        if change.live:
            writes.archive(self.remote, change.kind, change.id, self.options.policy)
        self._unpin(change)
        return Outcome(change, "done", f"archived {change.id}")

    def _unpin(self, change: Change) -> None:
        current = self.book.get(change.kind, change.key)
        if current is not None and current.id == change.id:
            self.book.set(change.kind, change.key, None)


@dataclass(frozen=True)
class _Gated:
    passed: bool
    status: Status
    message: str
    verdict: GateVerdict | None


def _v(obj: ServerObject) -> str:
    return _version(obj.version)


def _version(version: int | None) -> str:
    return f" v{version}" if version is not None else ""


def pin_of(obj: ServerObject) -> Pin:
    """The pin for a server object: versioned kinds pin the version and its spec digest."""
    the_kind = kind(obj.kind)
    if not the_kind.versioned:
        return Pin(obj.id)
    return Pin(obj.id, obj.version or 1, digest(the_kind.actual(obj.data)))
