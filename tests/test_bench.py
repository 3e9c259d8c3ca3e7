"""The benchmarks run (at a tiny scale): they are quoted in the README, so they must not rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        (
            "plan_scale.py",
            ["--agents", "30", "--environments", "3", "--latency-ms", "0"],
            "[ok] plan round trips == list pages",
        ),
        ("emulator.py", ["--agents", "30", "--seconds", "0.2", "--threads", "2"], "retrieve"),
        ("eval_concurrency.py", ["--latency-ms", "0", "--concurrency", "4"], "4"),
    ],
)
def test_benchmark_runs(script: str, args: list[str], expect: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert expect in done.stdout
