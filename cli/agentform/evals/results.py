"""Runs -> scores per label and version, deltas, pass@K / pass^K, the gate. Pure.

Accuracy is passed runs / all runs: a run that errored (timed out, API failure) counts
as not passed, and is reported apart from wrong answers. The gate refuses when the
candidate's overall accuracy, or any label's, is below the baseline's by more than the
tolerance (a fraction: 0.05 allows a drop of 5 points).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

RunStatus = Literal["passed", "failed", "error"]
OVERALL = "overall"
_EPSILON = 1e-9


@dataclass(frozen=True)
class RunResult:
    """One case, run once against one version."""

    version: int
    case_id: str
    label: str
    repeat: int  # 0-based
    status: RunStatus
    reply: str = ""
    detail: str = ""  # why it failed or errored
    session_id: str | None = None
    seconds: float = 0.0
    archived: bool = True


@dataclass(frozen=True)
class Tally:
    """Runs of one version, for one label or overall."""

    runs: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0

    @property
    def accuracy(self) -> float:
        return self.passed / self.runs if self.runs else 0.0

    def add(self, status: RunStatus) -> Tally:
        return Tally(
            self.runs + 1,
            self.passed + (status == "passed"),
            self.failed + (status == "failed"),
            self.errors + (status == "error"),
        )


@dataclass(frozen=True)
class CaseScore:
    """One case's K runs against one version."""

    case_id: str
    label: str
    statuses: tuple[RunStatus, ...]

    @property
    def pass_at_k(self) -> bool:
        """At least one of the K runs passed."""
        return "passed" in self.statuses

    @property
    def pass_all_k(self) -> bool:
        """All K runs passed (pass^K)."""
        return bool(self.statuses) and all(s == "passed" for s in self.statuses)


@dataclass(frozen=True)
class VersionScore:
    version: int
    overall: Tally
    labels: Mapping[str, Tally]
    cases: tuple[CaseScore, ...]
    results: tuple[RunResult, ...]

    @property
    def pass_at_k(self) -> float:
        return _fraction(c.pass_at_k for c in self.cases)

    @property
    def pass_all_k(self) -> float:
        return _fraction(c.pass_all_k for c in self.cases)

    def tally(self, label: str) -> Tally:
        return self.overall if label == OVERALL else self.labels.get(label, Tally())


@dataclass(frozen=True)
class Regression:
    label: str  # a label, or OVERALL
    baseline: float
    candidate: float

    @property
    def delta(self) -> float:
        return self.candidate - self.baseline


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    regressions: tuple[Regression, ...]
    reason: str


@dataclass(frozen=True)
class Comparison:
    suite: str
    agent: str
    candidate: VersionScore
    baseline: VersionScore
    tolerance: float
    repeats: int
    decision: GateDecision
    seconds: float = 0.0

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.candidate.labels) | set(self.baseline.labels)))

    def delta(self, label: str) -> float:
        return self.candidate.tally(label).accuracy - self.baseline.tally(label).accuracy

    def regressed(self, label: str) -> bool:
        return any(r.label == label for r in self.decision.regressions)

    @property
    def same_version(self) -> bool:
        return self.candidate.version == self.baseline.version


def score_version(
    version: int, case_order: Sequence[tuple[str, str]], results: Iterable[RunResult]
) -> VersionScore:
    """`case_order`: (case id, label) in suite order; `results`: this version's runs."""
    mine = sorted((r for r in results if r.version == version), key=lambda r: (r.case_id, r.repeat))
    overall, labels = Tally(), {label: Tally() for _, label in case_order}
    for result in mine:
        overall = overall.add(result.status)
        labels[result.label] = labels[result.label].add(result.status)
    by_case: dict[str, list[RunStatus]] = {case_id: [] for case_id, _ in case_order}
    for result in mine:
        by_case[result.case_id].append(result.status)
    cases = tuple(CaseScore(i, label, tuple(by_case[i])) for i, label in case_order)
    order = {case_id: index for index, (case_id, _) in enumerate(case_order)}
    ordered = tuple(sorted(mine, key=lambda r: (order[r.case_id], r.repeat)))
    return VersionScore(version, overall, dict(sorted(labels.items())), cases, ordered)


def decide(candidate: VersionScore, baseline: VersionScore, tolerance: float) -> GateDecision:
    """Refuse when overall accuracy or any label's drops by more than `tolerance`."""
    regressions = tuple(
        Regression(label, baseline.tally(label).accuracy, candidate.tally(label).accuracy)
        for label in (OVERALL, *sorted(set(candidate.labels) | set(baseline.labels)))
        if candidate.tally(label).accuracy < baseline.tally(label).accuracy - tolerance - _EPSILON
    )
    if not regressions:
        return GateDecision(True, (), _passed_reason(candidate, baseline, tolerance))
    dropped = "; ".join(
        f"{r.label} {_pct(r.baseline)} -> {_pct(r.candidate)} ({_points(r.delta)})"
        for r in regressions
    )
    reason = (
        f"v{candidate.version} regresses against v{baseline.version}: {dropped} "
        f"(tolerance {_points(tolerance, sign=False)})"
    )
    return GateDecision(False, regressions, reason)


def _passed_reason(candidate: VersionScore, baseline: VersionScore, tolerance: float) -> str:
    return (
        f"v{candidate.version} {_pct(candidate.overall.accuracy)} vs v{baseline.version} "
        f"{_pct(baseline.overall.accuracy)}: no label drops by more than "
        f"{_points(tolerance, sign=False)}"
    )


def _fraction(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _points(value: float, *, sign: bool = True) -> str:
    text = f"{value * 100:+.1f}" if sign else f"{value * 100:.1f}"
    return f"{text} pts"
