"""--local: the embedded emulator, state in <dir>/.agentform/, no API key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.estate import copy_example

pytestmark = pytest.mark.slow  # each command is a process with its own emulator


def run(estate: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    script = Path(sys.executable).with_name("agentform")
    return subprocess.run(
        [str(script), "--local", *args], cwd=estate, env=env, capture_output=True, text=True
    )


def test_local_runs_the_whole_job_offline_and_keeps_state_between_commands(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    first = run(estate, "plan", "--detailed-exitcode")
    assert first.returncode == 2, first.stderr
    assert (estate / ".agentform" / "emulator.db").exists()
    applied = run(estate, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    again = run(estate, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout
