"""Run the CLI against the test session's emulator, as a CI job would (no --local)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from agentform.cli import main

API_KEY = "test-key"


def cli_env(url: str) -> dict[str, str]:
    return {
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": API_KEY,
        "AGENTFORM_STRICT_RESPONSES": "1",
        "NO_COLOR": "1",
    }


def agentform(root: Path, url: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--dir", str(root), *args], env=cli_env(url), input=input)


def plan_json(root: Path, url: str, *args: str) -> dict[str, Any]:
    result = agentform(root, url, "plan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def assert_no_changes(estate: Path, url: str) -> dict[str, Any]:
    plan = plan_json(estate, url)
    assert not plan["has_changes"], plan["changes"]
    return plan


def actions(plan: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(c["kind"], c["key"]): c["action"] for c in plan["changes"]}


def apply(estate: Path, url: str) -> str:
    result = agentform(estate, url, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return result.output
