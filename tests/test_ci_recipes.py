"""The CI recipes in examples/ci/ parse, and every agentform command in them exists."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from agentform.cli import main

REPO = Path(__file__).resolve().parent.parent
RECIPES = sorted((REPO / "examples" / "ci").glob("*.y*ml")) + [REPO / ".pre-commit-hooks.yaml"]


def commands(node: Any) -> list[str]:
    """Every `agentform ...` command line in a workflow's run steps or a hook's entry."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "entry") and isinstance(value, str):
                found += [
                    line.strip()
                    for line in value.splitlines()
                    if line.strip().startswith("agentform ")
                ]
            else:
                found += commands(value)
    elif isinstance(node, list):
        for item in node:
            found += commands(item)
    return found


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_recipe_parses_and_its_commands_exist(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = commands(document)
    if path.name != "pre-commit-config.yaml":
        assert found, f"{path.name} runs no agentform command"
    for line in found:
        argv = [a for a in shlex.split(line.split(" > ")[0])[1:]]
        result = CliRunner().invoke(main, [*argv, "--help"])
        assert result.exit_code == 0, f"{path.name}: `{line}` does not parse:\n{result.output}"


def test_plan_comment_marker_matches_the_markdown_renderer() -> None:
    from agentform.render.markdown import MARKER

    workflow = (REPO / "examples" / "ci" / "plan-on-pull-request.yml").read_text(encoding="utf-8")
    assert MARKER in workflow
