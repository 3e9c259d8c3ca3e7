"""`--refresh-only`: accept changes made on the server into the manifests, touch no server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentform import pins
from agentform.emulator import admin
from tests.cli_helpers import agentform, plan_json


def _changed_on_the_server(estate: Path, url: str, client: Any) -> tuple[str, str]:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    pinned = pins.load(estate / "pins.yaml")
    agent = client.beta.agents.retrieve(pinned.agents["triage"].id)
    client.beta.agents.update(
        agent.id,
        version=agent.version,
        description="Changed in the console",
        system=agent.system + "Be brief.\n",
        metadata={"owner": "ops"},
    )
    env_id = pinned.environments["default"].id
    client.beta.environments.update(
        env_id,
        config={"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["x.dev"]}},
    )
    return agent.id, env_id


def test_apply_refresh_only_makes_the_next_plan_empty(
    estate: Path, emulator_url: str, client: Any
) -> None:
    _changed_on_the_server(estate, emulator_url, client)
    assert plan_json(estate, emulator_url)["has_changes"] is True
    manifest = estate / "agents" / "triage.yaml"
    before = manifest.read_text(encoding="utf-8")
    pins_before = (estate / "pins.yaml").read_text(encoding="utf-8")
    admin.reset(emulator_url)  # counters only
    result = agentform(estate, emulator_url, "apply", "--refresh-only", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Refresh complete: 2 manifests updated." in result.output
    writes = [r for r in admin.counters(emulator_url) if not r.startswith("GET ")]
    assert writes == []  # the server was only read
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == pins_before
    after = manifest.read_text(encoding="utf-8")
    assert after.splitlines()[:2] == before.splitlines()[:2]  # the comments are kept
    assert "description: Changed in the console" in after
    assert "system_file: triage.prompt.md" in after  # the prompt stays in its file
    prompt = (estate / "agents" / "triage.prompt.md").read_text(encoding="utf-8")
    assert prompt.endswith("Be brief.\n")
    environment = (estate / "environments" / "default.yaml").read_text(encoding="utf-8")
    assert "x.dev" in environment
    plan = agentform(estate, emulator_url, "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert agentform(estate, emulator_url, "fmt", "--check").exit_code == 0


def test_plan_refresh_only_shows_and_writes_nothing(
    estate: Path, emulator_url: str, client: Any
) -> None:
    _changed_on_the_server(estate, emulator_url, client)
    manifest = (estate / "agents" / "triage.yaml").read_text(encoding="utf-8")
    shown = agentform(estate, emulator_url, "plan", "--refresh-only", "--detailed-exitcode")
    assert shown.exit_code == 2, shown.output
    assert "+Changed in the console" in shown.output and "+Be brief." in shown.output
    assert "Refresh: 2 manifests to update, 3 files to write." in shown.output
    assert (estate / "agents" / "triage.yaml").read_text(encoding="utf-8") == manifest
    data = json.loads(
        agentform(estate, emulator_url, "plan", "--refresh-only", "--format", "json").stdout
    )
    assert data["refresh_only"] is True and data["has_changes"] is True
    assert {c["key"] for c in data["changes"]} == {"triage", "default"}


def test_a_manifest_edited_since_it_was_applied_is_not_overwritten(
    estate: Path, emulator_url: str, client: Any
) -> None:
    _changed_on_the_server(estate, emulator_url, client)
    path = estate / "environments" / "default.yaml"
    edited = path.read_text(encoding="utf-8").replace("Sandbox", "My sandbox")
    path.write_text(edited, encoding="utf-8")
    result = agentform(estate, emulator_url, "apply", "--refresh-only", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "environment default: the manifest changed since it was last applied" in result.output
    assert path.read_text(encoding="utf-8") == edited


def test_refresh_only_without_changes_or_confirmation(estate: Path, emulator_url: str) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    nothing = agentform(estate, emulator_url, "apply", "--refresh-only")
    assert nothing.exit_code == 0
    assert "No changes. The manifests match the server." in nothing.output
    (estate / "agents" / "triage.prompt.md").write_text("Other.\n", encoding="utf-8")
    refused = agentform(estate, emulator_url, "plan", "--refresh-only", "--out", "p.json")
    assert refused.exit_code == 1 and "--refresh-only changes no server" in refused.output


def test_an_inline_prompt_is_refreshed_inline_and_a_new_manifest_is_skipped(
    estate: Path, emulator_url: str, client: Any
) -> None:
    from tests.estate import write

    (estate / "evals" / "triage.yaml").unlink()
    path = write(
        estate,
        "agents/helper.yaml",
        "# mine\nname: helper\nmodel: claude-sonnet-4-6\nsystem: You help.\n",
    )
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    helper = pins.load(estate / "pins.yaml").agents["helper"].id
    client.beta.agents.update(helper, version=1, system="You help.\nKindly.")
    write(estate, "agents/later.yaml", "name: later\nmodel: claude-sonnet-4-6\nsystem: Soon.\n")
    result = agentform(estate, emulator_url, "apply", "--refresh-only", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "agent later: not on the server (yet): nothing to accept" in result.output
    assert path.read_text(encoding="utf-8") == (
        "# mine\nname: helper\nmodel: claude-sonnet-4-6\nsystem: |-\n  You help.\n  Kindly.\n"
    )
