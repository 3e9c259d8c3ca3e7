"""`pins log`: pin moves read from a scripted git history of pins.yaml."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentform import pins
from agentform.cli import main
from agentform.pins.log import pin_log
from agentform.pins.model import AgentPin, EnvironmentPin, Pins
from tests.estate import copy_example

D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64


def git(repo: Path, *args: str, author: str = "Test") -> None:
    """git with only this test's settings: no global or system config, any PATH."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "a@example.com",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": "a@example.com",
        "GIT_AUTHOR_DATE": "2026-11-20T10:00:00Z",
        "GIT_COMMITTER_DATE": "2026-11-20T10:00:00Z",
    }
    subprocess.run(
        ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args],
        check=True,
        env=env,
        capture_output=True,
    )


def commit(repo: Path, state: Pins, author: str, message: str) -> None:
    pins.write(repo / "pins.yaml", state)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, author=author)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "repo")
    git(root, "init", "-q", "--initial-branch=main")
    v1 = Pins(
        agents={"triage": AgentPin("agent_01", 1, D1)},
        environments={"default": EnvironmentPin("env_01")},
    )
    commit(root, v1, "Alice", "First apply")
    commit(
        root, v1.with_agent("triage", AgentPin("agent_01", 2, D2)), "Bob", "Ship the routing rule"
    )
    (root / "README.txt").write_text("unrelated\n")
    git(root, "add", "README.txt")
    git(root, "commit", "-qm", "Unrelated", author="Eve")
    git(root, "revert", "--no-edit", "HEAD~1", author="Carol")
    commit(
        root,
        v1.with_environment("default", EnvironmentPin("env_02")),
        "Dan",
        "Replace the environment",
    )
    return root


def test_moves_are_listed_newest_first_with_rollbacks_marked(repo: Path) -> None:
    moves = [
        (m.author, m.kind, m.key, m.before, m.after, m.back) for m in pin_log(repo / "pins.yaml")
    ]
    assert moves == [
        ("Dan", "environment", "default", "env_01", "env_02", False),
        ("Carol", "agent", "triage", "v2", "v1", True),
        ("Bob", "agent", "triage", "v1", "v2", False),
        ("Alice", "agent", "triage", "new", "v1", False),
        ("Alice", "environment", "default", "new", "env_01", False),
    ]


def test_the_command_filters_by_key_and_shows_rollbacks(repo: Path) -> None:
    result = CliRunner().invoke(main, ["--dir", str(repo), "pins", "log", "triage"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert (
        "Carol" in lines[0]
        and 'agent triage: v2 -> v1  (rollback)  Revert "Ship the routing rule"' in lines[0]
    )
    assert "Bob" in lines[1] and "agent triage: v1 -> v2  Ship the routing rule" in lines[1]


def test_outside_git_the_error_says_so(tmp_path: Path) -> None:
    copy_example(tmp_path)
    result = CliRunner().invoke(main, ["--dir", str(tmp_path), "pins", "log"])
    assert result.exit_code == 1 and "is not in a git repository" in result.output
