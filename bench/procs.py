"""The emulator in its own process, as the benchmarks run it: its CPU is not the client's.

    with emulator(scratch, latency_ms=50) as server:
        ... server.url ... server.cpu() ...   # CPU seconds the emulator has used so far

and `cli(url, estate, *args)`: the installed console script, as CI runs it, with the CPU
seconds and wall time it took; `write_estate`: the estate of N agents they run on.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agentform.emulator import admin

AGENTFORM = str(Path(sys.executable).with_name("agentform"))


@dataclass(frozen=True)
class Emulator:
    url: str
    pid: int

    def cpu(self) -> float:
        """CPU seconds the emulator's process has used (Linux /proc; 0 elsewhere)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def emulator(scratch: Path, *, latency_ms: int, extra: tuple[str, ...] = ()) -> Iterator[Emulator]:
    port = _free_port()
    command = [
        AGENTFORM, "emulator", "--port", str(port), "--db", str(scratch / "emulator.db"),
        "--latency-ms", str(latency_ms), *extra,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        yield Emulator(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Run:
    cpu: float  # seconds of CPU, user + system
    wall: float


def cli(url: str, estate: Path, *args: str) -> Run:
    """`agentform --dir ESTATE ARGS...` against `url`; fails loudly if it fails."""
    env = {**os.environ, "ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "bench"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [AGENTFORM, "--dir", str(estate), *args], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"agentform {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(cpu, wall)


def write_estate(root: Path, agents: int, environments: int) -> Path:
    """`agents/agent-NNNNN.yaml` and `environments/env-NNNN.yaml`, one prompt each."""
    (root / "agents").mkdir(parents=True)
    (root / "environments").mkdir()
    for i in range(agents):
        (root / "agents" / f"agent-{i:05d}.yaml").write_text(
            f"name: bench-agent-{i:05d}\nmodel: claude-haiku-4-5\n"
            f"system: You are bench agent {i}.\nmetadata: {{team: bench}}\n",
            encoding="utf-8",
        )
    for i in range(environments):
        (root / "environments" / f"env-{i:04d}.yaml").write_text(
            f"name: bench-env-{i:04d}\nconfig: {{type: cloud, packages: {{pip: [pandas]}}}}\n",
            encoding="utf-8",
        )
    return root


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            admin.counters(url)
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    raise SystemExit(f"the emulator did not start at {url}")
