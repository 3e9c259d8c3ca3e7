"""`agentform forget KEY`: agentform lets go of a resource; the server keeps it, live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentform import pins
from tests.cli_helpers import agentform, plan_json
from tests.estate import write


def _applied(estate: Path, url: str) -> None:
    (estate / "evals" / "triage.yaml").unlink()  # a suite naming the agent would refuse it
    result = agentform(estate, url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def test_forget_leaves_the_object_live_and_unmarked_and_plan_empty(
    estate: Path, emulator_url: str, client: Any
) -> None:
    _applied(estate, emulator_url)
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    result = agentform(estate, emulator_url, "forget", "triage")
    assert result.exit_code == 0, result.output
    agent = client.beta.agents.retrieve(agent_id)
    assert agent.archived_at is None
    assert "agentform.key" not in agent.metadata and "agentform.digest" not in agent.metadata
    assert agent.metadata["team"] == "support"  # the user's metadata is left alone
    assert "triage" not in pins.load(estate / "pins.yaml").agents
    assert not (estate / "agents" / "triage.yaml").exists()
    assert not (estate / "agents" / "triage.prompt.md").exists()
    assert f"unmarked agent {agent_id} (left live on the server)" in result.output
    plan = plan_json(estate, emulator_url)
    assert plan["has_changes"] is False and plan["notes"] == []
    assert [c["key"] for c in plan["changes"]] == ["default"]


def test_forget_an_environment_whose_manifest_is_already_gone(
    estate: Path, emulator_url: str, client: Any
) -> None:
    _applied(estate, emulator_url)
    env_id = pins.load(estate / "pins.yaml").environments["default"].id
    (estate / "environments" / "default.yaml").unlink()
    assert (
        plan_json(estate, emulator_url)["summary"]["deferred"] == 1
    )  # an archive, only with --prune
    result = agentform(estate, emulator_url, "forget", "default")
    assert result.exit_code == 0, result.output
    env = client.beta.environments.retrieve(env_id)
    assert env.archived_at is None and "agentform.key" not in env.metadata
    plan = plan_json(estate, emulator_url)
    assert plan["has_changes"] is False and plan["summary"]["deferred"] == 0


def test_forget_is_refused_while_an_eval_suite_names_it(estate: Path, emulator_url: str) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    before = (estate / "pins.yaml").read_text(encoding="utf-8")
    result = agentform(estate, emulator_url, "forget", "triage")
    assert result.exit_code == 1
    assert "evals/triage.yaml uses agent triage" in result.output
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == before
    assert (estate / "agents" / "triage.yaml").exists()


def test_forget_an_unknown_key_lists_the_known_ones(estate: Path, emulator_url: str) -> None:
    result = agentform(estate, emulator_url, "forget", "nope")
    assert result.exit_code == 1
    assert "no agent 'nope' in this estate (known: triage)" in result.output


def test_forget_keeps_a_prompt_file_another_manifest_uses(estate: Path, emulator_url: str) -> None:
    write(
        estate,
        "agents/twin.yaml",
        "name: twin\nmodel: claude-sonnet-4-6\nsystem_file: triage.prompt.md\n",
    )
    _applied(estate, emulator_url)
    assert agentform(estate, emulator_url, "forget", "twin").exit_code == 0
    assert (estate / "agents" / "triage.prompt.md").exists()
    assert not (estate / "agents" / "twin.yaml").exists()


def test_forget_asks_which_kind_when_a_key_names_two(estate: Path, emulator_url: str) -> None:
    (estate / "agents" / "default.yaml").write_text(
        "name: Default\nmodel: claude-haiku-4-5\nsystem: Hello.\n", encoding="utf-8"
    )
    result = agentform(estate, emulator_url, "forget", "default")
    assert result.exit_code == 1
    assert "default is both an agent and an environment: pass --kind" in result.output
