"""Execute a Plan through the SDK, recording every success in pins.yaml.

In order: refuse an unsafe prune; record the intents of the versioned updates in
pins.yaml (one locked write, before the first server write); run the changes with
bounded concurrency, each success's pin queued to the one writer (apply.runner); on
Ctrl+C or SIGTERM stop starting new ones, give the running ones a moment, and record
what finished; resolve creates that raced another apply (apply.reconcile). The core
never prints: progress goes to the `report` callback, and the result says what was
done, what failed, what was not started.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agentform.apply import writes
from agentform.apply.pool import Pool
from agentform.apply.reconcile import reconcile_creates
from agentform.apply.runner import Gate, GateVerdict, Outcome, Runner, RunOptions, Status, intent_of
from agentform.errors import UserError
from agentform.kinds import kind
from agentform.pins.store import Batch, PinChange, PinStore
from agentform.plan.model import Change, Plan
from agentform.remote.client import Remote

SAFE_ARCHIVES = 2  # archiving more than this, and more than a quarter, needs force
SAFE_SHARE = 0.25
GRACE = 1.5  # seconds the running writes get to finish after a stop

__all__ = ["ApplyOptions", "ApplyResult", "Gate", "GateVerdict", "Outcome", "apply_plan"]


class UnsafePlanError(UserError):
    """The apply would archive a large share of what agentform manages."""


@dataclass(frozen=True)
class ApplyOptions:
    force: bool = False
    parallelism: int = 4
    policy: writes.RetryPolicy = field(default_factory=writes.RetryPolicy)
    gate: Gate | None = None  # asked before an updated agent's new version is pinned
    root: Path | None = None  # the estate: files a body names by digest are read from it


@dataclass(frozen=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]
    pins_changed: bool
    not_started: tuple[Change, ...] = ()
    interrupted: bool = False

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status in ("failed", "stopped"))

    @property
    def refused(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "refused")

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl+C or SIGTERM during an apply; `result` says what was done and what was not."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("interrupted")
        self.result = result


def check_safe(plan: Plan, options: ApplyOptions) -> None:
    """Refuse a pruning apply that archives a large share of the estate without `force`.

    Archives are irreversible; the usual cause is running apply from the wrong
    directory, or with most manifests deleted by mistake.
    """
    if options.force:
        return
    archives = [c for c in plan.actionable() if c.action == "archive" and c.live]
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
    store: PinStore,
    options: ApplyOptions,
    report: Callable[[Outcome], None] = lambda outcome: None,
    workspace_id: str | None = None,
) -> ApplyResult:
    check_safe(plan, options)
    changes = plan.actionable()
    _record_intents(store, changes, workspace_id)
    batch = Batch(store)
    runner = Runner(remote, batch, RunOptions(options.policy, options.gate, options.root))
    outcomes: list[Outcome] = []
    # Moves first: the others were planned with the new keys' pins and markers.
    # Archives last: a resource that referenced an archived one is updated first.
    phases = [
        [c for c in changes if c.action == "move"],
        [c for c in changes if c.action not in ("move", "archive")],
        [c for c in changes if c.action == "archive"],
    ]
    pool: Pool[Change, Outcome] = Pool(runner.run, options.parallelism, options.policy.stop)
    try:
        for phase in phases:
            pool = Pool(runner.run, options.parallelism, options.policy.stop)
            for _, outcome in pool.run(phase, _dependencies(phase), _went_well, _skipped):
                outcomes.append(outcome)
                report(outcome)
        settled = reconcile_creates(remote, batch, outcomes, options.policy)
        for before, after in zip(outcomes, settled, strict=True):
            if after is not before:
                report(after)
        outcomes = settled
    except KeyboardInterrupt:
        raise ApplyInterrupted(_stop(pool, batch, outcomes, options, report)) from None
    batch.close()
    outcomes += _kept(batch, report)
    return ApplyResult(tuple(sorted(outcomes, key=lambda o: o.change.order)), batch.changed)


def _dependencies(changes: list[Change]) -> list[set[int]]:
    """For each change, the indexes of the changes (of references) it waits for."""
    index = {f"{c.kind}:{c.key}": i for i, c in enumerate(changes)}
    return [{index[d] for d in c.depends_on if d in index} for c in changes]


def _went_well(outcome: Outcome) -> bool:
    return outcome.status in ("done", "unchanged")


def _skipped(change: Change, failed: Change) -> Outcome:
    return Outcome(
        change, "skipped", f"not applied: it uses {failed.kind} {failed.key}, which did not finish"
    )


def _record_intents(store: PinStore, changes: tuple[Change, ...], workspace_id: str | None) -> None:
    """Before the first server write: the intents, and the workspace the pins belong to."""
    intents = [
        PinChange(kind(c.kind).plural, c.key, intent=intent)
        for c in changes
        if (intent := intent_of(c)) is not None
    ]
    store.change(intents, workspace_id=workspace_id)


def _stop(
    pool: Pool[Change, Outcome],
    batch: Batch,
    outcomes: list[Outcome],
    options: ApplyOptions,
    report: Callable[[Outcome], None],
) -> ApplyResult:
    """Stop: start nothing more, let the running writes finish briefly, record them."""
    options.policy.stop.set()
    not_started = pool.not_started()
    for change in not_started:
        if intent_of(change) is not None:  # nothing was made for it
            batch.add(PinChange(kind(change.kind).plural, change.key, intent=None))
    deadline = time.monotonic() + GRACE
    while pool.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    outcomes += pool.finished()
    batch.close()
    done = tuple(sorted(outcomes, key=lambda o: o.change.order))
    return ApplyResult(done, batch.changed, tuple(not_started), interrupted=True)


def _kept(batch: Batch, report: Callable[[Outcome], None]) -> list[Outcome]:
    """Pins this apply did not move because someone moved them meanwhile."""
    kept = []
    for tag in batch.rejected():
        if isinstance(tag, Change):
            kept.append(
                Outcome(
                    tag,
                    "kept",
                    "pin not moved: pins.yaml changed during this apply (a rollback, or another "
                    "apply); the change made on the server stays unpinned",
                )
            )
            report(kept[-1])
    return kept
