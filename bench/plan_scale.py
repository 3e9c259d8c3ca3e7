"""How plan's cost grows: with list pages (round trips), not with the number of resources.

Starts the emulator in its own process with --latency-ms 50 (a realistic round trip),
writes an estate of 1,000 agents and 100 environments, creates them all with
`agentform apply`, then measures `agentform plan` against the per-resource strategy
other tools use, one retrieve per agent, sequential and 10 wide, side by side:

- as whole processes (each pays its imports): the installed console script, and a
  Python process that imports the SDK and retrieves every agent 10 wide;
- in one process (imports paid once): plan's core (load the project, read the server,
  diff), against the same retrieval, and against the round-trip floor: the list pages
  x latency.

Each figure is the median of --repeats runs. Round trips are the emulator's own request
counters.

    .venv/bin/python bench/plan_scale.py [--agents 1000] [--environments 100]
                                         [--latency-ms 50] [--repeats 3] [--target NAME=VALUE]...

Exits 1 when a target in TARGETS is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anthropic
from procs import cli, emulator, write_estate
from targets import Targets, add_target_option

from agentform.emulator import admin
from agentform.kinds import KINDS
from agentform.manifests.project import load_project
from agentform.remote.client import Remote
from agentform.workflow import make_plan

TARGETS = {
    "cli_speedup_vs_wide_process": 3.0,  # the console script vs a 10-wide retrieval process
    "core_speedup_vs_wide": 4.0,  # in-process plan vs 10-wide retrieval
    "core_over_floor": 1.5,  # in-process plan / (list pages x latency)
    "cli_speedup_vs_sequential": 10.0,  # the console script vs one retrieve per agent in turn
}
WIDE_PROCESS = (
    "import sys\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "import anthropic\n"
    "client = anthropic.Anthropic(base_url=sys.argv[1], api_key='bench', max_retries=0)\n"
    "ids = [a.id for a in client.beta.agents.list(limit=100)]\n"
    "with ThreadPoolExecutor(max_workers=10) as pool:\n"
    "    list(pool.map(client.beta.agents.retrieve, ids))\n"
)
Row = tuple[str, int, float]  # label, round trips, median wall seconds


def main() -> int:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with emulator(root, latency_ms=args.latency_ms) as server:
            url = server.url
            estate = write_estate(root / "estate", args.agents, args.environments)
            client = anthropic.Anthropic(base_url=url, api_key="bench", max_retries=0)
            apply = _measure(url, "agentform apply (create all)", 1, lambda: _apply(url, estate))
            ids = [a.id for a in client.beta.agents.list(limit=100)]
            n = args.repeats

            def core() -> None:
                make_plan(load_project(estate, estate / "pins.yaml"), Remote(client))

            rows = [
                apply,
                _measure(url, "agentform plan (console script)", n, lambda: _plan(url, estate)),
                _measure(url, "10-wide retrieval (a whole process)", n, lambda: _wide(url)),
                _measure(url, "plan core (in-process: load, read, diff)", n, core),
                _measure(url, "10-wide retrieval (in-process)", n, lambda: _wide_in(client, ids)),
                _measure(
                    url,
                    "one retrieve per agent, sequential",
                    1,
                    lambda: [client.beta.agents.retrieve(i) for i in ids],
                ),
            ]
    return _report(args, rows, _pages(args))


def _pages(args: argparse.Namespace) -> int:
    """List pages plan reads: one per 100 agents and environments, and one (empty) page
    of every other kind whose objects carry markers (skills only when the estate has some)."""
    others = sum(1 for k in KINDS if k.marked) - 2
    return -(-args.agents // 100) + -(-args.environments // 100) + others


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--environments", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    add_target_option(parser)
    return parser.parse_args()


def _apply(url: str, estate: Path) -> None:
    cli(url, estate, "apply", "--auto-approve", "--parallelism", "16")


def _plan(url: str, estate: Path) -> None:
    cli(url, estate, "plan", "--detailed-exitcode")  # exit 2 (changes) fails the bench


def _wide(url: str) -> None:
    subprocess.run([sys.executable, "-c", WIDE_PROCESS, url], check=True)


def _wide_in(client: anthropic.Anthropic, ids: list[str]) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(client.beta.agents.retrieve, ids))


def _measure(url: str, label: str, repeats: int, work: Callable[[], object]) -> Row:
    times, trips = [], 0
    for _ in range(repeats):
        admin.reset(url)
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
        trips = sum(admin.counters(url).values())
    return label, trips, statistics.median(times)


def _report(args: argparse.Namespace, rows: list[Row], pages: int) -> int:
    scale = f"{args.agents} agents, {args.environments} environments"
    print(
        f"plan_scale: {scale}, emulator in its own process, {args.latency_ms} ms per request, "
        f"median of {args.repeats}\n"
    )
    print(f"{'':<46} {'round trips':>11} {'wall time':>10}")
    for label, trips, seconds in rows:
        print(f"{label:<46} {trips:>11,} {seconds:>9.2f}s")
    floor = pages * args.latency_ms / 1000
    print(f"\nlist pages needed (100 per page): {pages}; floor {floor:.2f} s\n")
    _, plan_cli, wide_process, core, wide, sequential = rows
    targets = Targets.parse(args.target, TARGETS)
    targets.exact("plan_round_trips", plan_cli[1], pages, "console-script plan round trips")
    targets.exact("core_round_trips", core[1], pages, "in-process plan round trips")
    targets.at_least(
        "cli_speedup_vs_wide_process",
        wide_process[2] / plan_cli[2],
        "plan (console) vs 10-wide retrieval process",
    )
    targets.at_least("core_speedup_vs_wide", wide[2] / core[2], "plan core vs 10-wide retrieval")
    targets.at_most("core_over_floor", core[2] / floor, "plan core / round-trip floor")
    targets.at_least(
        "cli_speedup_vs_sequential", sequential[2] / plan_cli[2], "plan (console) vs sequential"
    )
    figures = {label: {"round_trips": trips, "seconds": round(s, 3)} for label, trips, s in rows}
    return targets.finish({"pages": pages, "floor_seconds": floor, "rows": figures})


if __name__ == "__main__":
    sys.exit(main())
