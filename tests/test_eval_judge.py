"""Graders on real sessions: the LLM judge through the Messages API (one call at a time, or a
Message Batch), tool-use assertions on the event stream, token usage and its cost, and
the emulator's placeholder refused as a measurement."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentform.emulator import admin
from tests.cli_helpers import agentform
from tests.estate import copy_example, write

RULES = """
rules:
  - when: {message: "refund"}
    tool_uses: [{name: lookup, input: {id: 7}, result: "invoice 7"}]
    reply: '{"team": "billing"}'
    usage: {input_tokens: 1000, output_tokens: 50}
  - when: {message: "SSO"}
    reply: '{"team": "billing"}'
    usage: {input_tokens: 1000, output_tokens: 50}
messages:
  - when: {model: claude-haiku-4-5, message: "(?s)<input>.*refund.*<reply>.*billing"}
    reply: '{"pass": true, "reason": "billing owns refunds"}'
    usage: {input_tokens: 200, output_tokens: 10}
  - when: {model: claude-haiku-4-5, system_contains: "You grade one reply"}
    reply: '{"pass": false, "reason": "an SSO loop belongs to auth"}'
    usage: {input_tokens: 200, output_tokens: 10}
"""
SUITE = """
agent: triage
environment: default
prompt: "Ticket: {ticket}"
graders:
  - {type: rubric, rubric: "Routes the ticket to the team that owns the problem."}
  - {type: tool_called, name: lookup, input: {id: 7}}
judge: {model: claude-haiku-4-5, repeats: 3, batch: %s}
cases:
  - {id: refund, label: billing, input: {ticket: "Please refund my invoice"}}
  - {id: sso, label: auth, input: {ticket: "SSO login loop"}}
"""


@pytest.fixture
def url(fresh_emulator: Any, tmp_path: Path) -> Iterator[str]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with fresh_emulator(responder=rules) as found:
        yield found


@pytest.fixture
def estate(tmp_path: Path, url: str) -> Path:
    root = copy_example(tmp_path / "estate")
    (root / "evals" / "triage.yaml").unlink()
    write(root, "evals/graded.yaml", SUITE % "never")
    assert agentform(root, url, "apply", "--auto-approve").exit_code == 0
    return root


def evaluate(estate: Path, url: str, *args: str) -> dict[str, Any]:
    admin.reset(url)
    result = agentform(estate, url, "eval", "graded", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_case(data: dict[str, Any]) -> dict[str, tuple[str, list[tuple[str, bool, str]]]]:
    return {
        r["case"]: (r["status"], [(g["grader"], g["passed"], g["detail"]) for g in r["grades"]])
        for r in data["candidate"]["results"]
    }


def test_the_judge_and_the_tool_assertion_grade_each_reply(estate: Path, url: str) -> None:
    data = evaluate(estate, url)
    assert by_case(data) == {
        "refund": ("passed", [("rubric", True, ""), ("tool_called(lookup)", True, "")]),
        "sso": (
            "failed",
            [
                ("rubric", False, "an SSO loop belongs to auth (0/3 judge calls passed)"),
                (
                    "tool_called(lookup)",
                    False,
                    'expected a call to lookup with {"id": 7}; called no tool',
                ),
            ],
        ),
    }
    counters = admin.counters(url)
    assert counters["POST /v1/messages"] == 6  # 2 replies x 3 judge calls
    assert "POST /v1/messages/batches" not in counters
    judge = data["judge"]
    assert (judge["calls"], judge["cached"], judge["batched"]) == (6, 0, 0)
    assert judge["tokens"]["input_tokens"] == 1200
    assert judge["cost"] == pytest.approx(6 * (200 * 1.0 + 10 * 5.0) / 1e6)
    # the sessions' tokens, priced at claude-sonnet-4-6's list price ($3 / $15 per MTok)
    cost = data["candidate"]["cost"]
    assert cost["tokens"]["input_tokens"] == 2000 and cost["tokens"]["output_tokens"] == 100
    assert cost["total"] == pytest.approx(2 * (1000 * 3.0 + 50 * 15.0) / 1e6)
    assert data["candidate"]["results"][0]["usage"]["input_tokens"] == 1000

    again = evaluate(estate, url)  # everything cached: no session, no judge call
    assert by_case(again) == by_case(data)
    assert admin.counters(url).get("POST /v1/messages", 0) == 0
    assert admin.counters(url).get("POST /v1/sessions", 0) == 0
    assert (again["judge"]["calls"], again["judge"]["cached"]) == (0, 6)


def test_a_large_suite_grades_through_message_batches(estate: Path, url: str) -> None:
    write(estate, "evals/graded.yaml", SUITE % "always")
    data = evaluate(estate, url)
    assert [status for status, _ in by_case(data).values()] == ["passed", "failed"]
    counters = admin.counters(url)
    assert counters["POST /v1/messages/batches"] == 1
    assert counters["GET /v1/messages/batches/{batch_id}/results"] == 1
    assert "POST /v1/messages" not in counters
    assert (data["judge"]["calls"], data["judge"]["batched"]) == (6, 6)
    assert data["judge"]["cost"] == pytest.approx(6 * (200 * 1.0 + 10 * 5.0) / 1e6 / 2)


@pytest.mark.parametrize(("threshold", "batched"), [(5, True), (6, False)])
def test_auto_batches_only_above_its_threshold(
    estate: Path, url: str, threshold: int, batched: bool
) -> None:
    # 2 cases x 1 rubric x 3 judge repeats: 6 judge calls, batched when 6 > threshold.
    write(estate, "evals/graded.yaml", SUITE % f"auto, batch_threshold: {threshold}")
    data = evaluate(estate, url)
    assert [status for status, _ in by_case(data).values()] == ["passed", "failed"]
    counters = admin.counters(url)
    assert counters.get("POST /v1/messages/batches", 0) == (1 if batched else 0)
    assert counters.get("POST /v1/messages", 0) == (0 if batched else 6)
    assert (data["judge"]["calls"], data["judge"]["batched"]) == (6, 6 if batched else 0)


def test_a_judge_without_rules_is_an_error_not_a_wrong_answer(estate: Path, url: str) -> None:
    write(
        estate,
        "evals/graded.yaml",
        SUITE.replace("claude-haiku-4-5", "claude-sonnet-4-6") % "never",
    )
    result = agentform(estate, url, "eval", "graded")
    assert result.exit_code == 1  # every run an error: nothing was measured
    assert "every run failed, nothing was measured: the judge's reply is the emulator's " in (
        result.output
    )
    assert "rules have no `messages:` rule that answers the judge" in result.output


def test_every_reply_a_placeholder_is_an_error(estate: Path, url: str) -> None:
    write(
        estate,
        "evals/graded.yaml",
        """
        agent: triage
        environment: default
        prompt: "Question: {q}"
        graders: [{type: contains, value: "yes"}]
        cases:
          - {id: one, label: x, input: {q: "nothing the rules know"}}
        """,
    )
    result = agentform(estate, url, "eval", "graded")
    assert result.exit_code == 1
    assert "every reply of v1 is the emulator's placeholder" in result.output
    assert "its responder has no rules for this agent" in result.output
