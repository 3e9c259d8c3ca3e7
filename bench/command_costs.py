"""What every command pays before and beside its round trips, as whole processes.

- `agentform validate` of --agents agents and --environments environments (no server);
- `pins.load` of a pins file of as many pins (in this process: every command and every
  service start pays it);
- `agentform pins check --offline` of --check-agents pins (it never imports the SDK);
- `agentform plan` on a manifest with a typo: it must exit before `anthropic` is
  imported (read from `-X importtime`), and how long that takes;
- `--local`: `agentform --local plan` against the same plan of a small estate served by a
  running emulator (same database), run alternately; the difference is what the embedded
  emulator costs.

Each figure is the median of --repeats runs.

    .venv/bin/python bench/command_costs.py [--agents 5000] [--environments 500]
                                            [--check-agents 1000] [--repeats 5]
                                            [--target NAME=VALUE]...

Exits 1 when a target in TARGETS is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from procs import AGENTFORM, cli, emulator, write_estate
from targets import Targets, add_target_option

from agentform import pins

TARGETS = {
    "validate_seconds": 1.0,
    "pins_load_seconds": 0.05,
    "pins_check_offline_seconds": 0.5,
    "local_overhead_seconds": 0.15,
    "typo_sdk_imports": 0,  # plan on a typo imports the SDK this many times
}
LOCAL_ESTATE = (20, 2)  # agents, environments: small, so the emulator's cost shows


def main() -> int:
    args = _arguments()
    targets = Targets.parse(args.target, TARGETS)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        big = write_estate(root / "big", args.agents, args.environments)
        figures["validate_seconds"] = _median(args.repeats, lambda: _run(big, "validate"))
        figures["pins_load_seconds"] = _pins_load(root / "pins.yaml", args)
        figures["pins_check_offline_seconds"] = _pins_check(root / "check", args)
        figures["typo_seconds"], figures["typo_sdk_imports"] = _typo(root / "typo")
        local, running = _local_vs_running(root / "local", args.repeats)
        figures["local_plan_seconds"], figures["running_plan_seconds"] = local, running
        figures["local_overhead_seconds"] = local - running

    n = f"{args.agents:,} agents + {args.environments:,} environments"
    print(f"\nwhole processes, medians of {args.repeats}:")
    print(f"  agentform validate, {n}: {figures['validate_seconds']:.2f} s")
    print(f"  pins.load, {args.agents + args.environments:,} pins (in-process): "
          f"{figures['pins_load_seconds'] * 1000:.0f} ms")  # fmt: skip
    print(f"  agentform pins check --offline, {args.check_agents:,} pins: "
          f"{figures['pins_check_offline_seconds']:.2f} s")  # fmt: skip
    print(f"  agentform plan on a typo: {figures['typo_seconds']:.2f} s")
    print(f"  agentform --local plan, {LOCAL_ESTATE[0]} agents: {local:.2f} s; against a "
          f"running emulator: {running:.2f} s")  # fmt: skip
    print("targets:")
    targets.at_most("validate_seconds", figures["validate_seconds"], f"validate, {n} (s)")
    targets.at_most("pins_load_seconds", figures["pins_load_seconds"], "pins.load (s)")
    targets.at_most(
        "pins_check_offline_seconds",
        figures["pins_check_offline_seconds"],
        "pins check --offline (s)",
    )
    targets.exact(
        "typo_sdk_imports", figures["typo_sdk_imports"], 0, "plan on a typo imports the SDK"
    )
    targets.at_most(
        "local_overhead_seconds", figures["local_overhead_seconds"], "--local over a running one"
    )
    return targets.finish(figures)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--environments", type=int, default=500)
    parser.add_argument("--check-agents", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    add_target_option(parser)
    return parser.parse_args()


def _median(repeats: int, run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(repeats))


def _run(estate: Path, *args: str, env: dict[str, str] | None = None, ok: int = 0) -> float:
    """Wall seconds of the console script in `estate`; fails loudly on another exit code."""
    started = time.perf_counter()
    done = subprocess.run(
        [AGENTFORM, *args], cwd=estate, env=env or _offline(), capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != ok:
        raise SystemExit(f"agentform {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return wall


def _offline() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}


def _pins_load(path: Path, args: argparse.Namespace) -> float:
    agents = {f"agent-{i:05d}": _pin("agent", i, 3) for i in range(args.agents)}
    environments = {f"env-{i:04d}": _pin("env", i, None) for i in range(args.environments)}
    path.write_text(pins.dumps(pins.Pins(agents=agents, environments=environments)))

    def load() -> float:
        started = time.perf_counter()
        loaded = pins.load(path)
        wall = time.perf_counter() - started
        assert len(loaded.agents) == args.agents
        return wall

    return _median(args.repeats, load)


def _pin(prefix: str, i: int, version: int | None) -> pins.Pin:
    digest = f"sha256:{i:064x}" if version else None
    return pins.Pin(id=f"{prefix}_011CZ{i:020d}", version=version, digest=digest)


def _pins_check(root: Path, args: argparse.Namespace) -> float:
    """An estate of --check-agents agents applied to an emulator, then checked offline."""
    estate = write_estate(root, args.check_agents, 1)
    with emulator(root, latency_ms=0) as server:
        cli(server.url, estate, "apply", "--auto-approve", "--parallelism", "16")
    return _median(args.repeats, lambda: _run(estate, "pins", "check", "--offline"))


def _typo(root: Path) -> tuple[float, int]:
    estate = write_estate(root, 3, 1)
    (estate / "agents" / "agent-00001.yaml").write_text("name: typo\nmodle: claude-haiku-4-5\n")
    env = {**_offline(), "ANTHROPIC_API_KEY": "bench", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "agentform", "plan"],
        cwd=estate,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started  # -X importtime's own cost included
    if done.returncode != 1 or "modle" not in done.stderr:
        raise SystemExit(f"plan on a typo did not fail on the typo:\n{done.stderr}")
    modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    sdk = modules.count("anthropic")  # at any depth of the import tree
    return wall, sdk


def _local_vs_running(root: Path, repeats: int) -> tuple[float, float]:
    """`--local plan` and the same plan against a running emulator on the same database,
    alternately (so a slower spell of the machine hits both)."""
    estate = write_estate(root, *LOCAL_ESTATE)
    state = estate / ".agentform"
    state.mkdir()
    with emulator(state, latency_ms=0) as server:
        cli(server.url, estate, "apply", "--auto-approve")
        remote = {**_offline(), "ANTHROPIC_API_KEY": "bench", "ANTHROPIC_BASE_URL": server.url}
        _run(estate, "--local", "plan", "--detailed-exitcode")  # warm the file cache
        local, running = [], []
        for _ in range(repeats):
            local.append(_run(estate, "--local", "plan", "--detailed-exitcode"))
            running.append(_run(estate, "plan", "--detailed-exitcode", env=remote))
    shutil.rmtree(state, ignore_errors=True)
    return statistics.median(local), statistics.median(running)


if __name__ == "__main__":
    sys.exit(main())
