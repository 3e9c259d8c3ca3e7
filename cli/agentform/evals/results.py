"""Runs -> scores per label and subject, pass@K / pass^K, flaky cases, cost, latency. Pure.

A *subject* is what is scored: a version of the agent (`v3`) or the manifest as it is
in the working tree (`manifest`, run on a scratch agent). Accuracy is passed runs / all
runs: a run that errored (timed out, API failure) counts as not passed, and is reported
apart from wrong answers. A case is *flaky* on a subject when some of its runs passed
and some did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from agentform.evals.stats import percentile

RunStatus = Literal["passed", "failed", "error"]
OVERALL = "overall"
USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


@dataclass(frozen=True)
class Subject:
    """What is scored, and where its sessions run."""

    name: str  # "v3", or "manifest" for the working tree's manifest
    agent_id: str  # the agent (a scratch agent for the manifest)
    version: int  # the server version sessions pin
    spec_digest: str  # of the spec that version holds (results are cached under it)
    model: str = ""  # the model id, for the price table

    @property
    def number(self) -> int | None:
        """The version number callers know, None for the manifest."""
        return self.version if self.name.startswith("v") else None


@dataclass(frozen=True)
class Grade:
    """One grader's verdict on one reply."""

    grader: str  # its name in reports: "json", "regex", "rubric", ...
    passed: bool
    detail: str = ""  # why it failed


@dataclass(frozen=True)
class RunResult:
    """One case, run once against one subject."""

    subject: str
    case_id: str
    label: str
    repeat: int  # 0-based
    status: RunStatus
    reply: str = ""
    detail: str = ""  # why it failed or errored
    session_id: str | None = None
    seconds: float = 0.0
    archived: bool = True
    usage: Mapping[str, int] = field(default_factory=dict)
    cost: float | None = None  # list price in USD; None when the model has no price
    grades: tuple[Grade, ...] = ()
    cached: bool = False  # reused from the cache: no session this time


@dataclass(frozen=True)
class Tally:
    """Runs of one subject, for one label or overall."""

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
    """One case's K runs against one subject."""

    case_id: str
    label: str
    statuses: tuple[RunStatus, ...]

    @property
    def score(self) -> float:
        """The fraction of its runs that passed (the unit of the paired statistics)."""
        if not self.statuses:
            return 0.0
        return sum(s == "passed" for s in self.statuses) / len(self.statuses)

    @property
    def pass_at_k(self) -> bool:
        """At least one of the K runs passed."""
        return "passed" in self.statuses

    @property
    def pass_all_k(self) -> bool:
        """All K runs passed (pass^K)."""
        return bool(self.statuses) and all(s == "passed" for s in self.statuses)

    @property
    def flaky(self) -> bool:
        """Some runs passed and some did not: the case is unstable on this subject."""
        return self.pass_at_k and not self.pass_all_k


@dataclass(frozen=True)
class Spend:
    """Tokens, list-price cost and wall time of a subject's runs."""

    tokens: Mapping[str, int]
    cost: float | None  # None when some run's model has no price
    seconds: tuple[float, ...]  # per run that reached the server (errors included)

    @property
    def p50(self) -> float:
        return percentile(self.seconds, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 0.95)

    def cost_per_run(self) -> float | None:
        return None if self.cost is None or not self.seconds else self.cost / len(self.seconds)


@dataclass(frozen=True)
class VersionScore:
    subject: Subject
    overall: Tally
    labels: Mapping[str, Tally]
    cases: tuple[CaseScore, ...]
    results: tuple[RunResult, ...]
    spend: Spend

    @property
    def name(self) -> str:
        return self.subject.name

    @property
    def pass_at_k(self) -> float:
        return _fraction(c.pass_at_k for c in self.cases)

    @property
    def pass_all_k(self) -> float:
        return _fraction(c.pass_all_k for c in self.cases)

    @property
    def flaky(self) -> tuple[CaseScore, ...]:
        return tuple(c for c in self.cases if c.flaky)

    def tally(self, label: str) -> Tally:
        return self.overall if label == OVERALL else self.labels.get(label, Tally())

    def scores(self, label: str) -> list[float]:
        """Per-case scores, in suite order, of one label (or all cases)."""
        return [c.score for c in self.cases if label in (OVERALL, c.label)]


def score_version(
    subject: Subject, case_order: Sequence[tuple[str, str]], results: Iterable[RunResult]
) -> VersionScore:
    """`case_order`: (case id, label) in suite order; `results`: this subject's runs."""
    order = {case_id: index for index, (case_id, _) in enumerate(case_order)}
    mine = sorted(
        (r for r in results if r.subject == subject.name),
        key=lambda r: (order[r.case_id], r.repeat),
    )
    overall, labels = Tally(), {label: Tally() for _, label in case_order}
    by_case: dict[str, list[RunStatus]] = {case_id: [] for case_id, _ in case_order}
    for result in mine:
        overall = overall.add(result.status)
        labels[result.label] = labels[result.label].add(result.status)
        by_case[result.case_id].append(result.status)
    cases = tuple(CaseScore(i, label, tuple(by_case[i])) for i, label in case_order)
    return VersionScore(
        subject, overall, dict(sorted(labels.items())), cases, tuple(mine), _spend(mine)
    )


def _spend(results: Sequence[RunResult]) -> Spend:
    tokens = dict.fromkeys(USAGE_FIELDS, 0)
    for result in results:
        for name in USAGE_FIELDS:
            tokens[name] += int(result.usage.get(name, 0))
    reached = [r for r in results if r.session_id is not None]
    costs = [r.cost for r in reached]
    cost = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
    return Spend(tokens, cost, tuple(r.seconds for r in reached))


def _fraction(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0
