"""pins.yaml moves only on purpose and stays true: one test per way it used to break.

In-process, against the session emulator; the process-level faults (SIGKILL, SIGTERM,
concurrent processes) are in test_interruptions.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agentform import pins
from agentform.apply.run import ApplyInterrupted, ApplyOptions, GateVerdict
from agentform.cli import main
from agentform.emulator import admin
from agentform.manifests.project import load_project
from agentform.remote.client import Remote
from agentform.workflow import make_plan, run_apply
from tests.cli_helpers import API_KEY, agentform, cli_env, plan_json
from tests.estate import edit_prompt, write


def status_rows(estate: Path, url: str) -> dict[str, dict[str, Any]]:
    result = agentform(estate, url, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["key"]: row for row in json.loads(result.stdout) if row["kind"] == "agent"}


def applied(estate: Path, url: str, *args: str) -> None:
    result = agentform(estate, url, "apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output


def versions(client: Any, agent_id: str) -> list[int]:
    return sorted(v.version for v in client.beta.agents.versions.list(agent_id))


def apply_with_gate(estate: Path, client: Any, gate: Any) -> Any:
    project = load_project(estate, estate / "pins.yaml")
    remote = Remote(client)
    return run_apply(make_plan(project, remote), remote, ApplyOptions(gate=gate), lambda o: None)


# -- interrupted applies are finished; rollbacks are kept -------------------------------------


def test_a_version_an_interrupted_apply_made_is_pinned_by_the_next_apply(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    edit_prompt(estate, "Be brief.\n")

    def die_before_pinning(change: Any, created: Any) -> GateVerdict:
        raise KeyboardInterrupt  # the process stops after v2 was made, before its pin

    with pytest.raises(ApplyInterrupted) as stopped:
        apply_with_gate(estate, client, die_before_pinning)
    assert stopped.value.result.interrupted
    assert versions(client, agent_id) == [1, 2]  # the update did land
    recorded = pins.load(estate / "pins.yaml")
    assert recorded.agents["triage"].version == 1 and recorded.intent("agents", "triage")

    row = status_rows(estate, emulator_url)["triage"]
    assert row["state"] == "unfinished"
    assert "v2 was made from this manifest by an apply that did not record its pin" in row["detail"]
    change = plan_json(estate, emulator_url)["changes"][0]
    assert (change["action"], change["from_version"]) == ("pin", 2)

    applied(estate, emulator_url)
    finished = pins.load(estate / "pins.yaml")
    assert finished.agents["triage"].version == 2 and finished.pending == {}
    assert versions(client, agent_id) == [1, 2]  # pinned, not made again
    assert "No changes" in agentform(estate, emulator_url, "plan").output


def test_a_reverted_pins_file_is_a_rollback_the_next_apply_keeps(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    v1 = (estate / "pins.yaml").read_text(encoding="utf-8")
    edit_prompt(estate, "Be brief.\n")
    applied(estate, emulator_url)
    (estate / "pins.yaml").write_text(v1, encoding="utf-8")  # git revert of the pin commit

    row = status_rows(estate, emulator_url)["triage"]
    assert (row["state"], row["detail"]) == (
        "held",
        "rolled back to v1; v2 matches the manifest",
    )
    for _ in range(2):
        applied(estate, emulator_url)
        assert (estate / "pins.yaml").read_text(encoding="utf-8") == v1


def test_a_pin_moved_during_an_apply_is_kept(estate: Path, emulator_url: str, client: Any) -> None:
    applied(estate, emulator_url)
    edit_prompt(estate, "Be brief.\n")
    applied(estate, emulator_url)  # v2, pinned
    edit_prompt(estate, "Be kind.\n")

    def roll_back_meanwhile(change: Any, created: Any) -> GateVerdict:
        rolled = agentform(estate, emulator_url, "pin", "triage", "1")  # the emergency rollback
        assert rolled.exit_code == 0, rolled.output
        return GateVerdict(True, "passed")

    result = apply_with_gate(estate, client, roll_back_meanwhile)
    assert [(o.change.key, o.status) for o in result.outcomes if o.change.kind == "agent"] == [
        ("triage", "done"),
        ("triage", "kept"),
    ]
    assert pins.load(estate / "pins.yaml").agents["triage"].version == 1  # not v3


# -- plan against what callers run ------------------------------------------------------------


def test_a_manifest_put_back_to_the_pinned_version_makes_no_new_version(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    prompt = (estate / "agents" / "triage.prompt.md").read_text(encoding="utf-8")
    edit_prompt(estate, "Be brief.\n")
    refused = apply_with_gate(estate, client, lambda c, o: GateVerdict(False, "regressed"))
    assert [o.status for o in refused.outcomes if o.change.kind == "agent"] == ["refused"]
    (estate / "agents" / "triage.prompt.md").write_text(prompt, encoding="utf-8")

    plan = plan_json(estate, emulator_url)
    assert not plan["has_changes"]
    assert [(n["code"], n["message"]) for n in plan["notes"]] == [
        ("held", "held: pinned v1, latest v2")
    ]
    applied(estate, emulator_url)
    assert versions(client, agent_id) == [1, 2]  # no v3 identical to v1


def test_an_edit_is_diffed_against_the_pinned_version_not_the_latest(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    agent_id = pins.load(estate / "pins.yaml").agents["triage"].id
    for line in ("Two.\n", "Three.\n"):
        edit_prompt(estate, line)
        applied(estate, emulator_url)
    assert agentform(estate, emulator_url, "pin", "triage", "1").exit_code == 0
    prompt = estate / "agents" / "triage.prompt.md"
    text = prompt.read_text(encoding="utf-8").replace("Two.\nThree.\n", "Four.\n")
    prompt.write_text(text, encoding="utf-8")

    [change] = [c for c in plan_json(estate, emulator_url)["changes"] if c["kind"] == "agent"]
    assert change["action"] == "update" and change["from_version"] == 3  # the compare-and-swap
    [field] = change["fields"]
    v1 = client.beta.agents.retrieve(agent_id, version=1).system
    assert (field["before"], field["after"]) == (v1, v1 + "Four.\n")  # against v1, not v3


def test_a_pin_to_a_version_that_does_not_exist_is_broken(estate: Path, emulator_url: str) -> None:
    applied(estate, emulator_url)
    path = estate / "pins.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    version: 1\n", "    version: 99\n")
    )

    row = status_rows(estate, emulator_url)["triage"]
    assert row["state"] == "broken" and "v99 does not exist" in row["detail"]
    admin.reset(emulator_url)
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = agentform(estate, emulator_url, *command)
        assert result.exit_code == 1, result.output
        assert "pins.yaml points at what does not exist" in result.output
    assert not any(key.startswith("POST") for key in admin.counters(emulator_url))


def test_archives_without_prune_are_shown_but_not_counted(estate: Path, emulator_url: str) -> None:
    write(estate, "agents/helper.yaml", "name: helper\nmodel: claude-haiku-4-5\nsystem: Help.\n")
    applied(estate, emulator_url)
    (estate / "agents" / "helper.yaml").unlink()

    plan = plan_json(estate, emulator_url)
    assert not plan["has_changes"] and plan["summary"]["deferred"] == 1
    [archive] = [c for c in plan["changes"] if c["action"] == "archive"]
    assert archive["deferred"] is True
    assert agentform(estate, emulator_url, "plan", "--detailed-exitcode").exit_code == 0
    text = agentform(estate, emulator_url, "plan").output
    assert "archive (only with --prune)" in text and "1 to archive only with --prune" in text

    pruning = plan_json(estate, emulator_url, "--prune")
    assert pruning["has_changes"] and pruning["summary"]["archive"] == 1
    assert agentform(estate, emulator_url, "plan", "--prune", "--detailed-exitcode").exit_code == 2


def test_a_stray_is_listed_and_archived_only_with_prune_strays(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    stray = client.beta.agents.create(
        name="orphan", model="claude-haiku-4-5", metadata={"agentform.key": "orphan"}
    )
    rows = json.loads(agentform(estate, emulator_url, "status", "--format", "json").stdout)
    assert [(r["key"], r["state"], r["id"]) for r in rows if r["state"] == "stray"] == [
        ("orphan", "stray", stray.id)
    ]
    applied(estate, emulator_url)
    assert client.beta.agents.retrieve(stray.id).archived_at is None
    applied(estate, emulator_url, "--prune-strays")
    assert client.beta.agents.retrieve(stray.id).archived_at is not None


# -- fail before writing ----------------------------------------------------------------------


def test_a_pins_path_that_cannot_be_written_fails_before_any_server_write(
    estate: Path, emulator_url: str
) -> None:
    missing = estate / "no-such-dir" / "pins.yaml"
    result = agentform(estate, emulator_url, "--pins", str(missing), "apply", "--auto-approve")
    assert result.exit_code == 1
    assert f"cannot write {missing}: the directory" in result.output
    assert admin.counters(emulator_url) == {}  # not even a read
    assert not missing.parent.exists()


def test_an_empty_workspace_id_is_refused(estate: Path, emulator_url: str) -> None:
    result = agentform(estate, emulator_url, "--workspace-id", "", "apply", "--auto-approve")
    assert result.exit_code == 1
    assert "--workspace-id" in result.output and "is empty" in result.output
    assert admin.counters(emulator_url) == {}


def test_a_retry_after_longer_than_max_wait_fails_that_write_at_once(
    estate: Path, emulator_url: str
) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", status=429, retry_after=3600)
    result = agentform(estate, emulator_url, "apply", "--auto-approve", "--max-wait", "5")
    assert result.exit_code == 1
    assert "asked to wait 3600 s before retrying, more than --max-wait 5 s" in result.output
    assert admin.faults_fired(emulator_url) == 1
    assert admin.counters(emulator_url)["POST /v1/agents"] == 1
    assert set(pins.load(estate / "pins.yaml").environments) == {"default"}  # the rest went on


def test_waits_are_said(estate: Path, emulator_url: str) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", status=429, retry_after=1)
    result = agentform(estate, emulator_url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "wait  create agent: retrying in 1 s (create agent: 429" in result.stderr


@pytest.mark.slow
def test_a_client_clock_15_minutes_ahead_still_finds_a_lost_create(
    estate: Path, emulator_url: str, client: Any
) -> None:
    """The apply runs in its own process with its clock moved; the emulator keeps real time."""
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", lost="500")
    script = (
        "import datetime, sys, time_machine\n"
        "ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=15)\n"
        "time_machine.travel(ahead, tick=True).start()\n"
        "from agentform.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {k: v for k, v in cli_env(emulator_url).items()}
    done = subprocess.run(
        [sys.executable, "-c", script, "--dir", str(estate), "apply", "--auto-approve"],
        env={**__import__("os").environ, **env}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert admin.faults_fired(emulator_url) == 1
    marked = [a for a in client.beta.agents.list() if a.metadata.get("agentform.key") == "triage"]
    assert len(marked) == 1


# -- input safety -----------------------------------------------------------------------------

SECRET = "s3cr3t-t0ken-value"
MCP_AGENT = f"""
name: helper
model: claude-haiku-4-5
system: Help.
mcp_servers:
  - {{type: url, name: docs, url: "https://bot:{SECRET}@mcp.example.com/sse?api_key={SECRET}"}}
