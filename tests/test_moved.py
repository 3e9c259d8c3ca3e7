"""`moved.yaml`: a rename made in a pull request by renaming files plans as a move.

Without it, renaming `agents/researcher.yaml` plans as create + archive: a new agent with
a new history. With `- from: agent/researcher  to: agent/fact-finder` the plan shows the
move, apply renames the pin and the marker, and nothing is created or archived.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.catalog import NAMES
from agentform.emulator import admin
from tests.cli_helpers import actions, agentform, apply, assert_no_changes, plan_json
from tests.estate import multiagent, write

MOVED = "# Renamed in this pull request.\n- from: agent/researcher\n  to: agent/fact-finder\n"


def rename_in_files(estate: Path) -> None:
    """What a pull request does: `git mv` and an edit of the roster that names it."""
    (estate / "agents/researcher.yaml").rename(estate / "agents/fact-finder.yaml")
    coordinator = estate / "agents/coordinator.yaml"
    text = coordinator.read_text(encoding="utf-8")
    coordinator.write_text(text.replace("agent: researcher", "agent: fact-finder"), "utf-8")


def test_a_rename_without_moved_yaml_would_recreate(tmp_path: Path, emulator_url: str) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    rename_in_files(estate)
    plan = plan_json(estate, emulator_url)
    assert actions(plan)[("agent", "fact-finder")] == "create"
    assert [(c["key"], c["deferred"]) for c in plan["changes"] if c["action"] == "archive"] == [
        ("researcher", True)
    ]


def test_moved_yaml_plans_a_move_and_apply_converges(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    researcher = pins.load(estate / "pins.yaml").agents["researcher"]
    coordinator = pins.load(estate / "pins.yaml").agents["coordinator"]
    rename_in_files(estate)
    write(estate, "moved.yaml", MOVED)

    plan = plan_json(estate, emulator_url)
    assert plan["summary"]["move"] == 1 and plan["summary"]["create"] == 0
    assert {(c["key"], c["action"]) for c in plan["changes"] if c["action"] != "noop"} == {
        ("fact-finder", "move")
    }
    [move] = [c for c in plan["changes"] if c["action"] == "move"]
    assert (move["id"], move["moved_from"]) == (researcher.id, "researcher")
    text = agentform(estate, emulator_url, "plan").output
    assert f"-> agent fact-finder (support-researcher) {researcher.id}: researcher -> " in text
    assert "fact-finder (moved): same id;" in text
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to archive, 1 to move;" in text
    markdown = agentform(estate, emulator_url, "plan", "--format", "markdown").output
    assert "researcher -> fact-finder (moved)" in markdown

    check = agentform(estate, emulator_url, "pins", "check", "--offline")
    assert check.exit_code == 0, check.output  # researcher's pin moves to a manifest

    output = apply(estate, emulator_url)
    assert "0 archived, 1 moved;" in output
    after = pins.load(estate / "pins.yaml")
    assert after.agents["fact-finder"] == researcher and "researcher" not in after.agents
    assert after.agents["coordinator"] == coordinator  # no cascade: the same pinned version
    agent = client.beta.agents.retrieve(researcher.id)
    assert agent.metadata["agentform.key"] == "fact-finder"
    assert plan_json(estate, emulator_url)["notes"] == []
    assert_no_changes(estate, emulator_url)  # the entry is inert now
    assert "moved" not in agentform(estate, emulator_url, "status").output


def test_a_move_with_an_edit_in_the_same_pull_request(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    researcher = pins.load(estate / "pins.yaml").agents["researcher"]
    rename_in_files(estate)
    write(estate, "moved.yaml", MOVED)
    manifest = estate / "agents/fact-finder.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("Finds the facts", "Finds and cites facts"),
        encoding="utf-8",
    )
    plan = plan_json(estate, emulator_url)
    assert actions(plan)[("agent", "fact-finder")] == "update"  # the move listed too
    assert [c["key"] for c in plan["changes"] if c["action"] == "move"] == ["fact-finder"]
    assert actions(plan)[("agent", "coordinator")] == "update"  # follows the new version
    admin.reset(emulator_url)
    apply(estate, emulator_url)
    # One update writes the content and the marker: no separate marker version.
    assert admin.counters(emulator_url)["POST /v1/agents/{agent_id}"] == 2
    pin = pins.load(estate / "pins.yaml").agents["fact-finder"]
    assert (pin.id, pin.version) == (researcher.id, 2)
    agent = client.beta.agents.retrieve(researcher.id)
    assert (agent.version, agent.metadata["agentform.key"]) == (2, "fact-finder")
    assert agent.description == "Finds and cites facts behind a support question."
    assert_no_changes(estate, emulator_url)


def test_a_saved_plan_with_a_move_applies(tmp_path: Path, emulator_url: str) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    rename_in_files(estate)
    write(estate, "moved.yaml", MOVED)
    saved = tmp_path / "plan.json"
    assert agentform(estate, emulator_url, "plan", "--out", str(saved)).exit_code == 0
    result = agentform(estate, emulator_url, "apply", str(saved), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "fact-finder" in pins.load(estate / "pins.yaml").agents
    assert_no_changes(estate, emulator_url)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from: a\nto: b\n", "1:1: expected a list of {from: KIND/KEY, to: KIND/KEY}"),
        ("- from: agent/researcher\n", "1:3: [0]: expected {from: KIND/KEY, to: KIND/KEY}"),
        (
            "- from: robot/researcher\n  to: agent/writer\n",
            f"1:3: [0].from: unknown kind 'robot' (one of {', '.join(NAMES)})",
        ),
        (
            "- from: agent/Old\n  to: agent/writer\n",
            "1:3: [0].from: 'Old' is not a valid key: use lowercase letters,",
        ),
        (
            "- from: agent/ghost\n  to: agent/nobody\n",
            "2:3: [0].to: no agent manifest 'nobody' (agents/nobody): the move's target",
        ),
        (
            "- from: agent/researcher\n  to: agent/writer\n",
            "1:3: [0].from: {estate}/agents/researcher.yaml still exists: a moved resource has "
            "one manifest",
        ),
        (
            "- from: agent/ghost\n  to: environment/writer\n",
            "2:3: [0].to: a move keeps its kind (agent here)",
        ),
        (
            "- from: ghost\n  to: default\n",
            "2:3: [0].to: default is both an agent and an environment manifest: write KIND/default",
        ),
        (
            "- {from: ghost, to: writer}\n- {from: ghost, to: coordinator}\n",
            "2:4: [1].from: agent ghost already moves above",
        ),
        ("- from: ghost\n  to: writer\n  why: tidy\n", "3:3: [0].why: unknown field 'why'"),
    ],
)
def test_moved_yaml_problems_name_their_line(tmp_path: Path, text: str, expected: str) -> None:
    estate = multiagent(tmp_path)
    write(estate, "agents/default.yaml", "name: default\nmodel: claude-haiku-4-5\nsystem: Hi.\n")
    write(estate, "moved.yaml", text)
    result = agentform(estate, "http://127.0.0.1:9", "validate")
    assert result.exit_code == 1
    line = f"{estate / 'moved.yaml'}:{expected.replace('{estate}', str(estate))}"
    assert any(row.startswith(line) for row in result.output.splitlines()), result.output


def test_a_valid_moved_yaml_passes_validate(tmp_path: Path) -> None:
    estate = multiagent(tmp_path)
    rename_in_files(estate)
    write(estate, "moved.yaml", "- from: researcher\n  to: fact-finder\n")
    result = agentform(estate, "http://127.0.0.1:9", "validate")
    assert result.exit_code == 0, result.output
