"""Evaluate before merge: `eval --candidate manifest` and `plan --eval` score the working
tree's manifest on a scratch agent, never a new version of the production agent."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.emulator import admin
from agentform.evals import runner
from agentform.evals.cache import Cache
from agentform.evals.candidate import CANDIDATE_MARKER
from agentform.evals.results import Subject
from agentform.evals.workflow import EvalOptions, evaluate
from agentform.manifests.project import load_project
from agentform.remote.client import Remote
from agentform.render.markdown import MARKER
from tests.cli_helpers import agentform
from tests.estate import edit_prompt

ROUTING_RULE = (
    "ROUTING RULE: If the ticket text mentions API usage, rate limits, quotas, or request "
    "volume, route to api-platform.\n"
)


@pytest.fixture
def url(responder_url: str) -> str:
    return responder_url


@pytest.fixture
def applied(estate: Path, url: str) -> Path:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    return estate


def agents(client: Any) -> list[Any]:
    return list(client.beta.agents.list(include_archived=True, limit=100))


def scratch_alive(client: Any) -> list[str]:
    return [
        a.id for a in client.beta.agents.list(limit=100) if (a.metadata or {}).get(CANDIDATE_MARKER)
    ]


def test_candidate_manifest_makes_no_version_and_leaves_no_scratch_agent(
    applied: Path, url: str, make_client: Any
) -> None:
    client = make_client(url)
    triage = pins.load(applied / "pins.yaml").agents["triage"].id
    before = (applied / "pins.yaml").read_text(encoding="utf-8")
    edit_prompt(applied, ROUTING_RULE)
    result = agentform(
        applied, url, "eval", "triage", "--candidate", "manifest", "--format", "json"
    )
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    assert [s["name"] for s in data["subjects"]] == ["v1", "manifest"]
    billing = data["comparisons"][0]["labels"]["billing"]
    assert billing["verdict"] == "worse" and billing["interval"][1] < 0
    assert data["candidate"]["version"] is None and data["candidate"]["agent_id"] != triage
    assert client.beta.agents.retrieve(triage).version == 1  # no new version
    assert len(list(client.beta.agents.versions.list(triage))) == 1
    assert scratch_alive(client) == []
    scratch = [a for a in agents(client) if a.id == data["candidate"]["agent_id"]]
    assert scratch[0].archived_at is not None and scratch[0].name == "ticket-triage"
    assert scratch[0].metadata == {"team": "support", "owner": "support-tooling", **{
        CANDIDATE_MARKER: "triage"
    }}  # fmt: skip
    assert (applied / "pins.yaml").read_text(encoding="utf-8") == before
    plan = agentform(applied, url, "plan", "--format", "json")
    assert [c["key"] for c in json.loads(plan.stdout)["changes"] if c["kind"] == "agent"] == [
        "triage"
    ]  # the scratch agent is not a stray plan sees


def test_a_scratch_agent_a_crash_left_is_swept_by_the_next_run(
    applied: Path, url: str, make_client: Any
) -> None:
    client = make_client(url)
    left = client.beta.agents.create(
        name="ticket-triage", model="claude-sonnet-4-6", metadata={CANDIDATE_MARKER: "triage"}
    )
    other = client.beta.agents.create(
        name="x", model="claude-sonnet-4-6", metadata={CANDIDATE_MARKER: "helper"}
    )
    edit_prompt(applied, "Be concise.\n")
    result = agentform(applied, url, "eval", "triage", "--candidate", "manifest")
    assert result.exit_code == 0, result.output
    assert client.beta.agents.retrieve(left.id).archived_at is not None
    assert client.beta.agents.retrieve(other.id).archived_at is None  # another key's
    assert scratch_alive(client) == [other.id]


def test_the_scratch_agent_is_archived_when_the_eval_fails(
    applied: Path, url: str, make_client: Any
) -> None:
    admin.inject_fault(url, method="POST", path="/v1/sessions", status=400, count=100)
    result = agentform(applied, url, "eval", "triage", "--candidate", "manifest", "--no-cache")
    assert result.exit_code == 1 and "every run failed, nothing was measured" in result.output
    assert admin.faults_fired(url) >= 20
    assert scratch_alive(make_client(url)) == []


def test_the_scratch_agent_is_archived_on_ctrl_c(
    applied: Path, url: str, make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        assert len(scratch_alive(make_client(url))) == 1  # made, in use
        raise KeyboardInterrupt

    monkeypatch.setattr("agentform.evals.workflow.run_suite", interrupted)
    project = load_project(applied, applied / "pins.yaml")
    with pytest.raises(KeyboardInterrupt):
        evaluate(project, Remote(make_client(url)), "triage", ["pinned", "manifest"], EvalOptions())
    assert scratch_alive(make_client(url)) == []


def test_cancelled_runs_leave_their_sessions_idle_and_archived(
    fresh_emulator: Any, tmp_path: Path, estate: Path, make_client: Any
) -> None:
    rules = tmp_path / "hang.yaml"
    rules.write_text("rules:\n  - hang: true\n", encoding="utf-8")
    with fresh_emulator(responder=rules) as hang:
        assert agentform(estate, hang, "apply", "--auto-approve").exit_code == 0
        project = load_project(estate, estate / "pins.yaml")
        client = make_client(hang)
        pin = project.pins.agents["triage"]
        subject = Subject("v1", pin.id, 1, "d")
        place = runner.Placement(project.pins.environments["default"].id)
        options = runner.RunOptions(1, 4, place, "test")

        async def start_then_stop() -> None:
            task = asyncio.ensure_future(
                runner._run(
                    Remote(client), project.suite("triage"), [subject], options, Cache(None),
                    lambda *a: None, lambda *a: None,
                )
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                await asyncio.sleep(0.05)
                running = await asyncio.to_thread(
                    lambda: [s for s in client.beta.sessions.list() if s.status == "running"]
                )
                if len(running) == 4:
                    break
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

        asyncio.run(start_then_stop())
        made = list(client.beta.sessions.list(include_archived=True))
        assert len(made) == 4  # --concurrency 4: the other 16 cases never started
        assert all(s.status == "idle" and s.archived_at is not None for s in made)


def test_a_prompt_change_the_rules_ignore_is_never_worse_over_20_seeds(
    applied: Path, url: str, make_client: Any
) -> None:
    edit_prompt(applied, "Be concise, and never apologise.\n")
    outcomes = []
    for seed in range(20):
        result = agentform(
            applied, url, "eval", "triage", "--candidate", "manifest", "--seed", str(seed),
            "--format", "json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["statistics"]["seed"] == seed
        outcomes.append({c["labels"]["overall"]["verdict"] for c in data["comparisons"]})
        assert all(
            label["verdict"] != "worse"
            for c in data["comparisons"]
            for label in c["labels"].values()
        )
    assert set().union(*outcomes) <= {"inconclusive", "better"}
    assert scratch_alive(make_client(url)) == []


def test_plan_eval_puts_the_comparison_under_the_plan(applied: Path, url: str) -> None:
    edit_prompt(applied, ROUTING_RULE)
    plain = agentform(applied, url, "plan", "--format", "markdown", "--detailed-exitcode")
    assert plain.exit_code == 2
    measured = agentform(applied, url, "plan", "--eval", "--format", "markdown")
    assert measured.exit_code == 3, measured.output
    assert measured.stdout.startswith(plain.stdout)  # the plan is unchanged, the eval below
    below = measured.stdout[len(plain.stdout) :]
    assert MARKER in plain.stdout and MARKER not in below
    assert below.startswith("\n### Evals: the working tree's manifest vs the pinned version\n")
    assert "#### ❌ Eval `triage`: manifest vs v1" in below
    assert "| `billing` | 100.0% 5/5 | 40.0% 2/5 | -60.0 [-100.0, -20.0] | **worse** |" in below
    assert "Error: plan --eval: triage: manifest is worse than v1: billing" in measured.output
    text = agentform(applied, url, "plan", "--eval")
    assert "Gate REFUSED (worse): manifest is worse than v1" in text.output
    refused = agentform(applied, url, "plan", "--eval", "--format", "json")
    assert refused.exit_code == 1 and "under a text or markdown plan" in refused.output


def test_plan_eval_of_a_new_agent_scores_nothing(estate: Path, url: str) -> None:
    result = agentform(estate, url, "plan", "--eval", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "triage (triage): not scored, a new agent: nothing pinned yet" in result.output
    assert admin.counters(url).get("POST /v1/sessions", 0) == 0
