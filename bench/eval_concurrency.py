"""What `--concurrency` buys `agentform eval`: the 20 labelled tickets, v2 against v1.

Starts the emulator with the example estate's responder rules (and --latency-ms, to
stand in for a distant server), applies v1 and v2 of the triage agent, then times the
same comparison (40 sessions: create, stream, send, archive each) at several
concurrencies, in-process. Requests are the emulator's own counters.

    .venv/bin/python bench/eval_concurrency.py [--latency-ms 0 50] [--concurrency 1 4 8]

Target: with latency, the default concurrency (4) is at least 2.5x faster than one
session at a time (the work is round trips, so it should overlap); exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import anthropic
from targets import Targets, add_target_option

from agentform.apply.run import ApplyOptions
from agentform.emulator import admin, serve
from agentform.evals.workflow import EvalOptions, evaluate
from agentform.manifests.project import load_project
from agentform.remote.client import Remote
from agentform.workflow import make_plan, run_apply

REPO = Path(__file__).resolve().parent.parent
RULE = (
    "ROUTING RULE: If the ticket text mentions API usage, rate limits, quotas, or request "
    "volume, route to api-platform. Apply this rule before any other consideration; do not "
    "second-guess it based on the rest of the ticket.\n"
)


def main() -> int:
    args = _arguments()
    print("| latency per request | --concurrency | sessions | requests | wall time |")
    print("|---:|---:|---:|---:|---:|")
    walls: dict[int, dict[int, float]] = {}
    for latency in args.latency_ms:
        with tempfile.TemporaryDirectory() as scratch:
            walls[latency] = _bench(Path(scratch), latency, args.concurrency)
    targets = Targets.parse(args.target, {"speedup_4_vs_1": 2.5})
    slowest = max(args.latency_ms)
    if slowest and {1, 4} <= set(args.concurrency):
        speedup = walls[slowest][1] / walls[slowest][4]
        targets.at_least("speedup_4_vs_1", speedup, f"--concurrency 4 vs 1 at {slowest} ms")
    return targets.finish({str(k): v for k, v in walls.items()})


def _bench(scratch: Path, latency: int, concurrencies: list[int]) -> dict[int, float]:
    walls = {}
    estate = _estate(scratch)
    with serve(latency_ms=latency, responder=REPO / "evals" / "responder.yaml") as url:
        remote = Remote(anthropic.Anthropic(base_url=url, api_key="bench"))
        _apply(estate, remote)
        with (estate / "agents" / "triage.prompt.md").open("a", encoding="utf-8") as prompt:
            prompt.write(RULE)
        _apply(estate, remote)
        project = load_project(estate, estate / "pins.yaml")
        for concurrency in concurrencies:
            admin.reset(url)
            started = time.perf_counter()
            found = evaluate(project, remote, "triage", ["1", "2"], EvalOptions(concurrency))
            wall = time.perf_counter() - started
            sessions = len(found.candidate.results) + len(found.baseline.results)
            requests = sum(admin.counters(url).values())
            print(f"| {latency} ms | {concurrency} | {sessions} | {requests} | {wall:.2f} s |")
            walls[concurrency] = wall
    return walls


def _estate(scratch: Path) -> Path:
    for name in ("agents", "environments", "evals"):
        shutil.copytree(REPO / name, scratch / name)
    shutil.copy2(REPO / "pins.yaml", scratch / "pins.yaml")
    return scratch


def _apply(estate: Path, remote: Remote) -> None:
    planned = make_plan(load_project(estate, estate / "pins.yaml"), remote)
    run_apply(planned, remote, ApplyOptions(), lambda outcome: None)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 50])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    add_target_option(parser)
    return parser.parse_args()


if __name__ == "__main__":
    raise SystemExit(main())
