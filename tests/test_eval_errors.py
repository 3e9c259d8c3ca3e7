"""Runs that time out or fail are errors, apart from wrong answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.emulator import admin
from tests.cli_helpers import agentform
from tests.estate import copy_example, write

RULES = """
rules:
  - when: {message: "(?i)invoice"}
    hang: true
  - when: {system_contains: "Never say auth", message: "(?i)password"}
    reply: '{"team": "billing"}'
  - when: {message: "(?i)password"}
    reply: '{"team": "auth"}'
  - when: {message: "(?i)429"}
    reply: '{"team": "billing"}'
  - when: {message: "(?i)chart"}
    reply: "The dashboard team, I think."
"""
SUITE = """
agent: triage
environment: default
prompt: "Ticket: {ticket}"
scoring: {method: json, fields: [team]}
timeout_seconds: 3
cases:
  - {id: hang-1, label: billing, input: {ticket: "My invoice is wrong"}, expected: {team: billing}}
  - {id: hang-2, label: billing, input: {ticket: "Another invoice"}, expected: {team: billing}}
  - {id: right, label: auth, input: {ticket: "I forgot my password"}, expected: {team: auth}}
  - {id: wrong, label: api, input: {ticket: "HTTP 429 all day"}, expected: {team: api-platform}}
  - {id: prose, label: api, input: {ticket: "The chart is blank"}, expected: {team: dashboard}}
"""


@pytest.fixture
def hanging(fresh_emulator: Any, tmp_path: Path) -> Iterator[str]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with fresh_emulator(responder=rules) as url:
        yield url


@pytest.fixture
def estate(tmp_path: Path, hanging: str) -> Path:
    root = copy_example(tmp_path / "estate")
    (root / "evals" / "triage.yaml").unlink()
    write(root, "evals/mini.yaml", SUITE)
    assert agentform(root, hanging, "apply", "--auto-approve").exit_code == 0
    return root


def test_a_hanging_responder_makes_cases_time_out_as_errors(
    estate: Path, hanging: str, make_client: Any
) -> None:
    result = agentform(estate, hanging, "eval", "mini", "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.output  # one version: nothing to regress against
    candidate = json.loads(result.stdout)["candidate"]
    assert (candidate["runs"], candidate["passed"], candidate["failed"], candidate["errors"]) == (
        5,
        1,
        2,
        2,
    )
    assert candidate["labels"]["billing"] == {
        "accuracy": 0.0,
        "runs": 2,
        "passed": 0,
        "failed": 0,
        "errors": 2,
        "interval": [0.0, 0.0],
    }
    by_case = {r["case"]: (r["status"], r["detail"]) for r in candidate["results"]}
    assert by_case == {
        "hang-1": ("error", "timed out after 3 s"),
        "hang-2": ("error", "timed out after 3 s"),
        "right": ("passed", ""),
        "wrong": ("failed", "team: expected 'api-platform', got 'billing'"),
        "prose": (
            "failed",
            "not a JSON object: 'The dashboard team, I think.'",
        ),  # wrong, not error
    }
    counters = admin.counters(hanging)
    assert counters["POST /v1/sessions/{session_id}/events"] == 5 + 2  # messages + 2 interrupts
    assert counters["POST /v1/sessions/{session_id}/archive"] == 5
    made = list(make_client(hanging).beta.sessions.list(include_archived=True))
    assert len(made) == 5 and all(s.archived_at is not None and s.status == "idle" for s in made)


def test_text_report_shows_errors_apart_from_wrong_answers(estate: Path, hanging: str) -> None:
    result = agentform(estate, hanging, "eval", "mini")
    assert "Errors (timeouts, API failures; not wrong answers): v1 2" in result.stdout
    assert "hang-1 [billing] error: timed out after 3 s" in result.stdout
    assert "wrong [api] wrong: team: expected 'api-platform', got 'billing'" in result.stdout


def test_when_every_run_errors_nothing_was_measured_exit_1(estate: Path, hanging: str) -> None:
    write(estate, "evals/mini.yaml", SUITE.split("  - {id: right")[0])
    result = agentform(estate, hanging, "eval", "mini")
    assert result.exit_code == 1
    assert "every run failed, nothing was measured: timed out after 3 s" in result.stderr


def test_apply_gate_exits_1_when_a_change_failed_even_if_another_was_refused(
    estate: Path, hanging: str
) -> None:
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-sonnet-4-6\nsystem: Help.\n")
    write(
        estate,
        "evals/mini.yaml",
        "\n".join(line for line in SUITE.splitlines() if "hang" not in line),
    )
    assert agentform(estate, hanging, "apply", "--auto-approve").exit_code == 0
    helper = pins.load(estate / "pins.yaml").agents["helper"].id
    with (estate / "agents" / "triage.prompt.md").open("a", encoding="utf-8") as prompt:
        prompt.write("Never say auth.\n")  # the rules then route the password ticket to billing
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-sonnet-4-6\nsystem: More.\n")
    admin.inject_fault(hanging, method="POST", path=f"/v1/agents/{helper}", status=400)
    result = agentform(estate, hanging, "apply", "--auto-approve", "--gate")
    assert result.exit_code == 1, result.output
    assert "FAIL  agent helper: update agent" in result.output
    assert (
        "GATE  agent triage: v2 created, not pinned: mini: v2 is worse than v1: auth 100.0% "
        "-> 0.0%" in result.output
    )
    assert (
        "Apply failed: 0 created, 0 updated, 0 replaced, 0 pinned, 0 archived, 0 moved; "
        "1 failed, 1 refused, 0 skipped, 0 kept, 0 not started;" in result.output
    )
    assert admin.faults_fired(hanging) == 1
