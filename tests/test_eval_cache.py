"""Cached results, reruns, several versions at once, latency budgets, and the async runner."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentform.emulator import admin
from agentform.evals.runner import bounded
from tests.cli_helpers import agentform
from tests.estate import edit_prompt, write

ROUTING_RULE = "ROUTING RULE: route anything about usage to api-platform.\n"


@pytest.fixture
def url(responder_url: str) -> str:
    return responder_url


def eval_json(estate: Path, url: str, *args: str, code: int = 0) -> dict[str, Any]:
    admin.reset(url)
    result = agentform(estate, url, "eval", "triage", "--format", "json", *args)
    assert result.exit_code == code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def sessions_made(url: str) -> int:
    return admin.counters(url).get("POST /v1/sessions", 0)


def test_a_cached_rerun_makes_no_session(estate: Path, url: str) -> None:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    first = eval_json(estate, url)
    assert sessions_made(url) == 20 and first["sessions"] == 20
    again = eval_json(estate, url)
    # no session call at all: only the two versions named (latest, pinned) are looked up
    assert admin.counters(url) == {"GET /v1/agents/{agent_id}": 2}
    assert again["sessions"] == 0
    assert all(r["cached"] for r in again["candidate"]["results"])
    assert again["candidate"]["accuracy"] == first["candidate"]["accuracy"] == 1.0
    forced = eval_json(estate, url, "--no-cache")
    assert sessions_made(url) == 20 and not any(r["cached"] for r in forced["candidate"]["results"])
    more = eval_json(estate, url, "--repeat", "2")  # repeat 0 is cached, repeat 1 is not
    assert sessions_made(url) == 20 and more["candidate"]["runs"] == 40


def test_rerun_failed_reruns_only_failures_and_errors(estate: Path, url: str) -> None:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, ROUTING_RULE)
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0  # v2, pinned
    eval_json(estate, url, "--candidate", "2", "--baseline", "1", code=3)
    assert sessions_made(url) == 40
    rerun = eval_json(estate, url, "--candidate", "2", "--baseline", "1", "--rerun-failed", code=3)
    assert sessions_made(url) == 3  # v2's three misrouted billing tickets, nothing else
    fresh = [r["case"] for r in rerun["candidate"]["results"] if not r["cached"]]
    assert sorted(fresh) == [
        "billing-overage-rate",
        "billing-usage-alert-charges",
        "billing-usage-spike-invoice",
    ]


def test_a_changed_grader_regrades_without_sessions(estate: Path, url: str) -> None:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    eval_json(estate, url)
    suite = (estate / "evals" / "triage.yaml").read_text(encoding="utf-8")
    suite = suite.replace("scoring:\n  method: json\n  fields: [team]\n", "")
    suite = suite.replace("repeats: 1\n", "repeats: 1\ngraders: [{type: regex, pattern: P1}]\n")
    (estate / "evals" / "triage.yaml").write_text(suite, encoding="utf-8")
    data = eval_json(estate, url)
    assert sessions_made(url) == 0
    p1 = [r["case"] for r in data["candidate"]["results"] if r["status"] == "passed"]
    assert p1 and len(p1) < 20  # only the P1 tickets pass the new grader


def test_several_versions_at_once(estate: Path, url: str) -> None:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, ROUTING_RULE)
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, "Be concise.\n")
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    data = eval_json(estate, url, "--versions", "1,2,3", code=3)
    assert [s["name"] for s in data["subjects"]] == ["v1", "v2", "v3"]
    assert [(c["baseline"], c["candidate"]) for c in data["comparisons"]] == [
        ("v1", "v2"),
        ("v1", "v3"),
    ]
    assert [c["labels"]["billing"]["verdict"] for c in data["comparisons"]] == ["worse", "worse"]
    text = agentform(estate, url, "eval", "triage", "--versions", "1,2,3")
    header = next(line for line in text.output.splitlines() if line.startswith("  label"))
    assert header.split() == [
        "label", "v1", "(baseline)", "v2", "delta", "(95%", "interval)", "verdict",
        "v3", "delta", "(95%", "interval)", "verdict",
    ]  # fmt: skip
    bad = agentform(estate, url, "eval", "triage", "--versions", "1")
    assert bad.exit_code == 1 and "--versions: give at least two" in bad.output


def _budget_suite(estate: Path, budget: str) -> None:
    """evals/triage.yaml: two cases that pass whatever the prompt, under `budget`."""
    write(
        estate,
        "evals/triage.yaml",
        f"""
        agent: triage
        environment: default
        prompt: "{{ticket}}"
        scoring: {{method: json}}
        budgets: {{{budget}}}
        cases:
          - {{id: a, label: x, input: {{ticket: a}}, expected: {{team: billing}}}}
          - {{id: b, label: x, input: {{ticket: b}}, expected: {{team: billing}}}}
        """,
    )


def test_a_latency_budget_refuses_a_slow_candidate(
    estate: Path, fresh_emulator: Any, tmp_path: Path
) -> None:
    rules = tmp_path / "slow.yaml"
    rules.write_text(
        "rules:\n"
        '  - when: {system_contains: SLOW}\n    reply: \'{"team": "billing"}\'\n'
        "    delay_ms: 300\n"
        '  - reply: \'{"team": "billing"}\'\n',
        encoding="utf-8",
    )
    _budget_suite(estate, "max_latency_p95: 250ms")
    with fresh_emulator(responder=rules) as slow:
        assert agentform(estate, slow, "apply", "--auto-approve").exit_code == 0
        edit_prompt(estate, "SLOW\n")
        refused = agentform(estate, slow, "eval", "triage", "--candidate", "manifest")
        assert refused.exit_code == 3, refused.output
        assert "Gate REFUSED (over_budget): manifest p95 latency" in refused.output
        assert "is over its budget max_latency_p95 0.25 s" in refused.output


def test_a_cost_budget_refuses_a_candidate_that_spends_more_per_run(
    estate: Path, fresh_emulator: Any, tmp_path: Path
) -> None:
    # The same answers; the VERBOSE prompt's sessions use twice the tokens: +100% a run.
    rules = tmp_path / "usage.yaml"
    rules.write_text(
        "rules:\n"
        '  - when: {system_contains: VERBOSE}\n    reply: \'{"team": "billing"}\'\n'
        "    usage: {input_tokens: 2000, output_tokens: 100}\n"
        '  - reply: \'{"team": "billing"}\'\n'
        "    usage: {input_tokens: 1000, output_tokens: 50}\n",
        encoding="utf-8",
    )
    _budget_suite(estate, "max_cost_increase: 20%")
    with fresh_emulator(responder=rules) as server:
        assert agentform(estate, server, "apply", "--auto-approve").exit_code == 0
        edit_prompt(estate, "Be brief.\n")  # same spend: within the budget
        passed = agentform(estate, server, "eval", "triage", "--candidate", "manifest")
        assert passed.exit_code == 0, passed.output
        edit_prompt(estate, "VERBOSE\n")
        refused = agentform(estate, server, "eval", "triage", "--candidate", "manifest")
        assert refused.exit_code == 3, refused.output
        assert "Gate REFUSED (over_budget): manifest costs +100.0% per run over v1" in (
            refused.output
        )
        assert "(budget max_cost_increase +20.0%)" in refused.output


def test_bounded_keeps_the_limit_draws_lazily_and_cleans_up_on_stop() -> None:
    drawn: list[int] = []
    running = {"now": 0, "most": 0}
    cleaned: list[int] = []

    def items() -> Iterator[int]:
        for n in range(50):
            drawn.append(n)
            yield n

    async def work(n: int) -> int:
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
        try:
            await asyncio.sleep(0.001 * (n % 3))
            return n
        finally:
            running["now"] -= 1
            cleaned.append(n)

    async def first(count: int) -> list[int]:
        got = []
        async for result in bounded(work, items(), 4):
            got.append(result)
            if len(got) == count:
                break
        return got

    assert sorted(asyncio.run(first(50))) == list(range(50))
    assert running["most"] == 4
    drawn.clear()
    cleaned.clear()
    got = asyncio.run(first(5))
    assert len(got) == 5 and len(drawn) <= 5 + 4  # never more than the limit ahead
    assert sorted(cleaned) == sorted(drawn)  # every started one finished or was cancelled
    assert running["now"] == 0


def test_a_suite_floor_refuses_and_the_json_reports_latency_percentiles(
    estate: Path, fresh_emulator: Any, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        '  - when: {system_contains: CARELESS, message: b}\n    reply: \'{"team": "auth"}\'\n'
        '  - reply: \'{"team": "billing"}\'\n    delay_ms: 120\n',
        encoding="utf-8",
    )
    write(
        estate,
        "evals/triage.yaml",
        """
        agent: triage
        environment: default
        prompt: "{ticket}"
        scoring: {method: json}
        min_accuracy: {overall: 0.9, x: 1.0}
        cases:
          - {id: a, label: x, input: {ticket: a}, expected: {team: billing}}
          - {id: b, label: x, input: {ticket: b}, expected: {team: billing}}
          - {id: c, label: y, input: {ticket: c}, expected: {team: billing}}
        """,
    )
    with fresh_emulator(responder=rules) as url:
        assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
        edit_prompt(estate, "CARELESS\n")
        out = tmp_path / "eval.json"
        refused = agentform(
            estate, url, "eval", "triage", "--candidate", "manifest", "--format", "json",
            "--out", str(out),
        )  # fmt: skip
        assert refused.exit_code == 3, refused.output
        report = json.loads(out.read_text(encoding="utf-8"))
    reasons = json.dumps(report)
    assert "below its floor min_accuracy 90.0%" in reasons  # overall 2/3
    assert "below its floor min_accuracy 100.0%" in reasons  # label x 1/2
    assert len(report["subjects"]) == 2  # the pinned version and the manifest
    for subject in report["subjects"]:
        latency = subject["latency"]
        assert latency["p95"] >= latency["p50"] >= 0.1  # every reply waited 120 ms
