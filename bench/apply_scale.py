"""How apply's cost grows: linearly in the resources it writes, bound by round trips.

For each size (default 1,000 and 5,000 agents, plus 10% as many environments) the
emulator starts fresh in its own process with --latency-ms 50, and the installed
console script runs `apply` twice: creating everything, then after an edit of 10% of
the agents' prompts (new versions). Its CPU (user + system, from the child's rusage)
and wall time are measured; round trips are the emulator's own request counters; the
floor is round trips x latency / --parallelism (what perfect overlap would take). After
each apply, `plan` must be empty and pins.yaml must hold every resource.

Also measured in this process, on a pins file of 5,000 agents and 500 environments:
`pins.load` (what every command and every service start pays), and 5,000 successive
single-pin writes through the one writer (what `pin` in a loop, or a slow apply, pays).

    .venv/bin/python bench/apply_scale.py [--sizes 1000 5000] [--latency-ms 50]
                                          [--parallelism 8] [--target NAME=VALUE]...

Targets: CPU growth from the smallest size to the largest at most x1.1 the growth in
resources (x5.5 for 1k -> 5k); at most 2 ms CPU per resource at the margin (the extra
CPU over the extra resources, so start-up is not counted); wall time within 1.2 x
the floor at the largest size; pins.load within 50 ms. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from procs import Run, cli, emulator, write_estate
from targets import Targets, add_target_option

from agentform import pins
from agentform.emulator import admin
from agentform.pins.model import Pin, Pins
from agentform.pins.store import PinChange, PinStore

TARGETS = {
    "cpu_growth_per_resource_growth": 1.1,
    "marginal_cpu_ms_per_resource": 2.0,
    "wall_over_floor": 1.2,
    "pins_load_ms": 50.0,
}


def main() -> int:
    args = _arguments()
    targets = Targets.parse(args.target, TARGETS)
    rows = [_size(n, args) for n in args.sizes]
    pin_figures = _pins_file()
    small, large = rows[0], rows[-1]
    _print(rows, pin_figures, args)
    growth = large["create"]["cpu"] / small["create"]["cpu"]
    resources = large["resources"] / small["resources"]
    marginal = (large["create"]["cpu"] - small["create"]["cpu"]) / (
        large["resources"] - small["resources"]
    )
    targets.at_most(
        "cpu_growth_per_resource_growth",
        growth / resources,
        f"create CPU growth x{growth:.2f} over resource growth x{resources:.1f}",
    )
    targets.at_most(
        "marginal_cpu_ms_per_resource", marginal * 1000, "CPU ms per extra resource (create)"
    )
    targets.at_most(
        "wall_over_floor", large["create"]["wall"] / large["create"]["floor"], "wall / floor"
    )
    targets.at_most("pins_load_ms", pin_figures["load_ms"], "pins.load of 5,500 pins, ms")
    return targets.finish({"sizes": rows, "pins": pin_figures})


def _size(agents: int, args: argparse.Namespace) -> dict[str, Any]:
    environments = max(1, agents // 10)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with emulator(root, latency_ms=args.latency_ms) as server:
            estate = write_estate(root / "estate", agents, environments)
            apply = ("apply", "--auto-approve", "--parallelism", str(args.parallelism))
            create = _measured(server.url, server.cpu, estate, apply, args)
            _converged(server.url, estate, agents + environments)
            edited = _edit(estate, agents // 10)
            update = _measured(server.url, server.cpu, estate, apply, args)
            _converged(server.url, estate, agents + environments)
    return {
        "agents": agents,
        "environments": environments,
        "resources": agents + environments,
        "edited": edited,
        "create": create,
        "update": update,
    }


def _measured(
    url: str, server_cpu: Any, estate: Path, argv: tuple[str, ...], args: argparse.Namespace
) -> dict[str, Any]:
    admin.reset(url)
    server_before = server_cpu()
    run: Run = cli(url, estate, *argv)
    counters = admin.counters(url)
    writes = sum(n for call, n in counters.items() if not call.startswith("GET "))
    reads = sum(counters.values()) - writes
    # reads are list pages (sequential per kind) and the odd retrieve; writes overlap
    floor = (reads + writes / args.parallelism) * args.latency_ms / 1000
    return {
        "cpu": round(run.cpu, 3),
        "wall": round(run.wall, 2),
        "round_trips": reads + writes,
        "writes": writes,
        "floor": round(floor, 2),
        "emulator_cpu": round(server_cpu() - server_before, 2),
    }


def _converged(url: str, estate: Path, resources: int) -> None:
    """plan is empty, and pins.yaml holds every resource: the apply did all it said."""
    cli(url, estate, "plan", "--detailed-exitcode")  # exit 2 (changes) fails the run
    held = len(pins.load(estate / "pins.yaml"))
    if held != resources:
        raise SystemExit(f"pins.yaml holds {held} pins, expected {resources}")


def _edit(estate: Path, count: int) -> int:
    for i in range(count):
        path = estate / "agents" / f"agent-{i * 10:05d}.yaml"
        path.write_text(path.read_text().replace("You are", "You are now"), encoding="utf-8")
    return count


def _pins_file() -> dict[str, float]:
    digest = "sha256:" + hashlib.sha256(b"bench").hexdigest()
    many = Pins(
        {
            "agents": {
                f"agent-{i:05d}": Pin(f"agent_011B{i:020d}", 1, digest) for i in range(5000)
            },
            "environments": {f"env-{i:04d}": Pin(f"env_011B{i:020d}") for i in range(500)},
        }
    )
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "pins.yaml"
        store = PinStore(path)
        store.replace(many)
        load = min(_timed(lambda: pins.load(path)) for _ in range(5))
        started = time.process_time()
        for i in range(5000):
            pin = Pin(f"agent_011B{i:020d}", 2, digest)
            store.change([PinChange("agents", f"agent-{i:05d}", pin)])
        writes = time.process_time() - started
        assert pins.load(path).agents["agent-04999"].version == 2
    return {"load_ms": round(load * 1000, 1), "writes_5000_cpu_s": round(writes, 2)}


def _timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _print(rows: list[dict[str, Any]], pin_figures: dict[str, float], args: Any) -> None:
    print(
        f"apply_scale: emulator in its own process, {args.latency_ms} ms per request, "
        f"--parallelism {args.parallelism}\n"
    )
    print("| apply | resources | round trips | CPU | CPU / resource | wall | floor | wall/floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        for phase, count in (("create", row["resources"]), ("update", row["edited"])):
            m = row[phase]
            print(
                f"| {phase} {row['agents']:,} agents + {row['environments']:,} envs "
                f"| {count:,} | {m['round_trips']:,} | {m['cpu']:.2f} s "
                f"| {m['cpu'] * 1000 / count:.2f} ms | {m['wall']:.1f} s | {m['floor']:.1f} s "
                f"| {m['wall'] / m['floor']:.2f} |"
            )
    print(
        f"\npins.yaml of 5,000 + 500 pins: load {pin_figures['load_ms']} ms; "
        f"5,000 successive single-pin writes {pin_figures['writes_5000_cpu_s']} s CPU\n"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=8)
    add_target_option(parser)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
