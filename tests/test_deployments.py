"""Deployments: pause and unpause, a server's error pause, manual runs, schedules,
held versions, status and import."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentform.emulator import admin
from tests.cli_helpers import agentform, plan_json
from tests.deployment_estate import deployment, pinned
from tests.estate import copy_example, edit_prompt, write

NIGHTLY = """
    name: nightly-triage
    agent: triage
    environment: default
    initial_events: [{type: user.message, text: Triage the overnight queue.}]
    schedule: {expression: "0 2 * * *", timezone: Europe/Paris}
"""


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    estate = copy_example(tmp_path / "estate")
    write(estate, "deployments/nightly.yaml", NIGHTLY)
    return estate


def applied(estate: Path, url: str, *args: str) -> str:
    result = agentform(estate, url, "apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output
    return result.output


def set_field(estate: Path, line: str) -> None:
    path = estate / "deployments" / "nightly.yaml"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def test_paused_in_the_manifest_pauses_and_unpauses(
    estate: Path, emulator_url: str, client: Any
) -> None:
    set_field(estate, "paused: true")
    assert "deployment nightly: created depl_" in applied(estate, emulator_url)
    found = deployment(client, estate, "nightly")
    assert found.status == "paused" and found.paused_reason.type == "manual"
    assert plan_json(estate, emulator_url)["has_changes"] is False
    path = estate / "deployments" / "nightly.yaml"
    path.write_text(path.read_text().replace("paused: true", "paused: false"), encoding="utf-8")
    change = next(c for c in plan_json(estate, emulator_url)["changes"] if c["key"] == "nightly")
    assert (change["key"], change["action"], change["reason"]) == ("nightly", "update", "unpaused")
    assert change["fields"] == [
        {"path": "paused", "change": "changed", "before": True, "after": False}
    ]
    assert "updated in place; unpaused" in applied(estate, emulator_url)
    assert deployment(client, estate, "nightly").status == "active"


def test_a_deployment_the_server_paused_is_reported_not_unpaused(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    nightly = pinned(estate).get("deployments", "nightly").id
    client.beta.agents.archive(pinned(estate).agents["triage"].id)
    run = admin.fire_deployment(emulator_url, nightly)
    assert run["error"]["type"] == "agent_archived_error"
    assert client.beta.deployments.retrieve(nightly).paused_reason.type == "error"

    shown = agentform(estate, emulator_url, "plan").output
    assert "deployment nightly: paused by the server after a failed run (agent_archived_error" in (
        shown
    )
    assert "`agentform unpause`" in shown
    applied(estate, emulator_url)  # makes a new triage agent and moves the deployment to it
    after = client.beta.deployments.retrieve(nightly)
    assert after.status == "paused" and after.paused_reason.type == "error"
    assert after.agent.id == pinned(estate).agents["triage"].id
    status = agentform(estate, emulator_url, "status").output
    assert "paused (by the server: agent_archived_error)" in status

    done = agentform(estate, emulator_url, "unpause", "nightly")
    assert done.exit_code == 0, done.output
    assert f"deployment nightly ({nightly}) is active" in done.output
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_run_deployment_starts_a_session_on_the_pinned_version(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    result = agentform(estate, emulator_url, "run", "--deployment", "nightly")
    assert result.exit_code == 0, result.output
    session_id = re.search(r"started session (sesn_\w+) on agent v1", result.output)
    assert session_id is not None
    session = client.beta.sessions.retrieve(session_id.group(1))
    assert session.deployment_id == pinned(estate).get("deployments", "nightly").id
    status = agentform(estate, emulator_url, "status").output
    assert f"session {session_id.group(1)}" in status and "(manual)" in status
    unknown = agentform(estate, emulator_url, "run", "--deployment", "nope")
    assert unknown.exit_code == 1 and "no deployment 'nope'" in unknown.output
    both = agentform(estate, emulator_url, "run", "triage", "--deployment", "nightly")
    assert both.exit_code == 1 and "takes no agent KEY" in both.output


def test_a_failed_manual_run_exits_1(estate: Path, emulator_url: str, client: Any) -> None:
    applied(estate, emulator_url)
    client.beta.environments.archive(pinned(estate).environments["default"].id)
    result = agentform(estate, emulator_url, "run", "--deployment", "nightly")
    assert result.exit_code == 1
    assert "failed: environment_archived_error" in result.output


def test_a_held_version_does_not_follow_the_pin(
    estate: Path, emulator_url: str, client: Any
) -> None:
    path = estate / "deployments" / "nightly.yaml"
    path.write_text(path.read_text().replace("agent: triage", "agent: {key: triage, version: 1}"))
    applied(estate, emulator_url)
    edit_prompt(estate, "Be brief.\n")
    changes = plan_json(estate, emulator_url)["changes"]
    assert [(c["key"], c["action"]) for c in changes if c["action"] != "noop"] == [
        ("triage", "update")
    ]
    applied(estate, emulator_url)
    assert pinned(estate).agents["triage"].version == 2
    assert deployment(client, estate, "nightly").agent.version == 1


def test_plan_shows_the_next_three_fire_times(estate: Path, emulator_url: str) -> None:
    shown = agentform(estate, emulator_url, "plan").output
    times = re.search(r"next runs: (.*)", shown)
    assert times is not None
    found = times.group(1).split(", ")
    assert len(found) == 3 and all(re.fullmatch(r"\d{4}-\d\d-\d\d 02:00 CES?T", t) for t in found)
    markdown = agentform(estate, emulator_url, "plan", "--format", "markdown").output
    assert "next runs: " in markdown


@pytest.mark.parametrize(
    ("schedule", "field", "message"),
    [
        ('{expression: "0 2 * *", timezone: UTC}', "schedule.expression", "expected 5 fields"),
        ('{expression: "0 2 L * *", timezone: UTC}', "schedule.expression", "not supported"),
        ('{expression: "0 0 30 2 *", timezone: UTC}', "schedule.expression", "never matches"),
        ('{expression: "0 2 * * *", timezone: Mars/Olympus}', "schedule.timezone", "IANA"),
    ],
)
def test_a_bad_schedule_is_a_validate_error(
    estate: Path, emulator_url: str, schedule: str, field: str, message: str
) -> None:
    path = estate / "deployments" / "nightly.yaml"
    text = re.sub(r"schedule: .*", f"schedule: {schedule}", path.read_text())
    path.write_text(text, encoding="utf-8")
    result = agentform(estate, emulator_url, "validate", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["field"], p["line"]) for p in problems] == [(field, 5)]
    assert message in problems[0]["message"]


def test_status_shows_the_next_run_and_that_there_was_none_yet(
    estate: Path, emulator_url: str
) -> None:
    applied(estate, emulator_url)
    rows = json.loads(agentform(estate, emulator_url, "status", "--format", "json").stdout)
    row = next(r for r in rows if r["kind"] == "deployment")
    assert row["state"] == "synced"
    assert re.fullmatch(r"active; next run \S+Z; no runs yet", row["lines"][0])


def test_import_adopts_a_deployment_that_then_plans_no_change(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    found = pinned(estate)
    made = client.beta.deployments.create(
        name="weekly-report",
        agent={"type": "agent", "id": found.agents["triage"].id, "version": 1},
        environment_id=found.environments["default"].id,
        initial_events=[{"type": "user.message", "content": [{"type": "text", "text": "go"}]}],
        schedule={"type": "cron", "expression": "0 9 * * 1", "timezone": "UTC"},
    )
    result = agentform(estate, emulator_url, "import", "deployment", made.id, "--key", "weekly")
    assert result.exit_code == 0, result.output
    written = yaml.safe_load((estate / "deployments" / "weekly.yaml").read_text())
    assert written["agent"] == "triage" and written["environment"] == "default"
    assert written["schedule"] == {"expression": "0 9 * * 1", "timezone": "UTC"}
    assert pinned(estate).get("deployments", "weekly").id == made.id
    assert client.beta.deployments.retrieve(made.id).metadata["agentform.key"] == "weekly"
    assert plan_json(estate, emulator_url)["has_changes"] is False


def test_import_refuses_a_deployment_of_an_unmanaged_agent(
    estate: Path, emulator_url: str, client: Any
) -> None:
    agent = client.beta.agents.create(name="other", model="claude-sonnet-4-6")
    env = client.beta.environments.create(name="other-env")
    made = client.beta.deployments.create(
        name="other", agent=agent.id, environment_id=env.id,
        initial_events=[{"type": "user.message", "content": [{"type": "text", "text": "go"}]}],
    )  # fmt: skip
    result = agentform(estate, emulator_url, "import", "deployment", made.id)
    assert result.exit_code == 1
    assert f"uses agent {agent.id}, which agentform does not manage here" in result.output
    assert not (estate / "deployments" / "other.yaml").exists()


def test_forget_lets_go_of_a_deployment_and_refuses_an_agent_one_uses(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    used = agentform(estate, emulator_url, "forget", "triage")
    assert used.exit_code == 1
    assert "deployments/nightly.yaml uses agent triage" in used.output
    nightly = pinned(estate).get("deployments", "nightly").id
    done = agentform(estate, emulator_url, "forget", "nightly")
    assert done.exit_code == 0, done.output
    assert "agentform no longer manages deployment nightly" in done.output
    assert not (estate / "deployments" / "nightly.yaml").exists()
    assert pinned(estate).get("deployments", "nightly") is None
    left = client.beta.deployments.retrieve(nightly)
    assert left.archived_at is None and "agentform.key" not in left.metadata
    assert plan_json(estate, emulator_url)["has_changes"] is False


@pytest.mark.parametrize("kind", ["deployment", "vault", "memory_store"])
def test_the_docs_examples_satisfy_their_schema(kind: str) -> None:
    from jsonschema import Draft202012Validator

    from agentform.manifests.schemas import load_schema

    docs = (Path(__file__).resolve().parent.parent / "docs" / "deployments.md").read_text()
    examples = [
        block
        for block in re.findall(r"^```yaml\n(.*?)^```", docs, re.S | re.M)
        if block.startswith(f"# yaml-language-server: $schema=../schemas/{kind}.schema.json")
    ]
    assert examples
    for block in examples:
        Draft202012Validator(load_schema(kind)).validate(yaml.safe_load(block))


def test_pin_and_promote_move_the_deployments_that_run_the_agent(
    estate: Path, responder_url: str, make_client: Any
) -> None:
    # `pin` (a rollback) and `promote` (an evaluated move) change pins.yaml like an apply
    # or a revert does: the next plan moves the deployment with them.
    client, url = make_client(responder_url), responder_url
    applied(estate, url)
    edit_prompt(estate, "Be brief.\n")
    applied(estate, url)
    assert deployment(client, estate, "nightly").agent.version == 2

    assert agentform(estate, url, "pin", "triage", "1").exit_code == 0
    change = next(c for c in plan_json(estate, url)["changes"] if c["key"] == "nightly")
    assert change["reason"] == "agent triage v2 -> v1 (follows pins)"
    applied(estate, url)
    assert deployment(client, estate, "nightly").agent.version == 1

    promoted = agentform(estate, url, "promote", "triage", "--to", "2")
    assert promoted.exit_code == 0, promoted.output
    assert pinned(estate).agents["triage"].version == 2
    change = next(c for c in plan_json(estate, url)["changes"] if c["key"] == "nightly")
    assert change["reason"] == "agent triage v1 -> v2 (follows pins)"
    applied(estate, url)
    assert deployment(client, estate, "nightly").agent.version == 2
    assert plan_json(estate, url)["has_changes"] is False


def test_a_budget_and_metadata_are_applied_and_then_plan_no_change(
    estate: Path, emulator_url: str, client: Any
) -> None:
    set_field(estate, 'budget: {type: limit, max_list_cost: {amount: "2500", currency: USD}}')
    set_field(estate, "metadata: {team: support}")
    applied(estate, emulator_url)
    found = deployment(client, estate, "nightly")
    assert found.budget.max_list_cost.amount == "2500"
    assert found.metadata["team"] == "support"
    assert plan_json(estate, emulator_url)["has_changes"] is False
    path = estate / "deployments" / "nightly.yaml"
    path.write_text(path.read_text().replace('"2500"', '"5000"'), encoding="utf-8")
    change = next(c for c in plan_json(estate, emulator_url)["changes"] if c["key"] == "nightly")
    assert change["action"] == "update"
    assert [f["path"] for f in change["fields"]] == ["budget.max_list_cost.amount"]
    applied(estate, emulator_url)
    assert deployment(client, estate, "nightly").budget.max_list_cost.amount == "5000"
