"""`validate` reports, in one pass, everything a later command would refuse."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from agentform.cli import main
from tests.estate import multiagent, write


def validate(estate: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--dir", str(estate), "validate", *args])


def test_a_wrong_field_in_a_tool_config_is_named_not_the_tool_name(estate: Path) -> None:
    write(
        estate,
        "agents/helper.yaml",
        """
        name: helper
        model: claude-sonnet-4-6
        system: You help.
        tools:
          - type: agent_toolset_20260401
            configs:
              - {name: bash, enabled: "yes"}
              - {name: bassh, enabled: true}
        """,
    )
    result = validate(estate)
    path = estate / "agents" / "helper.yaml"
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{path}:7:22: tools[0].configs[0].enabled: expected a boolean or null, got a string",
        f"{path}:8:10: tools[0].configs[1].name: unknown name 'bassh'; expected one of "
        "'bash', 'edit', 'read', 'write', 'glob', 'grep', 'web_fetch', 'web_search'",
    ]


def test_broken_responder_rules_are_reported_with_the_manifest_problems(estate: Path) -> None:
    write(estate, "evals/responder.yaml", "rules:\n  - when: {agent_key: triage, nonsense: 1}\n")
    write(estate, "agents/broken.yaml", "name: broken\nmodel: claude-sonnet-4-6\n")
    result = validate(estate)
    assert result.exit_code == 1
    rules, broken = estate / "evals" / "responder.yaml", estate / "agents" / "broken.yaml"
    assert result.output.splitlines() == [
        f"{broken}:1:1: no system prompt: add `system:` or `system_file:`",
        f"{rules}:2:5: rules[0].when: unknown key 'nonsense' "
        "(known: agent_key, agent_name, agent_version, message, system_contains)",
        "Error: 2 problems found",
    ]


def test_responder_rules_that_are_not_yaml_are_located(estate: Path) -> None:
    write(estate, "evals/responder.yaml", "rules: [\n")
    result = validate(estate)
    assert result.exit_code == 1
    assert f"{estate / 'evals' / 'responder.yaml'}:2:1: invalid YAML" in result.output


def test_valid_responder_rules_are_listed(estate: Path) -> None:
    result = validate(estate)
    assert result.exit_code == 0, result.output
    assert (
        f"responder                        {estate / 'evals' / 'responder.yaml'} (10 rules)"
        in result.output
    )


def test_validate_json_lists_problems_and_files(estate: Path) -> None:
    ok = validate(estate, "--format", "json")
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["valid"] is True and data["problems"] == []
    kinds = [f["kind"] for f in data["files"]]
    assert kinds == ["agent", "environment", "eval", "pins", "responder"]
    (estate / "agents" / "triage.prompt.md").unlink()
    bad = validate(estate, "--format", "json")
    assert bad.exit_code == 1
    problem = json.loads(bad.stdout)["problems"][0]
    assert problem == {
        "path": str(estate / "agents" / "triage.yaml"),
        "line": 6,
        "column": 1,
        "field": "system_file",
        "message": f"prompt file triage.prompt.md not found (looked in {estate.resolve() / 'agents' / 'triage.prompt.md'})",
    }


def test_validate_json_strict_turns_warnings_into_problems(estate: Path) -> None:
    manifest = estate / "agents" / "triage.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("claude-sonnet-4-6", "claude-sonnet-4-66"),
        encoding="utf-8",
    )
    lenient = json.loads(validate(estate, "--format", "json").stdout)
    assert lenient["valid"] and "unknown model" in lenient["warnings"][0]["message"]
    strict = validate(estate, "--format", "json", "--strict")
    assert strict.exit_code == 1
    assert "unknown model" in json.loads(strict.stdout)["problems"][0]["message"]


def _roster(estate: Path, key: str, *members: str) -> None:
    """Make agent `key` a coordinator of `members` (by key)."""
    path = estate / "agents" / f"{key}.yaml"
    roster = "".join(f"    - agent: {member}\n" for member in members)
    text = path.read_text(encoding="utf-8").split("multiagent:")[0]
    path.write_text(f"{text}multiagent:\n  type: coordinator\n  agents:\n{roster}", "utf-8")


def test_an_unknown_roster_key_is_a_line_error(tmp_path: Path) -> None:
    estate = multiagent(tmp_path)
    _roster(estate, "coordinator", "researcher", "wirter")
    result = validate(estate)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{estate / 'agents/coordinator.yaml'}:15:7: multiagent.agents[1].agent: no agent "
        "manifest 'wirter' (known: coordinator, researcher, writer)",
        "Error: 1 problem found",
    ]


def test_a_reference_cycle_is_named_with_its_line(tmp_path: Path) -> None:
    estate = multiagent(tmp_path)
    _roster(estate, "writer", "coordinator")  # coordinator -> writer -> coordinator
    result = validate(estate)
    assert result.exit_code == 1
    coordinator, writer = estate / "agents/coordinator.yaml", estate / "agents/writer.yaml"
    assert (
        f"{coordinator}:15:7: multiagent.agents[1].agent: reference cycle: agent coordinator "
        "-> agent writer -> agent coordinator"
    ) in result.output.splitlines()
    # A cycle of rosters is also a roster too deep: both are said, each where it is.
    assert (
        f"{writer}:14:7: multiagent.agents[0].agent: coordinator is itself a coordinator; a "
        "roster's depth limit is 1 (a sub-agent cannot have sub-agents)"
    ) in result.output.splitlines()


def test_a_roster_deeper_than_the_api_allows_is_a_line_error(tmp_path: Path) -> None:
    estate = multiagent(tmp_path)
    _roster(estate, "researcher", "writer")  # coordinator -> researcher -> writer
    result = validate(estate)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{estate / 'agents/coordinator.yaml'}:14:7: multiagent.agents[0].agent: researcher is "
        "itself a coordinator; a roster's depth limit is 1 (a sub-agent cannot have sub-agents)",
        "Error: 1 problem found",
    ]
