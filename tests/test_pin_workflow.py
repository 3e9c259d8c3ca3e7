"""The pin workflow: pin, status, drift, pins check, import, workspaces (against the emulator)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentform import pins
from agentform.emulator import admin
from tests.cli_helpers import agentform, plan_json
from tests.estate import edit_prompt, write


def status_rows(estate: Path, url: str) -> dict[str, dict[str, Any]]:
    result = agentform(estate, url, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["key"]: row for row in json.loads(result.stdout)}


def two_versions(estate: Path, url: str) -> str:
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    edit_prompt(estate, "Be brief.\n")
    assert agentform(estate, url, "apply", "--auto-approve").exit_code == 0
    return pins.load(estate / "pins.yaml").agents["triage"].id


def test_rollback_with_pin_and_forward_with_latest(estate: Path, emulator_url: str) -> None:
    agent_id = two_versions(estate, emulator_url)
    assert status_rows(estate, emulator_url)["triage"]["state"] == "synced"

    rolled = agentform(estate, emulator_url, "pin", "triage", "1")
    assert rolled.exit_code == 0, rolled.output
    assert f"agent triage ({agent_id}): v2 -> v1; latest is v2" in rolled.output
    row = status_rows(estate, emulator_url)["triage"]
    assert (row["state"], row["pinned_version"], row["latest_version"]) == ("held", 1, 2)
    assert "held" in agentform(estate, emulator_url, "status").output

    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    assert pins.load(estate / "pins.yaml").agents["triage"].version == 1  # apply keeps the rollback

    forward = agentform(estate, emulator_url, "pin", "triage", "--latest")
    assert forward.exit_code == 0 and "v1 -> v2" in forward.output
    assert status_rows(estate, emulator_url)["triage"]["state"] == "synced"


def test_pin_records_the_digest_apply_recorded(estate: Path, emulator_url: str) -> None:
    two_versions(estate, emulator_url)
    applied = pins.load(estate / "pins.yaml").agents["triage"]
    assert agentform(estate, emulator_url, "pin", "triage", "1").exit_code == 0
    assert agentform(estate, emulator_url, "pin", "triage", "2").exit_code == 0
    assert pins.load(estate / "pins.yaml").agents["triage"] == applied


def test_pin_errors_list_what_exists(estate: Path, emulator_url: str, client: Any) -> None:
    agent_id = two_versions(estate, emulator_url)
    unknown_version = agentform(estate, emulator_url, "pin", "triage", "7")
    assert unknown_version.exit_code == 1
    assert f"agent triage ({agent_id}) has no version 7; it has v1, v2" in unknown_version.output
    unknown_key = agentform(estate, emulator_url, "pin", "triag", "1")
    assert unknown_key.exit_code == 1 and "no agent 'triag'" in unknown_key.output
    assert "(known: triage)" in unknown_key.output
    environment = agentform(estate, emulator_url, "pin", "default", "1")
    assert environment.exit_code == 1 and "environments have no versions" in environment.output
    neither = agentform(estate, emulator_url, "pin", "triage")
    assert neither.exit_code == 1 and "give a VERSION or --latest" in neither.output
    client.beta.agents.archive(agent_id)
    archived = agentform(estate, emulator_url, "pin", "triage", "1")
    assert archived.exit_code == 1 and "is archived" in archived.output


def test_a_change_made_outside_agentform_shows_as_drift(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    client.beta.agents.update(agent_id, description="changed in the console", version=1)

    assert status_rows(estate, emulator_url)["triage"]["state"] == "drifted"
    plan = plan_json(estate, emulator_url)
    [drift] = plan["drift"]
    assert (drift["key"], drift["id"]) == ("triage", agent_id)
    assert drift["fields"] == [
        {
            "path": "description",
            "change": "changed",
            "before": "Routes support tickets for a usage-billed API product to a team, with a priority.",
            "after": "changed in the console",
        }
    ]
    # Callers run v1, which matches the manifest: nothing to do, but it is said.
    text = agentform(estate, emulator_url, "plan").output
    assert text.index("Changed outside agentform") < text.index("v2 was changed outside")
    assert "callers run v1, which matches the manifest" in text and "No changes" in text
    assert (
        "Changed outside agentform"
        in agentform(estate, emulator_url, "plan", "--format", "markdown").output
    )

    # A manifest edit is pending, not drift.
    edit_prompt(estate, "Be brief.\n")
    assert status_rows(estate, emulator_url)["triage"]["state"] == "pending"


def test_pins_check_passes_then_fails_when_the_agent_is_archived_by_hand(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    ok = agentform(estate, emulator_url, "pins", "check")
    assert ok.exit_code == 0 and "ok: 2 pins" in ok.output
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    client.beta.agents.archive(agent_id)
    failed = agentform(estate, emulator_url, "pins", "check")
    assert failed.exit_code == 1
    assert f"pins.yaml:6:5: agents.triage.id: agent {agent_id} was archived at" in failed.output
    assert status_rows(estate, emulator_url)["triage"]["state"] == "missing"


def test_pins_check_finds_a_hand_edited_digest_and_version(estate: Path, emulator_url: str) -> None:
    two_versions(estate, emulator_url)
    text = (estate / "pins.yaml").read_text(encoding="utf-8")
    digest = pins.load(estate / "pins.yaml").agents["triage"].digest
    (estate / "pins.yaml").write_text(text.replace("version: 2", "version: 1"), encoding="utf-8")
    wrong_digest = agentform(estate, emulator_url, "pins", "check")
    assert (
        wrong_digest.exit_code == 1
        and "agents.triage.digest: does not match v1" in wrong_digest.output
    )
    (estate / "pins.yaml").write_text(text.replace("version: 2", "version: 9"), encoding="utf-8")
    too_new = agentform(estate, emulator_url, "pins", "check")
    assert (
        too_new.exit_code == 1
        and "agents.triage.version: v9 does not exist (latest is v2)" in too_new.output
    )
    assert digest in text


def test_pins_check_offline_needs_no_server_and_finds_unmanaged_pins(
    estate: Path, emulator_url: str
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    (estate / "environments" / "default.yaml").unlink()
    (estate / "evals" / "triage.yaml").unlink()  # its suite runs in that environment
    write(estate, "environments/other.yaml", "name: other\nconfig: {type: cloud}\n")
    admin.reset(emulator_url)
    result = agentform(estate, emulator_url, "pins", "check", "--offline")
    assert result.exit_code == 1
    assert "pins.yaml:10:3: environments.default: no manifest for default" in result.output
    assert admin.counters(emulator_url) == {}
    assert status_rows(estate, emulator_url)["default"]["state"] == "unmanaged"


def test_import_of_an_agent_made_with_the_sdk_plans_empty(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    long_prompt = "You are a meticulous reviewer.\n" + "Check every line.\n" * 20
    agent = client.beta.agents.create(
        name="Code Reviewer",
        model={"id": "claude-opus-4-8", "effort": "medium"},
        system=long_prompt,
        description="Reviews pull requests",
        tools=[{"type": "agent_toolset_20260401", "configs": [{"name": "bash", "enabled": False}]}],
        skills=[{"type": "anthropic", "skill_id": "xlsx"}],
        metadata={"team": "platform"},
    )
    env = client.beta.environments.create(
        name="review-env",
        config={
            "type": "cloud",
            "networking": {"type": "limited", "allow_package_managers": True},
            "packages": {"pip": ["ruff"]},
        },
    )
    estate = tmp_path / "adopted"
    estate.mkdir()
    result = agentform(estate, emulator_url, "import", "agent", agent.id, "--key", "reviewer")
    assert result.exit_code == 0, result.output
    assert "makes a new version with identical content" in result.output
    assert (estate / "agents" / "reviewer.prompt.md").read_text(encoding="utf-8") == long_prompt
    assert "system_file: reviewer.prompt.md" in (estate / "agents" / "reviewer.yaml").read_text(
        encoding="utf-8"
    )
    assert agentform(estate, emulator_url, "import", "environment", env.id).exit_code == 0
    assert (estate / "environments" / "review-env.yaml").exists()

    marked = client.beta.agents.retrieve(agent.id)
    assert (marked.version, marked.metadata["agentform.key"], marked.system) == (
        2,
        "reviewer",
        long_prompt,
    )
    written = pins.load(estate / "pins.yaml")
    assert (written.agents["reviewer"].id, written.agents["reviewer"].version) == (agent.id, 2)
    assert written.environments["review-env"].id == env.id
    plan = plan_json(estate, emulator_url)
    assert plan["has_changes"] is False, plan
    assert agentform(estate, emulator_url, "pins", "check").exit_code == 0


def test_import_never_overwrites_a_manifest_or_prompt(
    estate: Path, emulator_url: str, client: Any
) -> None:
    agent = client.beta.agents.create(
        name="x", model="claude-sonnet-4-6", system="line one\nline two\n"
    )
    before = (estate / "agents" / "triage.yaml").read_text(encoding="utf-8")
    taken = agentform(estate, emulator_url, "import", "agent", agent.id, "--key", "triage")
    assert taken.exit_code == 1
    assert "agent key 'triage' is taken (manifest" in taken.output
    write(estate, "agents/reviewer.prompt.md", "somebody's notes\n")
    stray = agentform(estate, emulator_url, "import", "agent", agent.id, "--key", "reviewer")
    assert stray.exit_code == 1 and "never overwrites files" in stray.output
    assert "reviewer.prompt.md" in stray.output
    assert (estate / "agents" / "triage.yaml").read_text(encoding="utf-8") == before
    assert (estate / "agents" / "reviewer.prompt.md").read_text(
        encoding="utf-8"
    ) == "somebody's notes\n"
    assert not (estate / "agents" / "reviewer.yaml").exists()
    assert client.beta.agents.retrieve(agent.id).version == 1  # nothing was marked


def test_import_all_adopts_every_unmarked_object(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    first = client.beta.agents.create(name="Helper Bot", model="claude-haiku-4-5", system="Help.")
    twin = client.beta.agents.create(
        name="Helper Bot", model="claude-haiku-4-5", system="Help more."
    )
    refused = agentform(estate, emulator_url, "import", "--all")
    assert (
        refused.exit_code == 1
        and f"{twin.id} is named 'Helper Bot', like {first.id}" in refused.output
    )
    assert not list((estate / "agents").glob("helper-bot*"))  # nothing written
    client.beta.agents.update(twin.id, name="Helper Bot Two", version=1)
    result = agentform(estate, emulator_url, "import", "--all")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (estate / "agents").glob("helper-bot*.yaml")} == {
        "helper-bot.yaml",
        "helper-bot-two.yaml",
    }
    assert set(pins.load(estate / "pins.yaml").agents) == {"triage", "helper-bot", "helper-bot-two"}
    assert plan_json(estate, emulator_url)["has_changes"] is False
    again = agentform(estate, emulator_url, "import", "--all")
    assert again.exit_code == 0 and "nothing to import" in again.output


def test_a_pins_file_is_bound_to_its_workspace(
    estate: Path, emulator_url: str, client: Any
) -> None:
    staging = ["--workspace-id", "wrkspc_staging", "--pins", str(estate / "pins.staging.yaml")]
    assert agentform(estate, emulator_url, *staging, "apply", "--auto-approve").exit_code == 0
    recorded = pins.load(estate / "pins.staging.yaml")
    assert recorded.workspace_id == "wrkspc_staging"
    assert client.beta.agents.list().data == []  # nothing in the default workspace

    admin.reset(emulator_url)
    crossed = agentform(
        estate,
        emulator_url,
        "--workspace-id",
        "wrkspc_prod",
        "--pins",
        str(estate / "pins.staging.yaml"),
        "plan",
    )
    assert crossed.exit_code == 1
    assert "records workspace wrkspc_staging, but --workspace-id is wrkspc_prod" in crossed.output
    assert admin.counters(emulator_url) == {}

    # Without --workspace-id the pins file's own workspace is used.
    same = agentform(
        estate,
        emulator_url,
        "--pins",
        str(estate / "pins.staging.yaml"),
        "plan",
        "--detailed-exitcode",
    )
    assert same.exit_code == 0, same.output
    prod = agentform(
        estate,
        emulator_url,
        "--workspace-id",
        "wrkspc_prod",
        "--pins",
        str(estate / "pins.prod.yaml"),
        "plan",
        "--detailed-exitcode",
    )
    assert prod.exit_code == 2  # production is still empty


def test_eval_and_run_use_the_pins_file_s_workspace(
    estate: Path, emulator_url: str, make_client: Any
) -> None:
    staging = ["--pins", str(estate / "pins.staging.yaml")]
    assert (
        agentform(
            estate,
            emulator_url,
            "--workspace-id",
            "wrkspc_staging",
            *staging,
            "apply",
            "--auto-approve",
        ).exit_code
        == 0
    )

    ran = agentform(estate, emulator_url, *staging, "run", "triage", "My invoice is wrong")
    assert ran.exit_code == 0, ran.output
    evaluated = agentform(estate, emulator_url, *staging, "eval", "triage", "--concurrency", "8")
    # this emulator has no responder rules: every reply is its placeholder, which eval
    # refuses to score, but only after running every case in the pins file's workspace
    assert evaluated.exit_code == 1, evaluated.output
    assert "every reply of v1 is the emulator's placeholder" in evaluated.output
    in_staging = make_client(
        emulator_url, default_headers={"anthropic-workspace-id": "wrkspc_staging"}
    )
    assert len(list(in_staging.beta.sessions.list(include_archived=True))) == 21  # run + 20 cases

    admin.reset(emulator_url)
    crossed = agentform(
        estate, emulator_url, "--workspace-id", "wrkspc_prod", *staging, "run", "triage", "hi"
    )
    assert crossed.exit_code == 1 and "records workspace wrkspc_staging" in crossed.output
    assert admin.counters(emulator_url) == {}


def test_pin_explains_a_version_that_is_not_a_number_before_any_call(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from agentform.cli.root import main

    result = CliRunner().invoke(main, ["--dir", str(tmp_path), "pin", "triage", "two"])
    assert result.exit_code == 1
    assert (
        "an agent's VERSION is a number >= 1, not 'two' "
        "(a skill's: `agentform pin skill triage two`)"
    ) in result.output
    usage = CliRunner().invoke(main, ["--dir", str(tmp_path), "pin"])
    assert usage.exit_code == 1
    assert "`pin KEY N`, `pin skill KEY ID`" in usage.output
