"""The gate's decision: worse, floors, budgets, and what inconclusive does. Pure."""

from __future__ import annotations

from typing import Any

import pytest

from agentform.errors import UserError
from agentform.evals.compare import contrast
from agentform.evals.gate import GateDecision, Policy, decide, worst
from agentform.evals.results import RunResult, RunStatus, Subject, VersionScore, score_version
from agentform.evals.stats import Settings
from agentform.evals.suite_model import Budgets

LABELS = {"b1": "billing", "b2": "billing", "a1": "auth", "a2": "auth"}
ALL_PASS = dict.fromkeys(LABELS, "passed")


def scored(
    name: str, statuses: dict[str, RunStatus], *, cost: float | None = 0.01, seconds: float = 1.0
) -> VersionScore:
    results = [
        RunResult(name, case, LABELS[case], 0, status, session_id="s", cost=cost, seconds=seconds)
        for case, status in statuses.items()
    ]
    subject = Subject(name, "agent_x", int(name[1:]), name, "claude-sonnet-4-6")
    return score_version(subject, list(LABELS.items()), results)


def gate(base: VersionScore, cand: VersionScore, **policy: Any) -> GateDecision:
    return decide(contrast(base, cand, Settings()), Policy(**policy))


def test_a_label_found_worse_refuses_even_when_overall_is_inconclusive() -> None:
    base = scored("v1", ALL_PASS)
    cand = scored("v2", {**ALL_PASS, "b1": "failed", "b2": "failed"})
    decision = gate(base, cand)
    assert (decision.outcome, decision.passed, decision.refused) == ("worse", False, True)
    assert [r.label for r in decision.regressions] == ["billing"]
    assert decision.reason == (
        "v2 is worse than v1: billing 100.0% -> 0.0% (-100.0 pts, interval -100.0 pts to "
        "-100.0 pts)"
    )


def test_inconclusive_passes_by_default_and_fails_when_asked() -> None:
    base = scored("v1", ALL_PASS)
    cand = scored("v2", {**ALL_PASS, "a1": "failed"})  # one case of four: nothing certain
    lenient = gate(base, cand)
    assert (lenient.outcome, lenient.passed) == ("inconclusive", True)
    assert lenient.reason.startswith("v2 vs v1 is inconclusive: overall 100.0% -> 75.0%")
    strict = gate(base, cand, on_inconclusive="fail")
    assert (strict.outcome, strict.passed, strict.refused) == ("inconclusive", False, False)


def test_better_passes_whatever_the_policy() -> None:
    base = scored("v1", dict.fromkeys(LABELS, "failed"))
    better = gate(base, scored("v2", ALL_PASS), on_inconclusive="fail")
    assert (better.outcome, better.passed) == ("passed", True)
    assert better.reason.startswith("v2 is better: overall 0.0% -> 100.0%")


def test_floors_refuse_a_candidate_below_them_overall_or_on_a_label() -> None:
    base = scored("v1", {**ALL_PASS, "a1": "failed"})
    cand = scored("v2", {**ALL_PASS, "a1": "failed"})  # the same: 75%, auth 50%
    assert gate(base, cand, min_accuracy={"overall": 0.75}).passed
    below = gate(base, cand, min_accuracy={"overall": 0.8, "auth": 0.6, "billing": 1.0})
    assert (below.outcome, below.passed) == ("below_floor", False)
    assert below.reasons == (
        "v2 overall 75.0% is below its floor min_accuracy 80.0%",
        "v2 auth 50.0% is below its floor min_accuracy 60.0%",
    )


def test_cost_and_latency_budgets() -> None:
    base = scored("v1", ALL_PASS, cost=0.010, seconds=1.0)
    cheap = scored("v2", ALL_PASS, cost=0.0115, seconds=1.0)  # +15%
    dear = scored("v2", ALL_PASS, cost=0.0125, seconds=4.0)  # +25%, p95 4 s
    budget = Budgets(max_cost_increase=0.2, max_latency_p95=3.0)
    assert gate(base, cheap, budgets=budget).passed
    over = gate(base, dear, budgets=budget)
    assert (over.outcome, over.passed) == ("over_budget", False)
    assert over.reasons == (
        "v2 costs +25.0% per run over v1 (budget max_cost_increase +20.0%)",
        "v2 p95 latency 4.00 s is over its budget max_latency_p95 3 s",
    )


def test_a_cost_budget_without_a_price_is_an_error_not_a_pass() -> None:
    base = scored("v1", ALL_PASS, cost=None)
    with pytest.raises(UserError, match="no price for the model of v2 or v1"):
        gate(base, scored("v2", ALL_PASS), budgets=Budgets(max_cost_increase=0.2))


def test_the_worst_decision_speaks_for_several_candidates() -> None:
    base = scored("v1", ALL_PASS)
    fine = gate(base, scored("v2", ALL_PASS))
    bad = gate(base, scored("v3", {**ALL_PASS, "b1": "failed", "b2": "failed"}))
    assert worst([fine, bad]) is bad and worst([fine]) is fine
