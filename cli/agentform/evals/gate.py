"""The gate's decision on one candidate against the baseline. Pure.

In order of severity, the candidate is refused when:
- `worse`: overall or any label's accuracy difference is `worse` (its whole interval
  below -min_effect; see stats.py);
- `below_floor`: its accuracy, overall or on a label, is below the suite's `min_accuracy`;
- `over_budget`: its cost per run grew by more than `max_cost_increase`, or its p95
  wall time is above `max_latency_p95` (a cost budget with no price for a model is an
  error: it cannot be checked).
Otherwise it is `inconclusive` when the overall difference is (the data cannot tell
better from worse; `--on-inconclusive` decides, default pass), else `passed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from agentform.errors import UserError
from agentform.evals.results import OVERALL
from agentform.evals.suite_model import Budgets

if TYPE_CHECKING:
    from agentform.evals.compare import Contrast, LabelContrast

Outcome = Literal["passed", "inconclusive", "over_budget", "below_floor", "worse"]
SEVERITY: tuple[Outcome, ...] = ("passed", "inconclusive", "over_budget", "below_floor", "worse")
OnInconclusive = Literal["pass", "fail"]


@dataclass(frozen=True)
class Policy:
    on_inconclusive: OnInconclusive = "pass"
    min_accuracy: Mapping[str, float] = field(default_factory=dict)
    budgets: Budgets = field(default_factory=Budgets)


@dataclass(frozen=True)
class GateDecision:
    outcome: Outcome
    passed: bool
    reasons: tuple[str, ...]
    regressions: tuple[LabelContrast, ...] = ()  # the labels found worse

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def refused(self) -> bool:
        """Refused on evidence (exit 3), as opposed to inconclusive under a fail policy."""
        return not self.passed and self.outcome != "inconclusive"


def decide(contrast: Contrast, policy: Policy) -> GateDecision:
    names = (contrast.candidate.name, contrast.baseline.name)
    worse = tuple(item for item in contrast.labels if item.verdict == "worse")
    findings: list[tuple[Outcome, str]] = []
    if worse:
        shown = "; ".join(_difference(item) for item in worse)
        findings.append(("worse", f"{names[0]} is worse than {names[1]}: {shown}"))
    findings += [("below_floor", text) for text in _floors(contrast, policy)]
    findings += [("over_budget", text) for text in _budgets(contrast, policy.budgets)]
    if findings:
        outcome = max((o for o, _ in findings), key=SEVERITY.index)
        return GateDecision(outcome, False, tuple(text for _, text in findings), worse)
    overall = contrast.overall
    if overall.verdict == "better":
        return GateDecision("passed", True, (f"{names[0]} is better: {_difference(overall)}",))
    why = f"{names[0]} vs {names[1]} is inconclusive: {_difference(overall)}"
    passed = policy.on_inconclusive == "pass"
    return GateDecision("inconclusive", passed, (why,))


def worst(decisions: Sequence[GateDecision]) -> GateDecision:
    if not decisions:
        return GateDecision("passed", True, ("nothing to compare",))
    return max(decisions, key=lambda d: (not d.passed, SEVERITY.index(d.outcome)))


def _difference(item: LabelContrast) -> str:
    d = item.difference
    return (
        f"{item.label} {_pct(item.baseline.accuracy)} -> {_pct(item.candidate.accuracy)} "
        f"({_points(d.delta)}, interval {_points(d.interval.low)} to {_points(d.interval.high)})"
    )


def _floors(contrast: Contrast, policy: Policy) -> list[str]:
    found = []
    for label, floor in sorted(policy.min_accuracy.items(), key=lambda kv: kv[0] != OVERALL):
        tally = contrast.candidate.tally(label)
        if tally.runs and tally.accuracy < floor - 1e-9:
            found.append(
                f"{contrast.candidate.name} {label} {_pct(tally.accuracy)} is below its floor "
                f"min_accuracy {_pct(floor)}"
            )
    return found


def _budgets(contrast: Contrast, budgets: Budgets) -> list[str]:
    found = []
    name = contrast.candidate.name
    if budgets.max_cost_increase is not None and contrast.candidate is not contrast.baseline:
        increase = contrast.cost_increase
        if increase is None:
            raise UserError(
                "cannot check budgets.max_cost_increase: no price for the model of "
                f"{name} or {contrast.baseline.name}; add it to the suite's `prices:`"
            )
        if increase > budgets.max_cost_increase + 1e-9:
            found.append(
                f"{name} costs {_signed_pct(increase)} per run over {contrast.baseline.name} "
                f"(budget max_cost_increase {_signed_pct(budgets.max_cost_increase)})"
            )
    p95 = contrast.candidate.spend.p95
    if budgets.max_latency_p95 is not None and p95 > budgets.max_latency_p95:
        found.append(
            f"{name} p95 latency {p95:.2f} s is over its budget max_latency_p95 "
            f"{budgets.max_latency_p95:g} s"
        )
    return found


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _signed_pct(value: float) -> str:
    return f"{value * 100:+.1f}%"


def _points(value: float) -> str:
    return f"{value * 100:+.1f} pts"
