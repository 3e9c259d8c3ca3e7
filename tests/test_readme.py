"""The README's commands and examples are true: this runs them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from agentform.manifests.schemas import load_schema
from tests.estate import copy_example
from tests.tools import uv

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


@pytest.mark.slow
@pytest.mark.parametrize("commands", console_blocks(), ids=lambda c: c[0][0])
def test_console_blocks_run_as_documented(tmp_path: Path, commands: list[tuple[str, int]]) -> None:
    """A block is a sequence: run its commands in order, in one copy of the example estate
    (or, for a block that starts with `agentform init`, in an empty directory)."""
    estate = tmp_path if commands[0][0].startswith("agentform init") else copy_example(tmp_path)
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


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this checkout's files (what git would clone), without .venv or state."""
    root = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, listed):
        source, target = REPO / name, root / name
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    return root


@pytest.mark.slow
def test_make_demo_runs_and_its_closing_hint_works(checkout: Path) -> None:
    """In a copy, on the already-built environment (no network): VENV points at it, UV is a no-op."""
    venv = Path(sys.prefix)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "--no-print-directory", "demo", f"VENV={venv}", "UV=/bin/true"],
        cwd=checkout, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--- pins.yaml" in done.stdout and "  triage:" in done.stdout
    hint = done.stdout.strip().splitlines()[-1].strip()
    assert hint.startswith("cd .agentform/demo && ") and hint.endswith(" --local plan")
    prompt = checkout / ".agentform" / "demo" / "agents" / "triage.prompt.md"
    prompt.write_text(prompt.read_text(encoding="utf-8") + "Be brief.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if str(venv) not in p)
    shown = subprocess.run(hint, shell=True, cwd=checkout, env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "+Be brief." in shown.stdout
    assert not (REPO / ".agentform" / "demo" / "pins.yaml").is_symlink()  # nothing of ours moved


def _install_block() -> list[str]:
    section = README.split("## Install", 1)[1].split("\n## ", 1)[0]
    match = BLOCK.search(section)
    assert match and match.group(1) == "sh"
    return [line.split("  #")[0].strip() for line in match.group(2).splitlines() if line.strip()]


@pytest.mark.slow
def test_install_instructions_put_a_working_agentform_on_path(
    checkout: Path, tmp_path: Path
) -> None:
    """The README's install commands, run in a checkout, into a tool directory of the test's.

    uv asks the package registry for its index pages (the wheels come from its cache);
    the exact versions are uv.lock's, passed as constraints.
    """
    bin_dir = tmp_path / "bin"
    venv = Path(sys.prefix)
    locked = tmp_path / "locked.txt"
    subprocess.run(
        [uv(), "export", "--locked", "--no-emit-project", "--no-hashes", "-q", "-o", str(locked)],
        cwd=REPO, check=True,
    )  # fmt: skip
    path = [p for p in os.environ["PATH"].split(os.pathsep) if str(venv) not in p]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))},
        "PATH": os.pathsep.join([str(bin_dir), str(Path(uv()).parent), *path]),
        "UV_TOOL_DIR": str(tmp_path / "tools"),
        "UV_TOOL_BIN_DIR": str(bin_dir),
        "UV_CONSTRAINT": str(locked),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": f"{sys.version_info.major}.{sys.version_info.minor}",  # cached wheels
    }
    for command in _install_block():
        done = subprocess.run(
            command, shell=True, cwd=checkout, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"$ {command}\n{done.stdout}{done.stderr}"
    found = subprocess.run(
        ["sh", "-c", "command -v agentform"], env=env, capture_output=True, text=True
    )
    assert found.stdout.strip() == str(bin_dir / "agentform")
    version = subprocess.run(["agentform", "--version"], env=env, capture_output=True, text=True)
    assert version.returncode == 0 and "agentform, version" in version.stdout
