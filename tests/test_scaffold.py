"""`agentform init` and `agentform new`: an estate from nothing, a resource at a time."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from agentform.cli import main
from agentform.manifests.schemas import load_schema
from tests.cli_helpers import agentform
from tests.estate import write


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--dir", str(root), *args], env={"NO_COLOR": "1"})


def test_init_then_local_apply_then_plan_is_empty(tmp_path: Path) -> None:
    assert run(tmp_path, "init").exit_code == 0
    assert run(tmp_path, "validate").exit_code == 0
    assert run(tmp_path, "fmt", "--check").exit_code == 0  # written in the canonical layout
    applied = run(tmp_path, "--local", "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 2 created, 0 updated" in applied.output
    again = run(tmp_path, "--local", "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    evaluated = run(tmp_path, "--local", "eval", "helpdesk")
    assert evaluated.exit_code == 0, evaluated.output
    assert "overall    100.0%   6/6" in evaluated.output


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_local_state_is_git_ignored(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run(tmp_path, "init").exit_code == 0
    assert run(tmp_path, "--local", "plan").exit_code == 0
    assert (tmp_path / ".agentform").is_dir()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "agents/helpdesk.yaml" in status
    assert ".agentform" not in status


def test_init_writes_schemas_ci_and_pre_commit(tmp_path: Path) -> None:
    result = run(tmp_path, "init")
    assert result.exit_code == 0
    for kind in ("agent", "environment", "eval", "pins"):
        assert (tmp_path / "schemas" / f"{kind}.schema.json").is_file()
    first = (tmp_path / "agents" / "helpdesk.yaml").read_text(encoding="utf-8").splitlines()[0]
    target = re.search(r"\$schema=(\S+)", first).group(1)  # type: ignore[union-attr]
    assert (tmp_path / "agents" / target).resolve().is_file()  # resolves offline
    workflows = sorted(p.name for p in (tmp_path / ".github" / "workflows").iterdir())
    assert workflows == ["agentform-apply.yml", "agentform-pins-check.yml", "agentform-plan.yml"]
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = [h["id"] for h in hooks["repos"][0]["hooks"]]
    assert ids == ["agentform-validate", "agentform-pins-check-offline", "agentform-fmt"]


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "agents/helpdesk.yaml", "name: mine\n")
    result = run(tmp_path, "init")
    assert result.exit_code == 1
    assert "refusing to overwrite" in result.output and "helpdesk.yaml" in result.output
    assert (tmp_path / "agents" / "helpdesk.yaml").read_text(encoding="utf-8") == "name: mine\n"
    assert not (tmp_path / "schemas").exists()


def test_init_adds_to_an_existing_gitignore(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "node_modules/")
    assert run(tmp_path, "init").exit_code == 0
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == (
        "node_modules/\n# agentform --local keeps its emulator's database here.\n.agentform/\n"
    )


def test_init_into_a_named_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "agents" / "helpdesk.yaml").is_file()


def _uncommented(text: str) -> str:
    """The template with its commented-out examples (YAML lines after '# ') restored."""
    lines = []
    for line in text.splitlines():
        match = re.match(r"^(\s*)# ((?:- |[a-z_]+:(?: |$)|\s+\S).*)$", line)
        lines.append(match.group(1) + match.group(2) if match else line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("kind", "path"), [("agent", "agents"), ("environment", "environments")])
def test_commented_examples_are_valid_when_uncommented(
    tmp_path: Path, kind: str, path: str
) -> None:
    assert run(tmp_path, "new", kind, "example").exit_code == 0
    text = (tmp_path / path / "example.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(_uncommented(text))
    if kind == "agent":
        assert {t["type"] for t in data["tools"]} == {
            "agent_toolset_20260401", "mcp_toolset", "custom"
        }  # fmt: skip
        assert data["mcp_servers"] and data["skills"]
    else:
        assert data["config"]["packages"]["pip"]
    Draft202012Validator(load_schema(kind)).validate(data)


def test_new_files_validate_as_written(tmp_path: Path) -> None:
    for kind, key in (("agent", "support"), ("environment", "sandbox"), ("suite", "support")):
        result = run(tmp_path, "new", kind, key)
        assert result.exit_code == 0, result.output
    suite = yaml.safe_load((tmp_path / "evals" / "support.yaml").read_text(encoding="utf-8"))
    assert (suite["agent"], suite["environment"]) == ("support", "sandbox")
    checked = run(tmp_path, "validate")
    assert checked.exit_code == 0, checked.output
    assert "ok  eval        support" in checked.output
    assert run(tmp_path, "fmt", "--check").exit_code == 0


def test_new_suite_asks_which_agent_when_it_cannot_tell(tmp_path: Path) -> None:
    for key in ("one", "two"):
        run(tmp_path, "new", "agent", key)
    run(tmp_path, "new", "environment", "default")
    result = run(tmp_path, "new", "suite", "checks")
    assert result.exit_code == 1
    assert "which agent? pass --agent KEY (the estate has: one, two)" in result.output
    assert run(tmp_path, "new", "suite", "checks", "--agent", "two").exit_code == 0


def test_new_refuses_an_existing_file_and_a_bad_key(tmp_path: Path) -> None:
    assert run(tmp_path, "new", "agent", "support").exit_code == 0
    again = run(tmp_path, "new", "agent", "support")
    assert again.exit_code == 1 and "refusing to overwrite" in again.output
    bad = run(tmp_path, "new", "agent", "Support")
    assert bad.exit_code == 1 and "'Support' is not a valid key" in bad.output


def test_init_from_server_imports_everything(
    tmp_path: Path, emulator_url: str, client: Any
) -> None:
    client.beta.agents.create(name="existing", model="claude-sonnet-4-6", system="Hi.")
    result = agentform(tmp_path, emulator_url, "init", "--from-server")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "agents" / "existing.yaml").is_file()
    assert not (tmp_path / "agents" / "helpdesk.yaml").exists()
    assert (tmp_path / "schemas" / "agent.schema.json").is_file()
    header = (tmp_path / "agents" / "existing.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header == "# yaml-language-server: $schema=../schemas/agent.schema.json"
    plan = agentform(tmp_path, emulator_url, "plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