tools:
  - {{type: mcp_toolset, mcp_server_name: docs}}
"""


def test_secrets_in_mcp_urls_appear_in_no_plan_format_nor_saved_plan(
    estate: Path, emulator_url: str, client: Any, tmp_path: Path
) -> None:
    write(estate, "agents/helper.yaml", MCP_AGENT)
    outputs = [
        agentform(estate, emulator_url, "plan", "--format", fmt).output
        for fmt in ("text", "markdown", "json")
    ]
    saved = tmp_path / "plan.json"
    assert agentform(estate, emulator_url, "plan", "--out", str(saved)).exit_code == 0
    for text in [*outputs, saved.read_text(encoding="utf-8")]:
        assert SECRET not in text
        assert "https://bot:***@mcp.example.com/sse?api_key=***" in text
        assert "[secret sha256:" in text
    applied_saved = agentform(estate, emulator_url, "apply", str(saved))
    assert applied_saved.exit_code == 0, applied_saved.output
    assert SECRET not in applied_saved.output
    helper = pins.load(estate / "pins.yaml").agents["helper"].id
    assert SECRET in client.beta.agents.retrieve(helper).mcp_servers[0].url  # the real value

    rotated = MCP_AGENT.replace(SECRET, "another-value")
    write(estate, "agents/helper.yaml", rotated)
    change = plan_json(estate, emulator_url)["changes"][0]
    [field] = change["fields"]
    assert field["path"] == "mcp_servers[0].url" and field["before"] != field["after"]


def test_a_prompt_cannot_close_the_markdown_code_block(estate: Path, emulator_url: str) -> None:
    applied(estate, emulator_url)
    edit_prompt(estate, "```\n</details>\n# injected heading\n")
    markdown = agentform(estate, emulator_url, "plan", "--format", "markdown").output
    fence = "````diff"
    assert fence in markdown
    block = markdown.split(fence, 1)[1].split("\n````\n", 1)[0]
    assert "+```" in block and "+# injected heading" in block


def test_the_admin_api_wants_the_key_and_json(fresh_emulator: Any) -> None:
    import httpx2

    with fresh_emulator(api_key="admin-key") as url:
        assert httpx2.get(url + "/_emulator/counters").status_code == 401
        admin.reset(url, api_key="admin-key")  # with the key: fine
        wipe = httpx2.post(
            url + "/_emulator/reset",
            content='{"data": true}',
            headers={"content-type": "text/plain", "x-api-key": "admin-key"},
        )
        assert wipe.status_code == 415  # a cross-origin "simple" request cannot reach it
        assert admin.counters(url, api_key="admin-key") == {}


def test_cli_runner_env_has_no_real_key() -> None:
    assert cli_env("http://x")["ANTHROPIC_API_KEY"] == API_KEY
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0


def test_import_adopts_a_stray_under_the_key_it_is_marked_with(
    estate: Path, emulator_url: str, client: Any
) -> None:
    applied(estate, emulator_url)
    stray = client.beta.agents.create(
        name="orphan", model="claude-haiku-4-5", system="Hi.", metadata={"agentform.key": "orphan"}
    )
    result = agentform(estate, emulator_url, "import", "--all")
    assert result.exit_code == 0, result.output
    assert f"imported agent {stray.id} as orphan" in result.output
    assert (estate / "agents" / "orphan.yaml").exists()
    assert pins.load(estate / "pins.yaml").agents["orphan"].id == stray.id
    assert "No changes" in agentform(estate, emulator_url, "plan").output
    again = agentform(estate, emulator_url, "import", "agent", stray.id)
    assert again.exit_code == 1 and "is already managed as 'orphan'" in again.output
