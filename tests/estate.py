"""Helpers to lay out small estates on disk for tests."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIRS = ("agents", "environments", "evals")
MULTIAGENT = REPO / "examples" / "multiagent"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def copy_example(root: Path) -> Path:
    """The repository's example estate (manifests, prompt, evals, pins.yaml) under `root`."""
    for name in EXAMPLE_DIRS:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "pins.yaml", root / "pins.yaml")
    return root


def multiagent(tmp_path: Path) -> Path:
    """A copy of the multi-agent example estate (a coordinator, two sub-agents, a skill)."""
    return Path(shutil.copytree(MULTIAGENT, tmp_path / "estate"))


def edit_prompt(estate: Path, line: str) -> None:
    with (estate / "agents" / "triage.prompt.md").open("a", encoding="utf-8") as prompt:
        prompt.write(line)


MINIMAL_AGENT = """
    name: helper
    model: claude-sonnet-4-6
    system: You help.
"""
MINIMAL_ENVIRONMENT = """
    name: helper-env
    config: {type: cloud}
"""
