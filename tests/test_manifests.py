"""Manifests: what loads, and every way a manifest can be wrong (through `agentform validate`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agentform.cli import main
from agentform.errors import ManifestErrors, UserError
from agentform.manifests.estate import load_estate
from tests.estate import MINIMAL_AGENT, MINIMAL_ENVIRONMENT, copy_example, write


def validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--dir", str(root), "validate"])
    return result.exit_code, result.output


def test_example_estate_loads_with_prompt_from_file(tmp_path: Path) -> None:
    estate = load_estate(copy_example(tmp_path))
    triage = estate.agents["triage"]
    prompt = (tmp_path / "agents" / "triage.prompt.md").read_text(encoding="utf-8")
    assert triage.spec["system"] == prompt
    assert "system_file" not in triage.spec
    assert triage.system_file == (tmp_path / "agents" / "triage.prompt.md").resolve()
    assert triage.spec["name"] == "ticket-triage"
    assert set(estate.environments) == {"default"}


def test_validate_example_estate_exits_0_and_lists_resources(tmp_path: Path) -> None:
    code, output = validate(copy_example(tmp_path))
    assert code == 0, output
    assert "triage" in output and "default" in output


EXHAUSTIVE_AGENT = """
    name: everything
    model: {id: claude-opus-4-8, effort: {type: high}, speed: standard, inference_geo: us}
    description: Uses every field of agents.create.
    system: You do everything.
    tools:
      - type: agent_toolset_20260401
        default_config: {enabled: true, permission_policy: {type: always_allow}}
        configs:
          - {name: bash, enabled: true, permission_policy: {type: always_ask}}
          - name: web_fetch
            enabled: true
            allowed_domains: [docs.example.com]
            max_content_tokens: 5000
      - type: mcp_toolset
        mcp_server_name: github
        default_config: {permission_policy: {type: always_ask}}
        configs: [{name: create_issue, enabled: false}]
      - type: custom
        name: get_weather
        description: Look up the weather.
        input_schema:
          type: object
          properties: {city: {type: string}}
          required: [city]
    mcp_servers:
      - {type: url, name: github, url: "https://api.githubcopilot.com/mcp/"}
    skills:
      - {type: anthropic, skill_id: xlsx}
      - {type: custom, skill_id: skill_01abc, version: "3"}
    metadata: {team: infra, tier: gold}
    multiagent: {type: coordinator, agents: [{type: self}]}
    execution_identity: {type: aws_role, role_arn: "arn:aws:iam::123456789012:role/agent"}
"""
EXHAUSTIVE_ENVIRONMENT = """
    name: everything-env
    description: Uses every field of environments.create.
    scope: organization
    metadata: {team: infra}
    config:
      type: cloud
      networking:
        type: limited
        allowed_hosts: ["https://api.example.com"]
        allow_mcp_servers: true
        allow_package_managers: true
      packages: {type: packages, pip: [pandas==2.2.0], npm: [express@4.18.0], apt: [jq]}
