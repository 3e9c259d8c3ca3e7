"""plan and apply end to end against the emulator, through the CLI and the real SDK."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.cli.app import App
from agentform.emulator import admin
from tests.cli_helpers import agentform, plan_json
from tests.estate import edit_prompt, write

ROUTING_RULE = (
    "ROUTING RULE: If the ticket text mentions API usage, rate limits, quotas, or request volume, "
    "route to api-platform. Apply this rule before any other consideration; do not second-guess it "
    "based on the rest of the ticket.\n"
)


def writes_seen(url: str) -> dict[str, int]:
    return {k: v for k, v in admin.counters(url).items() if not k.startswith("GET ")}


def test_the_whole_story(estate: Path, emulator_url: str, client: Any) -> None:
    # First plan: everything to create.
    first = agentform(estate, emulator_url, "plan", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "+ agent triage (ticket-triage): create" in first.output
    assert writes_seen(emulator_url) == {}  # planning never writes

    applied = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    v1 = pins.load(estate / "pins.yaml")
    assert v1.agents["triage"].version == 1
    assert client.beta.agents.retrieve(v1.agents["triage"].id).metadata["agentform.key"] == "triage"

    # Nothing left to do: no perpetual diffs from server-resolved defaults.
    again = agentform(estate, emulator_url, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.output
    v1_text = (estate / "pins.yaml").read_text(encoding="utf-8")

    # Edit the prompt: a unified diff, and JSON and Markdown agree.
    edit_prompt(estate, ROUTING_RULE)
    edited = agentform(estate, emulator_url, "plan", "--detailed-exitcode")
    assert edited.exit_code == 2
    assert (
        "~ agent triage (ticket-triage)" in edited.output
        and "update v1 -> new version" in edited.output
    )
    assert "@@ " in edited.output and "+ROUTING RULE: If the ticket text" in edited.output
    as_json = plan_json(estate, emulator_url)
    markdown = agentform(estate, emulator_url, "plan", "--format", "markdown").output
    changed = [c for c in as_json["changes"] if c["action"] != "noop"]
    assert [
        (c["kind"], c["key"], c["action"], [f["path"] for f in c["fields"]]) for c in changed
    ] == [("agent", "triage", "update", ["system"])]
    rows = re.findall(
        r"^\| `(.+?)` \| (\w+) `(.+?)` \| .+? \| (\w+).*? \| (.*) \|$", markdown, re.M
    )
    assert rows == [("~", "agent", "triage", "update", "`system`")]
    assert "+ROUTING RULE" in markdown

    # Apply makes version 2 and pins it.
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    v2 = pins.load(estate / "pins.yaml")
    assert (v2.agents["triage"].id, v2.agents["triage"].version) == (v1.agents["triage"].id, 2)
    assert v2.agents["triage"].digest != v1.agents["triage"].digest
    assert client.beta.agents.retrieve(v1.agents["triage"].id, version=1).system.endswith(
        'code fences):\n{"team": "<billing|auth|api-platform|dashboard>", "priority": "<P1|P2|P3>"}\n'
    )

    # Roll back by reverting pins.yaml: apply keeps the rollback; plan reports it held.
    (estate / "pins.yaml").write_text(v1_text, encoding="utf-8")
    kept = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert kept.exit_code == 0, kept.output
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == v1_text
    notes = plan_json(estate, emulator_url)["notes"]
    assert [(n["code"], n["pinned_version"], n["latest_version"]) for n in notes] == [
        ("held", 1, 2)
    ]
    assert (
        "held: rolled back to v1; v2 matches the manifest"
        in agentform(estate, emulator_url, "plan").output
    )


def test_a_dry_run_writes_nothing(estate: Path, emulator_url: str) -> None:
    before = (estate / "pins.yaml").read_text(encoding="utf-8")
    assert agentform(estate, emulator_url, "plan").exit_code == 0
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == before
    assert writes_seen(emulator_url) == {}
    lists = {"GET /v1/agents", "GET /v1/environments", "GET /v1/deployments", "GET /v1/vaults"}
    assert set(admin.counters(emulator_url)) == lists | {"GET /v1/memory_stores"}


def test_bad_manifests_fail_before_any_server_call(estate: Path, emulator_url: str) -> None:
    write(estate, "agents/broken.yaml", "name: x\nmodel: m\n")
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 1 and "broken.yaml:1:1: no system prompt" in result.output
    assert admin.counters(emulator_url) == {}


def test_apply_refuses_without_a_terminal_or_auto_approve(estate: Path, emulator_url: str) -> None:
    result = agentform(estate, emulator_url, "apply")
    assert result.exit_code == 1
    assert "stdin is not a terminal; pass --auto-approve" in result.output
    assert writes_seen(emulator_url) == {}


@pytest.mark.parametrize(("answer", "code"), [("yes\n", 0), ("no\n", 1)])
def test_interactive_confirmation(
    estate: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch, answer: str, code: int
) -> None:
    monkeypatch.setattr(App, "interactive", property(lambda self: True))
    result = agentform(estate, emulator_url, "apply", input=answer)
    assert result.exit_code == code, result.output
    assert ("POST /v1/agents" in writes_seen(emulator_url)) == (code == 0)


def test_lost_pins_file_is_recovered_by_marker_without_duplicates(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    original = pins.load(estate / "pins.yaml")
    (estate / "pins.yaml").unlink()
    plan = plan_json(estate, emulator_url)
    assert {(c["key"], c["action"]) for c in plan["changes"]} == {
        ("triage", "pin"),
        ("default", "pin"),
    }
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    assert pins.load(estate / "pins.yaml") == original
    assert len(list(client.beta.agents.list())) == 1


def test_unmarked_agents_are_never_touched(estate: Path, emulator_url: str, client: Any) -> None:
    theirs = client.beta.agents.create(name="someone-elses", model="claude-sonnet-4-6", system="hi")
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    (estate / "agents" / "triage.yaml").unlink()
    (estate / "agents" / "triage.prompt.md").unlink()
    (estate / "evals" / "triage.yaml").unlink()  # its eval suite names the agent
    assert agentform(estate, emulator_url, "apply", "--auto-approve", "--prune").exit_code == 0
    assert client.beta.agents.retrieve(theirs.id).archived_at is None
    assert client.beta.agents.retrieve(theirs.id).version == 1


def test_removed_manifest_is_archived_only_with_prune(
    estate: Path, emulator_url: str, client: Any
) -> None:
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-haiku-4-5\nsystem: Help.\n")
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    helper = pins.load(estate / "pins.yaml").agents["helper"]
    (estate / "agents" / "helper.yaml").unlink()

    planned = agentform(estate, emulator_url, "plan")
    assert (
        f"- agent helper (helper) {helper.id}: archive (only with --prune): manifest removed"
        in planned.output
    )
    skipped = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert skipped.exit_code == 0 and "archive (only with --prune)" in skipped.output
    assert client.beta.agents.retrieve(helper.id).archived_at is None
    assert "helper" in pins.load(estate / "pins.yaml").agents

    pruned = agentform(estate, emulator_url, "apply", "--auto-approve", "--prune")
    assert pruned.exit_code == 0, pruned.output
    assert client.beta.agents.retrieve(helper.id).archived_at is not None
    assert "helper" not in pins.load(estate / "pins.yaml").agents
    assert "No changes" in agentform(estate, emulator_url, "plan").output


def test_environment_type_change_is_replaced_and_repinned(
    estate: Path, emulator_url: str, client: Any
) -> None:
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    old = pins.load(estate / "pins.yaml").environments["default"].id
    write(estate, "environments/default.yaml", "name: triage-env\nconfig: {type: self_hosted}\n")
    planned = agentform(estate, emulator_url, "plan")
    assert "-/+ environment default (triage-env)" in planned.output
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    new = pins.load(estate / "pins.yaml").environments["default"].id
    assert new != old and client.beta.environments.retrieve(new).config.type == "self_hosted"
    # The old one is left in place until --prune, and plan says so.
    leftover = plan_json(estate, emulator_url)
    assert [(c["action"], c["id"]) for c in leftover["changes"] if c["kind"] == "environment"] == [
        ("noop", new),
        ("archive", old),
    ]
    assert agentform(estate, emulator_url, "apply", "--auto-approve", "--prune").exit_code == 0
    assert client.beta.environments.retrieve(old).archived_at is not None


def test_target_applies_only_the_named_key(estate: Path, emulator_url: str) -> None:
    assert (
        agentform(estate, emulator_url, "apply", "--auto-approve", "--target", "default").exit_code
        == 0
    )
    written = pins.load(estate / "pins.yaml")
    assert set(written.environments) == {"default"} and written.agents == {}
    bad = agentform(estate, emulator_url, "plan", "--target", "nope")
    assert bad.exit_code == 1 and "--target nope: no such key" in bad.output


def test_missing_credentials_say_how_to_fix_it(estate: Path) -> None:
    from click.testing import CliRunner

    from agentform.cli import main

    result = CliRunner().invoke(
        main,
        ["--dir", str(estate), "plan"],
        env={"ANTHROPIC_API_KEY": None, "ANTHROPIC_AUTH_TOKEN": None},
    )
    assert result.exit_code == 1
    assert "no credentials: set ANTHROPIC_API_KEY" in result.output and "--local" in result.output


def test_archiving_a_large_share_needs_force(estate: Path, emulator_url: str, client: Any) -> None:
    for name in ("one", "two", "three"):
        write(
            estate, f"agents/{name}.yaml", f"name: {name}\nmodel: claude-haiku-4-5\nsystem: Help.\n"
        )
    assert agentform(estate, emulator_url, "apply", "--auto-approve").exit_code == 0
    for name in ("one", "two", "three"):
        (estate / "agents" / f"{name}.yaml").unlink()
    admin.reset(emulator_url)
    refused = agentform(estate, emulator_url, "apply", "--auto-approve", "--prune")
    assert refused.exit_code == 1
    assert "would archive 3 of the 5 resources" in refused.output and "--force" in refused.output
    assert writes_seen(emulator_url) == {}
    forced = agentform(estate, emulator_url, "apply", "--auto-approve", "--prune", "--force")
    assert forced.exit_code == 0, forced.output
    assert [a.name for a in client.beta.agents.list()] == ["ticket-triage"]


def test_a_closed_pipe_ends_quietly(estate: Path, emulator_url: str) -> None:
    import os
    import subprocess
    import sys

    from tests.cli_helpers import cli_env

    # Far more output than a pipe buffer holds, so the write after `head` exits must fail.
    long_prompt = "\n".join(
        f"Rule {i}: route on the customer's actual problem." for i in range(1800)
    )
    for i in range(6):  # ~540 KB of plan
        write(
            estate,
            f"agents/verbose{i}.yaml",
            f"name: v{i}\nmodel: claude-haiku-4-5\nsystem_file: v.md\n",
        )
    (estate / "agents" / "v.md").write_text(long_prompt, encoding="utf-8")
    script = Path(sys.executable).with_name("agentform")
    env = {**os.environ, **cli_env(emulator_url)}
    reader = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        [str(script), "--dir", str(estate), "plan"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    reader.wait()
    # click stops quietly on EPIPE (plain Python would print a BrokenPipeError traceback).
    assert writer.stderr == ""
    assert writer.returncode in (0, 1)
