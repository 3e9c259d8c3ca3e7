"""Scoring a reply, per-label accuracy, pass@K / pass^K and the gate: pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from agentform.evals.results import RunResult, RunStatus, Subject, score_version
from agentform.evals.scoring import parse_json_reply, score
from agentform.evals.suite_model import Scoring

JSON = Scoring("json", ("team",))


@pytest.mark.parametrize(
    ("reply", "passed", "detail"),
    [
        ('{"team": "billing", "priority": "P2"}', True, ""),
        ('  {"team": "billing"}\n', True, ""),
        ('```json\n{"team": "billing"}\n```', True, ""),
        (
            '{"team": "api-platform", "priority": "P2"}',
            False,
            "team: expected 'billing', got 'api-platform'",
        ),
        ('{"priority": "P2"}', False, "team: missing"),
        ('{"team": "Billing"}', False, "team: expected 'billing', got 'Billing'"),
        ("billing", False, "not a JSON object: 'billing'"),
        ('["billing"]', False, "not a JSON object"),
        ('{"team": "billing"', False, "not a JSON object"),
        ("", False, "not a JSON object: ''"),
    ],
)
def test_json_scoring_compares_the_named_fields(reply: str, passed: bool, detail: str) -> None:
    verdict = score(JSON, {"team": "billing", "priority": "P1"}, reply)
    assert verdict.passed is passed
    assert detail in verdict.detail and (passed or verdict.detail)


def test_json_scoring_without_fields_compares_every_expected_field() -> None:
    every = Scoring("json")
    assert score(
        every, {"team": "auth", "priority": "P1"}, '{"team": "auth", "priority": "P1"}'
    ).passed
    wrong = score(every, {"team": "auth", "priority": "P1"}, '{"team": "auth", "priority": "P2"}')
    assert (wrong.passed, wrong.detail) == (False, "priority: expected 'P1', got 'P2'")


def test_json_scoring_types_and_case() -> None:
    assert score(Scoring("json"), {"n": 1}, '{"n": 1.0}').passed  # numbers compare as numbers
    assert not score(Scoring("json"), {"ok": True}, '{"ok": 1}').passed  # a bool is not 1
    assert score(Scoring("json", ignore_case=True), {"t": "Auth"}, '{"t": "AUTH"}').passed


@pytest.mark.parametrize(
    ("scoring", "expected", "reply", "passed"),
    [
        (Scoring("exact"), "billing", " billing\n", True),
        (Scoring("exact"), "billing", "billing team", False),
        (Scoring("exact", ignore_case=True), "billing", "BILLING", True),
        (Scoring("contains"), "refund", "We will refund you.", True),
        (Scoring("contains"), "refund", "No.", False),
        (Scoring("contains", ignore_case=True), "refund", "REFUND issued", True),
        (Scoring("regex"), r"^P[12]\b", "P1 urgent", True),
        (Scoring("regex"), r"^P[12]\b", "P3", False),
        (Scoring("regex", ignore_case=True), "billing", "BILLING", True),
    ],
)
def test_text_scoring(scoring: Scoring, expected: str, reply: str, passed: bool) -> None:
    verdict = score(scoring, expected, reply)
    assert verdict.passed is passed
    assert bool(verdict.detail) is not passed


def test_parse_json_reply_returns_none_for_malformed_json() -> None:
    assert parse_json_reply("```\n[1]\n```") == [1]
    assert parse_json_reply("Sure! {}") is None


CASES = [("b1", "billing"), ("b2", "billing"), ("a1", "auth"), ("a2", "auth")]


def runs(version: int, statuses: dict[str, list[RunStatus]]) -> list[RunResult]:
    label = dict(CASES)
    return [
        RunResult(f"v{version}", case_id, label[case_id], repeat, status)
        for case_id, per_case in statuses.items()
        for repeat, status in enumerate(per_case)
    ]


def scored(version: int, **statuses: Any) -> Any:
    subject = Subject(f"v{version}", "agent_x", version, f"digest-{version}")
    return score_version(subject, CASES, runs(version, statuses))


def test_accuracy_counts_errors_as_not_passed_but_apart_from_wrong_answers() -> None:
    v = scored(1, b1=["passed"], b2=["error"], a1=["failed"], a2=["passed"])
    assert (v.overall.runs, v.overall.passed, v.overall.failed, v.overall.errors) == (4, 2, 1, 1)
    assert v.overall.accuracy == 0.5
    assert v.labels["billing"].accuracy == 0.5 and v.labels["billing"].errors == 1
    assert v.labels["auth"].failed == 1 and list(v.labels) == ["auth", "billing"]


def test_pass_at_k_pass_all_k_and_flaky_cases() -> None:
    v = scored(
        1,
        b1=["passed", "passed", "passed"],
        b2=["failed", "passed", "error"],
        a1=["failed", "failed", "failed"],
        a2=["passed", "passed", "error"],
    )
    assert [(c.case_id, c.pass_at_k, c.pass_all_k, c.flaky) for c in v.cases] == [
        ("b1", True, True, False),
        ("b2", True, False, True),
        ("a1", False, False, False),
        ("a2", True, False, True),
    ]
    assert (v.pass_at_k, v.pass_all_k) == (0.75, 0.25)
    assert [c.case_id for c in v.flaky] == ["b2", "a2"]
    assert v.overall.runs == 12 and v.overall.accuracy == 6 / 12
    assert [round(c.score, 3) for c in v.cases] == [1.0, 0.333, 0.0, 0.667]
