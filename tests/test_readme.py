"""The README's commands and examples are true: this runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from agentform.schemas import load_schema
from tests.estate import copy_example

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README) if lang == language]


def console_blocks() -> list[list[tuple[str, int]]]:
    """Each console block's `$ command  # exit N` lines, in order (exit 0 unless noted)."""
    found = []
    for body in blocks("console"):
        commands = []
        for line in body.splitlines():
            if line.startswith("$ "):
                command, _, note = line[2:].partition("  # exit ")
                commands.append((command.strip(), int(note) if note else 0))
        found.append(commands)
    return found


def test_quick_start_is_exactly_make_demo_and_make_test() -> None:
    quick_start = README.split("## Quick start", 1)[1]
    assert BLOCK.search(quick_start).group(2) == "make demo\nmake test\n"  # type: ignore[union-attr]


@pytest.mark.parametrize("commands", console_blocks(), ids=lambda c: c[0][0])
def test_console_blocks_run_as_documented(tmp_path: Path, commands: list[tuple[str, int]]) -> None:
    """A block is a sequence: run its commands in order, in one copy of the example estate."""
    estate = copy_example(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env = {k: v for k, v in env.items() if not k.startswith("ANTHROPIC_")}
    for command, exit_code in commands:
        result = subprocess.run(
            command, shell=True, cwd=estate, env=env, capture_output=True, text=True
        )
        assert result.returncode == exit_code, f"$ {command}\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("body", [b for b in blocks("yaml") if "$schema=" in b.splitlines()[0]])
def test_manifest_examples_satisfy_their_schema(body: str) -> None:
    kind = re.search(r"schemas/(\w+)\.schema\.json", body.splitlines()[0]).group(1)  # type: ignore[union-attr]
    Draft202012Validator(load_schema(kind)).validate(yaml.safe_load(body))


def test_make_demo_runs() -> None:
    result = subprocess.run(["make", "demo"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--- pins.yaml" in result.stdout
