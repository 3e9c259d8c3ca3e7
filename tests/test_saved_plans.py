"""plan --out / apply FILE: exactly what was reviewed, or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentform import pins
from agentform.emulator import admin
from tests.cli_helpers import agentform
from tests.estate import edit_prompt


def test_a_fresh_saved_plan_applies_without_prompting(estate: Path, emulator_url: str) -> None:
    saved = agentform(
        estate, emulator_url, "plan", "--out", str(estate / "plan.json"), "--detailed-exitcode"
    )
    assert saved.exit_code == 2 and "Saved the plan to" in saved.output
    document = json.loads((estate / "plan.json").read_text(encoding="utf-8"))
    assert document["checksum"].startswith("sha256:") and document["format_version"] == 1
    applied = agentform(estate, emulator_url, "apply", str(estate / "plan.json"))
    assert applied.exit_code == 0, applied.output
    assert set(pins.load(estate / "pins.yaml").agents) == {"triage"}


def test_a_saved_plan_goes_stale_when_the_agent_changes_on_the_server(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    before = (estate / "pins.yaml").read_text(encoding="utf-8")
    edit_prompt(estate, "Be brief.\n")
    assert (
        agentform(estate, emulator_url, "plan", "--out", str(estate / "plan.json")).exit_code == 0
    )
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    client.beta.agents.update(agent_id, description="edited in the console")
    admin.reset(emulator_url)

    refused = agentform(estate, emulator_url, "apply", str(estate / "plan.json"))
    assert refused.exit_code == 1
    assert "the saved plan is stale; nothing was applied" in refused.output
    assert f"agent triage ({agent_id}) changed on the server: v1 updated" in refused.output
    assert "-> v2 updated" in refused.output
    assert [k for k in admin.counters(emulator_url) if not k.startswith("GET ")] == []
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == before


def test_a_saved_plan_goes_stale_when_a_manifest_changes(estate: Path, emulator_url: str) -> None:
    assert (
        agentform(estate, emulator_url, "plan", "--out", str(estate / "plan.json")).exit_code == 0
    )
    edit_prompt(estate, "Second thoughts.\n")
    refused = agentform(estate, emulator_url, "apply", str(estate / "plan.json"))
    assert refused.exit_code == 1
    assert "triage.prompt.md changed" in refused.output


def test_an_edited_plan_file_is_refused(estate: Path, emulator_url: str) -> None:
    assert (
        agentform(estate, emulator_url, "plan", "--out", str(estate / "plan.json")).exit_code == 0
    )
    document = json.loads((estate / "plan.json").read_text(encoding="utf-8"))
    document["plan"]["changes"][0]["body"]["system"] = "something nobody reviewed"
    (estate / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    refused = agentform(estate, emulator_url, "apply", str(estate / "plan.json"))
    assert refused.exit_code == 1 and "checksum mismatch" in refused.output
    assert admin.counters(emulator_url).get("POST /v1/agents") is None


def test_a_saved_plan_keeps_its_own_targets(estate: Path, emulator_url: str) -> None:
    out = str(estate / "plan.json")
    assert (
        agentform(estate, emulator_url, "plan", "--out", out, "--target", "default").exit_code == 0
    )
    both = agentform(estate, emulator_url, "apply", out, "--target", "triage")
    assert both.exit_code == 1 and "cannot be combined" in both.output
    assert agentform(estate, emulator_url, "apply", out).exit_code == 0
    written = pins.load(estate / "pins.yaml")
    assert set(written.environments) == {"default"} and written.agents == {}
