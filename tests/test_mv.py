"""`agentform mv OLD NEW`: a new key, the same server object (issue 11, item 5).

Through the CLI against the emulator, with the multi-agent example estate: the server
id and the version history stay, the pin keeps its id, version and digest under the
new key, every reference is rewritten, and the next plan is empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentform import pins
from agentform.emulator import admin
from tests.cli_helpers import actions, agentform, apply, assert_no_changes, plan_json
from tests.estate import multiagent, write


def versions(client: Any, agent_id: str) -> list[tuple[int, dict[str, Any]]]:
    """Every version of an agent: (number, content without agentform's markers)."""
    found = client.beta.agents.versions.list(agent_id)
    return sorted((v.version, _content(v.to_dict())) for v in found)


def _content(agent: dict[str, Any]) -> dict[str, Any]:
    metadata = {k: v for k, v in agent["metadata"].items() if not k.startswith("agentform.")}
    skip = ("version", "created_at", "updated_at", "metadata")
    return {**{k: v for k, v in agent.items() if k not in skip}, "metadata": metadata}


def mv(estate: Path, url: str, *args: str) -> str:
    result = agentform(estate, url, "mv", *args)
    assert result.exit_code == 0, result.output
    return result.output


def test_mv_keeps_the_server_id_and_history(tmp_path: Path, emulator_url: str, client: Any) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    before = pins.load(estate / "pins.yaml")
    researcher = before.agents["researcher"]
    coordinator = client.beta.agents.retrieve(before.agents["coordinator"].id)
    history = versions(client, researcher.id)

    output = mv(estate, emulator_url, "researcher", "fact-finder")
    agents = estate / "agents"
    assert f"renamed {agents / 'researcher.yaml'} -> {agents / 'fact-finder.yaml'}" in output
    assert "multiagent.agents[0].agent: researcher -> fact-finder" in output
    assert f"marked {researcher.id} agentform.key=fact-finder" in output
    assert "Moved agent researcher to fact-finder: same id, same pinned version." in output

    assert not (agents / "researcher.yaml").exists() and (agents / "fact-finder.yaml").exists()
    roster = (agents / "coordinator.yaml").read_text(encoding="utf-8")
    assert "    - agent: fact-finder\n    - agent: writer\n" in roster
    after = pins.load(estate / "pins.yaml")
    assert "researcher" not in after.agents
    assert after.agents["fact-finder"] == researcher  # same id, version and digest
    assert {k: v for k, v in after.agents.items() if k != "fact-finder"} == {
        k: v for k, v in before.agents.items() if k != "researcher"
    }
    latest = client.beta.agents.retrieve(researcher.id)
    assert latest.metadata["agentform.key"] == "fact-finder"
    # The marker is versioned metadata: one more version, the same content as the pinned one.
    now = versions(client, researcher.id)
    assert now[: len(history)] == history and len(now) == len(history) + 1
    assert now[-1][1] == history[-1][1]
    same = client.beta.agents.retrieve(coordinator.id)
    assert same.version == coordinator.version  # its roster still runs the pinned version
    plan = assert_no_changes(estate, emulator_url)
    assert plan["notes"] == []  # the marker's version is no rollback: nothing is "held"
    check = agentform(estate, emulator_url, "pins", "check")
    assert check.exit_code == 0, check.output  # the pin is true: same version, same digest
    status = agentform(estate, emulator_url, "status").output
    assert "fact-finder" in status and "held" not in status

    (agents / "fact-finder.yaml").write_text(
        (agents / "fact-finder.yaml")
        .read_text(encoding="utf-8")
        .replace("Finds the facts behind", "Finds and cites the facts behind"),
        encoding="utf-8",
    )
    plan = plan_json(estate, emulator_url)
    assert actions(plan)[("agent", "fact-finder")] == "update"
    assert actions(plan)[("agent", "coordinator")] == "update"  # the cascade, by the new key
    apply(estate, emulator_url)
    moved = pins.load(estate / "pins.yaml").agents["fact-finder"]
    assert moved.id == researcher.id and moved.version == len(history) + 2  # history goes on
    assert_no_changes(estate, emulator_url)


def test_mv_dry_run_shows_everything_and_changes_nothing(tmp_path: Path, emulator_url: str) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    pins_text = (estate / "pins.yaml").read_text(encoding="utf-8")
    roster = (estate / "agents/coordinator.yaml").read_text(encoding="utf-8")
    writer = pins.load(estate / "pins.yaml").agents["writer"]
    admin.reset(emulator_url)

    output = mv(estate, emulator_url, "writer", "replier", "--dry-run")
    path = estate / "agents" / "coordinator.yaml"
    assert output.splitlines() == [
        "agent writer -> replier",
        f"  rename {estate / 'agents/writer.yaml'} -> {estate / 'agents/replier.yaml'}",
        f"  rewrite {path}:15:14 multiagent.agents[1].agent: writer -> replier",
        f"  rename pin agents.writer -> agents.replier in {estate / 'pins.yaml'} "
        f"({writer.id} v1, unchanged)",
        f"  mark {writer.id} agentform.key=replier (makes v2, same content; callers stay on "
        "the pinned v1)",
        "Dry run: nothing was changed.",
    ]
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == pins_text
    assert (estate / "agents/coordinator.yaml").read_text(encoding="utf-8") == roster
    assert (estate / "agents/writer.yaml").exists()
    assert set(admin.counters(emulator_url)) == {"GET /v1/agents"}  # read only


def test_mv_rewrites_an_eval_suite_and_a_moved_yaml_target(
    estate: Path, emulator_url: str, client: Any
) -> None:
    apply(estate, emulator_url)
    triage = pins.load(estate / "pins.yaml").agents["triage"]
    write(estate, "moved.yaml", "- from: agent/helpdesk\n  to: 'agent/triage'\n")
    mv(estate, emulator_url, "triage", "support-triage")
    suite = (estate / "evals/triage.yaml").read_text(encoding="utf-8")
    assert "\nagent: support-triage\nenvironment: default\n" in suite
    assert (estate / "moved.yaml").read_text() == (
        "- from: agent/helpdesk\n  to: 'agent/support-triage'\n"
    )
    # The prompt file named after the key moves with it, and system_file says so.
    assert not (estate / "agents/triage.prompt.md").exists()
    assert (estate / "agents/support-triage.prompt.md").exists()
    manifest = (estate / "agents/support-triage.yaml").read_text(encoding="utf-8")
    assert "system_file: support-triage.prompt.md\n" in manifest
    assert pins.load(estate / "pins.yaml").agents["support-triage"] == triage
    assert client.beta.agents.retrieve(triage.id).metadata["agentform.key"] == "support-triage"
    assert_no_changes(estate, emulator_url)
    environment = pins.load(estate / "pins.yaml").environments["default"]
    mv(estate, emulator_url, "environment/default", "prod")
    suite = (estate / "evals/triage.yaml").read_text(encoding="utf-8")
    assert "\nenvironment: prod\n" in suite
    assert pins.load(estate / "pins.yaml").environments["prod"] == environment
    assert client.beta.environments.retrieve(environment.id).metadata["agentform.key"] == "prod"
    assert_no_changes(estate, emulator_url)


def test_mv_after_renaming_the_files_by_hand_renames_pin_and_marker(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    writer = pins.load(estate / "pins.yaml").agents["writer"]
    (estate / "agents/writer.yaml").rename(estate / "agents/replier.yaml")  # git mv
    coordinator = estate / "agents/coordinator.yaml"
    text = coordinator.read_text(encoding="utf-8").replace("agent: writer", "agent: replier")
    coordinator.write_text(text, encoding="utf-8")

    output = mv(estate, emulator_url, "writer", "replier")
    assert f"renamed {estate}" not in output and "rewrote " not in output  # files were done
    assert "renamed pin agents.writer -> agents.replier" in output
    assert pins.load(estate / "pins.yaml").agents["replier"] == writer
    assert client.beta.agents.retrieve(writer.id).metadata["agentform.key"] == "replier"
    assert_no_changes(estate, emulator_url)


def test_mv_that_stopped_at_the_server_is_finished_by_running_it_again(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    writer = pins.load(estate / "pins.yaml").agents["writer"]
    path = f"/v1/agents/{writer.id}"
    admin.inject_fault(emulator_url, method="POST", path=path, status=429, retry_after=3600)
    stopped = agentform(estate, emulator_url, "mv", "writer", "replier")
    assert stopped.exit_code == 1
    assert admin.faults_fired(emulator_url) == 1
    assert "The files and the pin are renamed, the marker not: run `agentform mv " in (
        stopped.output
    )
    assert pins.load(estate / "pins.yaml").agents["replier"] == writer
    assert client.beta.agents.retrieve(writer.id).metadata["agentform.key"] == "writer"
    planned = agentform(estate, emulator_url, "plan")
    assert planned.exit_code == 1
    assert "finish a rename: agentform mv agent/writer replier" in planned.output

    again = mv(estate, emulator_url, "agent/writer", "replier")
    assert "renamed " not in again and "rewrote " not in again  # only the marker was left
    assert f"marked {writer.id} agentform.key=replier" in again
    assert client.beta.agents.retrieve(writer.id).metadata["agentform.key"] == "replier"
    assert pins.load(estate / "pins.yaml").agents["replier"] == writer
    assert_no_changes(estate, emulator_url)


def test_mv_refuses_with_a_clear_message_and_changes_nothing(
    tmp_path: Path, emulator_url: str
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    write(estate, "agents/default.yaml", "name: default\nmodel: claude-haiku-4-5\nsystem: Hi.\n")
    pins_text = (estate / "pins.yaml").read_text(encoding="utf-8")
    cases = {
        ("nobody", "somebody"): (
            "no agent 'nobody' in this estate (known: coordinator, default, researcher, writer)"
        ),
        ("writer", "researcher"): (
            f"agent researcher already exists ({estate / 'agents/researcher.yaml'}); "
            "pick another key"
        ),
        ("writer", "Writer 2"): (
            "Writer 2: 'Writer 2' is not a valid key: use lowercase letters, digits, '-' and "
            "'_', starting with a letter or digit"
        ),
        ("robot/writer", "replier"): "robot/writer: unknown kind 'robot'",
        ("default", "main"): (
            "default is both an agent and an environment: say which, as agent/default or "
            "with --kind"
        ),
        ("agent/writer", "environment/replier"): (
            "a resource keeps its kind when renamed (agent, environment)"
        ),
        ("writer", "writer"): "agent writer already has that key",
    }
    for (old, new), message in cases.items():
        result = agentform(estate, emulator_url, "mv", old, new)
        assert result.exit_code == 1, (old, new)
        assert message in " ".join(result.output.split()), result.output
    (estate / "agents/default.yaml").unlink()
    assert (estate / "pins.yaml").read_text(encoding="utf-8") == pins_text
    assert_no_changes(estate, emulator_url)


def test_mv_refuses_a_key_still_pinned_or_marked_on_the_server(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    estate = multiagent(tmp_path)
    apply(estate, emulator_url)
    (estate / "agents/writer.yaml").unlink()  # pinned, no manifest: an archive waits
    coordinator = estate / "agents/coordinator.yaml"
    coordinator.write_text(
        coordinator.read_text(encoding="utf-8").replace("    - agent: writer\n", ""),
        encoding="utf-8",
    )
    pinned = agentform(estate, emulator_url, "mv", "researcher", "writer")
    assert pinned.exit_code == 1
    assert "already pins agent writer (with no manifest" in " ".join(pinned.output.split())

    client.beta.agents.create(
        name="stray", model="claude-haiku-4-5", metadata={"agentform.key": "scout"}
    )
    marked = agentform(estate, emulator_url, "mv", "researcher", "scout")
    assert marked.exit_code == 1
    assert "on the server already carries agentform.key=scout" in marked.output
    assert (estate / "agents/researcher.yaml").exists()
    assert "researcher" in pins.load(estate / "pins.yaml").agents


def test_mv_every_kind_rewrites_the_deployments_that_use_it(
    tmp_path: Path, emulator_url: str, client: Any, monkeypatch: Any
) -> None:
    from tests.deployment_estate import TOKEN_VARIABLE, lay_out

    monkeypatch.setenv(TOKEN_VARIABLE, "ghp_a-secret-for-mv-0000")
    estate = lay_out(tmp_path / "estate")
    apply(estate, emulator_url)
    before = pins.load(estate / "pins.yaml")
    nightly = client.beta.deployments.retrieve(before.get("deployments", "nightly").id)

    mv(estate, emulator_url, "triage", "support")
    mv(estate, emulator_url, "memory_store/notes", "kb")
    mv(estate, emulator_url, "vault/github", "gh")
    mv(estate, emulator_url, "nightly", "overnight")

    text = (estate / "deployments/overnight.yaml").read_text(encoding="utf-8")
    assert "\nagent: support\n" in text and "vaults: [gh]" in text
    assert "memory_store_id: {memory_store: kb}" in text
    assert "\nagent: support\n" in (estate / "deployments/manual.yaml").read_text("utf-8")
    assert (estate / "memory_stores/kb/team/oncall.md").exists()  # the seeds moved along
    assert not (estate / "memory_stores/notes").exists()
    after = pins.load(estate / "pins.yaml")
    renamed = {
        ("agents", "triage"): ("agents", "support"),
        ("memory_stores", "notes"): ("memory_stores", "kb"),
        ("vaults", "github"): ("vaults", "gh"),
        ("deployments", "nightly"): ("deployments", "overnight"),
    }
    for (section, old), (_, new) in renamed.items():
        assert after.get(section, new) == before.get(section, old) and not after.get(section, old)
    same = client.beta.deployments.retrieve(nightly.id)
    assert same.metadata["agentform.key"] == "overnight"
    assert same.agent.model_dump() == nightly.agent.model_dump()  # still the pinned version
    assert_no_changes(estate, emulator_url)


def test_mv_knows_every_kind() -> None:
    """The CLI lists kinds without importing them (for a fast --help): kept in step here."""
    from agentform.cli.mv import KINDS as choices
    from agentform.kinds import KINDS

    assert choices == [k.name for k in KINDS]


def test_mv_leaves_a_prompt_file_another_manifest_uses(estate: Path, emulator_url: str) -> None:
    write(estate, "agents/escalation.yaml", "name: Escalation\nmodel: claude-haiku-4-5\n"
          "system_file: triage.prompt.md\n")  # fmt: skip
    apply(estate, emulator_url)
    output = mv(estate, emulator_url, "triage", "support", "--dry-run")
    assert "prompt.md" not in output  # not renamed: escalation still reads it
    mv(estate, emulator_url, "triage", "support")
    assert (estate / "agents/triage.prompt.md").exists()
    manifest = (estate / "agents/support.yaml").read_text(encoding="utf-8")
    assert "system_file: triage.prompt.md\n" in manifest
    assert_no_changes(estate, emulator_url)