"""


def test_exhaustive_manifests_validate(tmp_path: Path) -> None:
    write(tmp_path, "agents/everything.yaml", EXHAUSTIVE_AGENT)
    write(tmp_path, "environments/everything.yaml", EXHAUSTIVE_ENVIRONMENT)
    write(tmp_path, "environments/selfhosted.yaml", "name: mine\nconfig: {type: self_hosted}\n")
    estate = load_estate(tmp_path)
    assert estate.agents["everything"].spec["execution_identity"]["type"] == "aws_role"
    assert set(estate.environments) == {"everything", "selfhosted"}


# Each case: files to write, then (path, line, text) every expected error line contains.
BROKEN = {
    "bad yaml": (
        {"agents/a.yaml": "name: [unclosed\nmodel: x\n"},
        [("agents/a.yaml", 2, "invalid YAML")],
    ),
    "wrong type": (
        {"agents/a.yaml": "name: a\nmodel: 42\nsystem: hi\n"},
        [("agents/a.yaml", 2, "model: expected a string or an object, got an integer")],
    ),
    "unknown field": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem: hi\ndescripton: typo\n"},
        [("agents/a.yaml", 4, "descripton: unknown field; did you mean 'description'?")],
    ),
    "missing prompt file": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem_file: gone.md\n"},
        [("agents/a.yaml", 3, "system_file: prompt file gone.md not found")],
    ),
    "both system and system_file": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem: hi\nsystem_file: p.md\n", "agents/p.md": "x"},
        [("agents/a.yaml", 4, "give either `system` or `system_file`, not both")],
    ),
    "no system prompt": (
        {"agents/a.yaml": "name: a\nmodel: m\n"},
        [("agents/a.yaml", 1, "no system prompt")],
    ),
    "prompt file not utf-8": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem_file: p.md\n"},
        [("agents/a.yaml", 3, "p.md is not UTF-8")],
    ),
    "oversize metadata": (
        {
            "agents/a.yaml": "name: a\nmodel: m\nsystem: hi\nmetadata:\n"
            + "".join(f"  k{i}: v\n" for i in range(15))
        },
        [("agents/a.yaml", 4, "metadata: has 15 entries; at most 14 allowed")],
    ),
    "long metadata value": (
        {"agents/a.yaml": f"name: a\nmodel: m\nsystem: hi\nmetadata:\n  k: {'v' * 513}\n"},
        [("agents/a.yaml", 5, "metadata.k: is 513 characters long; at most 512 allowed")],
    ),
    "reserved metadata key": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem: hi\nmetadata: {agentform.key: x}\n"},
        [("agents/a.yaml", 4, "metadata.agentform.key: key is reserved")],
    ),
    "unreferenced mcp server": (
        {
            "agents/a.yaml": "name: a\nmodel: m\nsystem: hi\nmcp_servers:\n"
            "  - {type: url, name: gh, url: 'https://x'}\n"
        },
        [
            (
                "agents/a.yaml",
                5,
                "mcp_servers[0].name: MCP server 'gh' is not used by any mcp_toolset",
            )
        ],
    ),
    "mcp toolset without server": (
        {
            "agents/a.yaml": "name: a\nmodel: m\nsystem: hi\ntools:\n  - {type: mcp_toolset, mcp_server_name: gh}\n"
        },
        [("agents/a.yaml", 5, "tools[0].mcp_server_name: no MCP server named 'gh'")],
    ),
    "duplicate yaml key": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem: hi\nname: b\n"},
        [("agents/a.yaml", 4, "name: duplicate key (first defined on line 1)")],
    ),
    "duplicate server name": (
        {
            "agents/a.yaml": "name: same\nmodel: m\nsystem: hi\n",
            "agents/b.yaml": "name: same\nmodel: m\nsystem: hi\n",
        },
        [("agents/b.yaml", 1, "name: 'same' is also the name of")],
    ),
    "unknown tool type": (
        {"agents/a.yaml": "name: a\nmodel: m\nsystem: hi\ntools:\n  - type: bogus\n"},
        [("agents/a.yaml", 5, "tools[0].type: unknown type 'bogus'; expected one of")],
    ),
    "field missing inside a tool": (
        {
            "agents/a.yaml": "name: a\nmodel: m\nsystem: hi\ntools:\n  - type: custom\n    name: t\n    input_schema: {type: object}\n"
        },
        [("agents/a.yaml", 5, "tools[0].description: required field is missing")],
    ),
    "bad enum in union": (
        {"agents/a.yaml": "name: a\nmodel: {id: m, effort: huge}\nsystem: hi\n"},
        [
            (
                "agents/a.yaml",
                2,
                "model.effort: expected one of 'high', 'low', 'max', 'medium', 'xhigh', got 'huge'",
            )
        ],
    ),
    "invalid key": (
        {"agents/Bad Key.yaml": MINIMAL_AGENT},
        [("agents/Bad Key.yaml", None, "is not a valid key")],
    ),
    "packages under limited network": (
        {
            "environments/e.yaml": "name: e\nconfig:\n  type: cloud\n  networking: {type: limited}\n  packages: {pip: [x]}\n"
        },
        [("environments/e.yaml", 4, "allow_package_managers: packages under limited networking")],
    ),
    "environment unknown field": (
        {
            "environments/e.yaml": "name: e\nconfig: {type: self_hosted, networking: {type: limited}}\n"
        },
        [("environments/e.yaml", 2, "config.networking: unknown field")],
    ),
    "merge conflict markers in a manifest": (
        {
            "agents/a.yaml": "name: a\n<<<<<<< HEAD\nmodel: m\n=======\nmodel: n\n>>>>>>> branch\nsystem: hi\n"
        },
        [("agents/a.yaml", 2, "unresolved git merge-conflict marker")],
    ),
    "merge conflict markers in pins.yaml": (
        {
            "agents/a.yaml": MINIMAL_AGENT,
            "pins.yaml": "schema_version: 1\n<<<<<<< HEAD\nagents: {}\n=======\nagents: {}\n>>>>>>> x\nenvironments: {}\n",
        },
        [("pins.yaml", 2, "unresolved git merge-conflict marker")],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_manifest_exits_1_naming_file_line_and_field(tmp_path: Path, case: str) -> None:
    files, expected = BROKEN[case]
    for relative, text in files.items():
        write(tmp_path, relative, text)
    if case == "prompt file not utf-8":
        (tmp_path / "agents" / "p.md").write_bytes(b"caf\xe9")
    code, output = validate(tmp_path)
    assert code == 1, output
    assert "Traceback" not in output
    for path, line, text in expected:
        location = f"{tmp_path / path}:{line}:" if line else f"{tmp_path / path}:"
        matching = [row for row in output.splitlines() if row.startswith(location) and text in row]
        assert matching, f"expected a line starting {location!r} containing {text!r} in:\n{output}"


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    write(tmp_path, "agents/a.yaml", "name: a\nmodel: 42\nsystem: hi\nfoo: 1\n")
    write(tmp_path, "agents/b.yaml", "name: b\nmodel: m\nsystem_file: gone.md\n")
    write(tmp_path, "environments/e.yaml", "name: e\nconfig: {type: moon}\n")
    with pytest.raises(ManifestErrors) as caught:
        load_estate(tmp_path)
    places = {(e.path.name, e.line) for e in caught.value.errors}
    assert places == {("a.yaml", 2), ("a.yaml", 4), ("b.yaml", 3), ("e.yaml", 2)}
    code, output = validate(tmp_path)
    assert code == 1 and "Error: 4 problems found" in output


def test_an_empty_directory_is_an_error_not_an_empty_estate(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no manifests"):
        load_estate(tmp_path)


def test_yml_and_yaml_with_the_same_stem_collide(tmp_path: Path) -> None:
    write(tmp_path, "agents/a.yaml", MINIMAL_AGENT)
    write(tmp_path, "agents/a.yml", MINIMAL_AGENT.replace("helper", "other"))
    write(tmp_path, "environments/e.yaml", MINIMAL_ENVIRONMENT)
    with pytest.raises(ManifestErrors, match="key 'a' also defined by"):
        load_estate(tmp_path)


@pytest.mark.parametrize(
    ("model", "hint"),
    [
        ("claude-sonet-4-6", "did you mean 'claude-sonnet-4-6'?"),
        ("{id: claude-opus-4-88}", "did you mean 'claude-opus-4-8'?"),
        ("gpt-4o", "unknown model 'gpt-4o' (the anthropic SDK knows"),
    ],
)
def test_an_unknown_model_warns_with_a_suggestion_and_strict_refuses_it(
    tmp_path: Path, model: str, hint: str
) -> None:
    write(tmp_path, "agents/a.yaml", f"name: a\nmodel: {model}\nsystem: hi\n")
    warned = CliRunner().invoke(main, ["--dir", str(tmp_path), "validate"])
    assert warned.exit_code == 0, warned.output
    field = "model.id" if model.startswith("{") else "model"
    assert f"warning: {tmp_path / 'agents/a.yaml'}:2:" in warned.stderr
    assert f" {field}: " in warned.stderr and hint in warned.stderr
    strict = CliRunner().invoke(main, ["--dir", str(tmp_path), "validate", "--strict"])
    assert strict.exit_code == 1
    assert hint in strict.stderr and "Error: 1 problem found" in strict.stderr


def test_every_model_the_sdk_knows_passes_strict(tmp_path: Path) -> None:
    from anthropic.types.model import Model

    from agentform.manifests.schemas import known_models

    assert known_models() and set(known_models()) <= set(typing_args(Model))
    write(tmp_path, "agents/a.yaml", f"name: a\nmodel: {known_models()[-1]}\nsystem: hi\n")
    result = CliRunner().invoke(main, ["--dir", str(tmp_path), "validate", "--strict"])
    assert result.exit_code == 0 and "warning" not in result.stderr


def typing_args(alias: object) -> set[str]:
    import typing

    found: set[str] = set()
    for arg in typing.get_args(alias):
        found |= {arg} if isinstance(arg, str) else typing_args(arg)
    return found


def test_plan_warns_about_an_unknown_model_too(estate: Path, emulator_url: str) -> None:
    from tests.cli_helpers import agentform

    manifest = estate / "agents" / "triage.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("claude-sonnet-4-6", "claude-sonet-4-6"), encoding="utf-8")
    result = agentform(estate, emulator_url, "plan")
    assert result.exit_code == 0, result.output
    assert "did you mean 'claude-sonnet-4-6'?" in result.stderr
    assert "+ agent triage" in result.stdout


def _agent_with_prompt_file(root: Path, name: str) -> None:
    write(root, "agents/a.yaml", f"name: a\nmodel: claude-sonnet-4-6\nsystem_file: {name}\n")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda root: (root / "agents" / "p.md").symlink_to("/proc/self/environ"),
            "outside the estate",
        ),
        (lambda root: (root / "agents" / "p.md").symlink_to("/dev/zero"), "outside the estate"),
        (
            lambda root: __import__("os").mkfifo(root / "agents" / "p.md"),
            "is a FIFO, not a regular file",
        ),
        (lambda root: (root / "agents" / "p.md").mkdir(), "is a directory, not a regular file"),
        (
            lambda root: (root / "agents" / "p.md").write_bytes(b"x" * 400_001),
            "400,001 bytes; the limit is 400,000",
        ),
    ],
    ids=["symlink-to-environ", "symlink-to-dev-zero", "fifo", "directory", "too-large"],
)
def test_a_prompt_file_must_be_a_bounded_regular_file_inside_the_estate(
    tmp_path: Path, setup: Any, message: str
) -> None:
    _agent_with_prompt_file(tmp_path, "p.md")
    setup(tmp_path)
    code, output = validate(tmp_path)
    assert code == 1
    assert f"{tmp_path / 'agents/a.yaml'}:3:" in output and message in output
    assert "ANTHROPIC" not in output


def test_a_prompt_path_escaping_the_estate_is_refused_before_reading(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("ANTHROPIC_API_KEY=sk-ant-secret\n", encoding="utf-8")
    estate = tmp_path / "estate"
    _agent_with_prompt_file(estate, "../../secret.txt")
    code, output = validate(estate)
    assert code == 1 and "outside the estate" in output
    assert "sk-ant-secret" not in output


def test_a_prompt_symlink_inside_the_estate_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "prompts/shared.md", "You help.\n")
    _agent_with_prompt_file(tmp_path, "p.md")
    (tmp_path / "agents" / "p.md").symlink_to(tmp_path / "prompts" / "shared.md")
    assert load_estate(tmp_path).agents["a"].spec["system"] == "You help.\n"
