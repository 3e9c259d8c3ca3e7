"""Faults mid-apply leave pins.yaml valid and true; a rerun converges without duplicates.

Each test asserts through the emulator's counters that the fault really fired.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.apply.run import ApplyOptions
from agentform.apply.writes import RetryPolicy
from agentform.emulator import admin
from agentform.manifests.project import load_project
from agentform.remote.client import Remote
from agentform.workflow import make_plan, run_apply
from tests.cli_helpers import agentform, plan_json
from tests.estate import edit_prompt, write

FAST = RetryPolicy(attempts=2, backoff=0.01)


def remote_for(client: Any) -> Remote:
    return Remote(client)


def marked_agents(client: Any, key: str) -> list[Any]:
    return [a for a in client.beta.agents.list(limit=100) if a.metadata.get("agentform.key") == key]


@pytest.mark.parametrize("lost", ["500", "drop"])
def test_a_lost_create_response_is_found_again_not_duplicated(
    estate: Path, emulator_url: str, client: Any, lost: str
) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", lost=lost)
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert admin.faults_fired(emulator_url) == 1
    assert admin.counters(emulator_url)["POST /v1/agents"] == 1  # found it; did not create again
    [agent] = marked_agents(client, "triage")
    assert pins.load(estate / "pins.yaml").agents["triage"].id == agent.id
    assert "No changes" in agentform(estate, emulator_url, "plan").output


def test_a_429_is_retried_after_its_retry_after(estate: Path, emulator_url: str) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", status=429, retry_after=0.4)
    started = time.monotonic()
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.4
    assert admin.faults_fired(emulator_url) == 1
    assert admin.counters(emulator_url)["POST /v1/agents"] == 2


def test_a_transient_500_is_checked_then_retried(
    estate: Path, emulator_url: str, client: Any
) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/environments", status=500)
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    seen = admin.counters(emulator_url)
    assert seen["POST /v1/environments"] == 2
    # The plan's read, the look before resending, the look for a concurrent twin after creating.
    assert seen["GET /v1/environments"] == 3
    assert len(list(client.beta.environments.list())) == 1


def test_a_persistent_500_mid_apply_leaves_pins_true_and_a_rerun_converges(
    estate: Path, emulator_url: str, client: Any
) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/environments", status=500, count=10)
    planned = make_plan(load_project(estate, estate / "pins.yaml"), remote_for(client))
    result = run_apply(planned, remote_for(client), ApplyOptions(policy=FAST), lambda outcome: None)
    assert [(o.change.key, o.status) for o in result.outcomes] == [
        ("triage", "done"),
        ("default", "failed"),
    ]
    assert "gave up after 2 attempts" in result.failed[0].message
    written = pins.load(estate / "pins.yaml")  # valid, and true: the agent exists, the env does not
    assert set(written.agents) == {"triage"} and written.environments == {}

    admin.reset(emulator_url)  # the outage ends
    rerun = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert rerun.exit_code == 0, rerun.output
    assert len(marked_agents(client, "triage")) == 1
    assert len(list(client.beta.environments.list())) == 1
    assert set(pins.load(estate / "pins.yaml").environments) == {"default"}


def test_a_conflict_is_reported_for_that_agent_while_the_others_proceed(
    estate: Path, emulator_url: str, client: Any
) -> None:
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-haiku-4-5\nsystem: Help.\n")
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, "Be brief.\n")
    write(
        estate, "agents/helper.yaml", "name: helper\nmodel: claude-haiku-4-5\nsystem: Help more.\n"
    )
    planned = make_plan(load_project(estate, estate / "pins.yaml"), remote_for(client))

    triage = planned.project.pins.agents["triage"].id
    client.beta.agents.update(triage, system="changed by hand in the console")  # now v2
    admin.reset(emulator_url)
    result = run_apply(planned, remote_for(client), ApplyOptions(policy=FAST), lambda outcome: None)

    outcome = {o.change.key: o for o in result.outcomes}
    assert outcome["triage"].status == "failed" and "409" in outcome["triage"].message
    assert outcome["helper"].status == "done"
    assert (
        admin.counters(emulator_url)["POST /v1/agents/{agent_id}"] == 2
    )  # one each: no blind retry
    after = pins.load(estate / "pins.yaml")
    assert (after.agents["triage"].version, after.agents["helper"].version) == (1, 2)
    assert client.beta.agents.retrieve(triage).system == "changed by hand in the console"


def test_a_409_from_the_server_exits_1_and_is_not_retried(estate: Path, emulator_url: str) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    before = (estate / "pins.yaml").read_text(encoding="utf-8")
    edit_prompt(estate, "Be brief.\n")
    admin.reset(emulator_url)
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents/*", status=409)
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 1
    assert "FAIL  agent triage: update agent" in result.output and "409" in result.output
    assert admin.counters(emulator_url)["POST /v1/agents/{agent_id}"] == 1
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == before


def test_a_lost_update_response_is_not_mistaken_for_a_conflict(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    edit_prompt(estate, "Be brief.\n")
    admin.reset(emulator_url)
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents/*", lost="500")
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert admin.faults_fired(emulator_url) == 1
    assert admin.counters(emulator_url)["POST /v1/agents/{agent_id}"] == 1
    assert sorted(v.version for v in client.beta.agents.versions.list(agent_id)) == [1, 2]
    assert pins.load(estate / "pins.yaml").agents["triage"].version == 2


def test_a_lost_archive_response_is_confirmed_not_resent(
    estate: Path, emulator_url: str, client: Any
) -> None:
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-haiku-4-5\nsystem: Help.\n")
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    helper = pins.load(estate / "pins.yaml").agents["helper"].id
    (estate / "agents" / "helper.yaml").unlink()
    admin.reset(emulator_url)
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents/*/archive", lost="drop")
    result = agentform(estate, emulator_url, "apply", "--auto-approve", "--prune")
    assert result.exit_code == 0, result.output
    assert admin.counters(emulator_url)["POST /v1/agents/{agent_id}/archive"] == 1
    assert client.beta.agents.retrieve(helper).archived_at is not None
    assert "helper" not in pins.load(estate / "pins.yaml").agents
    assert plan_json(estate, emulator_url)["has_changes"] is False
