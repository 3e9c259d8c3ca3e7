"""A Comparison as JSON, for machines (and the HTML report's numbers, which must agree).

`format_version` 2: every subject under `subjects` (the baseline first), one entry per
candidate under `comparisons` (per label: both tallies, the paired difference, its
interval and verdict), the gate's outcome; `baseline` and `candidate` (the first
candidate) are kept from version 1.
"""

from __future__ import annotations

import json
from typing import Any

from agentform.evals.compare import Comparison, Contrast, accuracy_interval
from agentform.evals.gate import GateDecision
from agentform.evals.results import OVERALL, RunResult, Tally, VersionScore
from agentform.evals.stats import Interval, Settings

FORMAT_VERSION = 2


def render_json(comparison: Comparison) -> str:
    return json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False) + "\n"


def comparison_to_json(c: Comparison) -> dict[str, Any]:
    settings = c.settings
    subjects = [_subject(s, c.labels, settings) for s in c.scores]
    return {
        "format_version": FORMAT_VERSION,
        "suite": c.suite,
        "agent": c.agent,
        "repeats": c.repeats,
        "seconds": c.seconds,
        "sessions": c.sessions,
        "statistics": {
            "method": "paired percentile bootstrap over cases",
            "confidence": settings.confidence,
            "min_effect": settings.min_effect,
            "samples": settings.samples,
            "seed": settings.seed,
        },
        "policy": {
            "on_inconclusive": c.policy.on_inconclusive,
            "min_accuracy": dict(c.policy.min_accuracy),
            "max_cost_increase": c.policy.budgets.max_cost_increase,
            "max_latency_p95": c.policy.budgets.max_latency_p95,
        },
        "gate": _gate(c.decision),
        "baseline": subjects[0],
        "candidate": subjects[c.scores.index(c.candidate)],
        "subjects": subjects,
        "comparisons": [
            _contrast(contrast, decision)
            for contrast, decision in zip(c.contrasts, c.decisions, strict=True)
        ],
        "deltas": {item.label: item.delta for item in c.contrasts[0].labels},
        "judge": {
            "calls": c.judge.calls,
            "cached": c.judge.cached,
            "batched": c.judge.batched,
            "tokens": dict(c.judge.tokens),
            "cost": c.judge.cost,
        },
    }


def _gate(decision: GateDecision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome,
        "passed": decision.passed,
        "reason": decision.reason,
        "reasons": list(decision.reasons),
        "regressions": [
            {
                "label": r.label,
                "baseline": r.baseline.accuracy,
                "candidate": r.candidate.accuracy,
                "delta": r.delta,
                "interval": _interval(r.difference.interval),
            }
            for r in decision.regressions
        ],
    }


def _contrast(contrast: Contrast, decision: GateDecision) -> dict[str, Any]:
    return {
        "baseline": contrast.baseline.name,
        "candidate": contrast.candidate.name,
        "gate": _gate(decision),
        "cost_increase": contrast.cost_increase,
        "labels": {
            item.label: {
                "baseline": item.baseline.accuracy,
                "candidate": item.candidate.accuracy,
                "delta": item.delta,
                "interval": _interval(item.difference.interval),
                "verdict": item.verdict,
                "cases": item.difference.cases,
            }
            for item in contrast.labels
        },
    }


def _subject(score: VersionScore, labels: tuple[str, ...], settings: Settings) -> dict[str, Any]:
    spend = score.spend
    return {
        "name": score.name,
        "version": score.subject.number,
        "agent_id": score.subject.agent_id,
        "model": score.subject.model,
        **_tally(score.overall),
        "interval": _interval(accuracy_interval(score, OVERALL, settings)),
        "pass_at_k": score.pass_at_k,
        "pass_all_k": score.pass_all_k,
        "labels": {
            label: {
                **_tally(score.tally(label)),
                "interval": _interval(accuracy_interval(score, label, settings)),
            }
            for label in labels
        },
        "cost": {
            "total": spend.cost,
            "per_run": spend.cost_per_run(),
            "tokens": dict(spend.tokens),
        },
        "latency": {"p50": spend.p50, "p95": spend.p95},
        "flaky": [case.case_id for case in score.flaky],
        "cases": [
            {
                "id": case.case_id,
                "label": case.label,
                "statuses": list(case.statuses),
                "pass_at_k": case.pass_at_k,
                "pass_all_k": case.pass_all_k,
                "flaky": case.flaky,
            }
            for case in score.cases
        ],
        "results": [result_json(r) for r in score.results],
    }


def result_json(r: RunResult) -> dict[str, Any]:
    return {
        "case": r.case_id,
        "repeat": r.repeat,
        "status": r.status,
        "reply": r.reply,
        "detail": r.detail,
        "grades": [{"grader": g.grader, "passed": g.passed, "detail": g.detail} for g in r.grades],
        "session_id": r.session_id,
        "seconds": r.seconds,
        "archived": r.archived,
        "usage": dict(r.usage),
        "cost": r.cost,
        "cached": r.cached,
    }


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "accuracy": tally.accuracy,
        "runs": tally.runs,
        "passed": tally.passed,
        "failed": tally.failed,
        "errors": tally.errors,
    }


def _interval(interval: Interval) -> list[float]:
    return [interval.low, interval.high]
