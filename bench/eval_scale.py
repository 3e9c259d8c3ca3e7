"""`agentform eval` at scale: bound by round trips x latency / concurrency, not client CPU.

Starts the emulator in its own process (`agentform emulator --latency-ms 50 --turn-ms 0`,
so that its CPU is not the client's), applies two versions of an agent, writes a suite of
CASES cases and times `evaluate` of both versions (CASES x 2 sessions) in-process, with
`--concurrency`, the cache off. Round trips are the emulator's own request counters; the
floor is what perfect overlap would take: round trips x latency / concurrency.

    .venv/bin/python bench/eval_scale.py [--cases 500] [--latency-ms 50] [--concurrency 64]
                                         [--memory-cases 100 500] [--target NAME=VALUE]...

Targets: wall time within 1.5x of the floor (`floor_ratio`); memory flat in the number of
cases (`bytes_per_session`: the growth of the run's peak traced memory, from the smaller
suite to the larger, per extra session). Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import anthropic
from procs import Emulator, emulator
from targets import Targets, add_target_option

from agentform.apply.run import ApplyOptions
from agentform.emulator import admin
from agentform.evals.workflow import EvalOptions, evaluate
from agentform.manifests.project import Project, load_project
from agentform.remote.client import Remote
from agentform.workflow import make_plan, run_apply

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"floor_ratio": 1.5, "bytes_per_session": 20_000}
RULES = """
rules:
  - when: {agent_name: scale, system_contains: "v2", message: "odd"}
    reply: '{"team": "auth"}'
  - when: {agent_name: scale}
    reply: '{"team": "billing"}'
"""
AGENT = "name: scale\nmodel: claude-sonnet-4-6\nsystem: You route tickets. {version}\n"
SUITE_HEAD = """agent: scale
environment: default
prompt: "Ticket {{n}}: {{text}}"
scoring: {{method: json, fields: [team]}}
timeout_seconds: 60
cases:
"""


def main() -> int:
    args = _arguments()
    targets = Targets.parse(args.target, TARGETS)
    with tempfile.TemporaryDirectory() as scratch:
        rules = Path(scratch) / "rules.yaml"
        rules.write_text(RULES)
        extra = ("--turn-ms", "0", "--responder", str(rules))
        with emulator(Path(scratch), latency_ms=args.latency_ms, extra=extra) as server:
            estate = _estate(Path(scratch), server.url)
            timing = _time(estate, server, args.cases, args.concurrency, args.latency_ms)
            memory = _memory(estate, server.url, args.memory_cases, args.concurrency)
    _print(timing, memory, args)
    targets.at_most("floor_ratio", timing["ratio"], "wall time / floor")
    targets.at_most("bytes_per_session", memory["bytes_per_session"], "peak memory per session")
    return targets.finish({"timing": timing, "memory": memory})


def _time(
    estate: Path, emulator: Emulator, cases: int, concurrency: int, latency: int
) -> dict[str, Any]:
    url = emulator.url
    _suite(estate, cases)
    project = load_project(estate, estate / "pins.yaml")  # reading the suite is not the eval
    admin.reset(url)
    cpu, server, started = time.process_time(), emulator.cpu(), time.perf_counter()
    found = _evaluate(project, url, concurrency)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    server = emulator.cpu() - server
    counters = admin.counters(url)
    trips = sum(counters.values())
    sessions = counters.get("POST /v1/sessions", 0)
    floor = trips * latency / 1000 / concurrency
    assert found.decision.outcome == "worse", found.decision.reason  # half the v2 runs fail
    return {
        "sessions": sessions,
        "round_trips": trips,
        "wall_seconds": round(wall, 2),
        "floor_seconds": round(floor, 2),
        "ratio": round(wall / floor, 2) if floor else 0.0,
        "sessions_per_second": round(sessions / wall, 1),
        "client_cpu_ms_per_session": round(cpu * 1000 / max(1, sessions), 2),
        "emulator_cpu_ms_per_session": round(server * 1000 / max(1, sessions), 2),
    }


def _memory(estate: Path, url: str, sizes: list[int], concurrency: int) -> dict[str, Any]:
    peaks = {}
    for cases in sizes:
        _suite(estate, cases)
        project = load_project(estate, estate / "pins.yaml")
        tracemalloc.start()
        _evaluate(project, url, concurrency)
        peaks[cases] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    small, large = min(sizes), max(sizes)
    grown = (peaks[large] - peaks[small]) / max(1, 2 * (large - small))
    return {
        "peak_bytes": {str(k): v for k, v in peaks.items()},
        "bytes_per_session": round(grown),
    }


def _evaluate(project: Project, url: str, concurrency: int) -> Any:
    remote = Remote(anthropic.Anthropic(base_url=url, api_key="bench", max_retries=2))
    options = EvalOptions(concurrency=concurrency, cache_path=None)
    return evaluate(project, remote, "scale", ["1", "2"], options)


def _estate(scratch: Path, url: str) -> Path:
    estate = scratch / "estate"
    (estate / "agents").mkdir(parents=True)
    (estate / "evals").mkdir()
    shutil.copytree(REPO / "environments", estate / "environments")
    shutil.copy2(REPO / "pins.yaml", estate / "pins.yaml")
    remote = Remote(anthropic.Anthropic(base_url=url, api_key="bench"))
    for version in ("v1", "v2"):
        (estate / "agents" / "scale.yaml").write_text(AGENT.format(version=version))
        _suite(estate, 1)
        planned = make_plan(load_project(estate, estate / "pins.yaml"), remote)
        run_apply(planned, remote, ApplyOptions(), lambda outcome: None)
    return estate


def _suite(estate: Path, cases: int) -> None:
    lines = [SUITE_HEAD.format()]
    for n in range(cases):
        text = "odd" if n % 2 else "even"
        lines.append(
            f"  - {{id: case-{n}, label: l{n % 4}, input: {{n: {n}, text: {text}}}, "
            "expected: {team: billing}}\n"
        )
    (estate / "evals" / "scale.yaml").write_text("".join(lines))


def _print(timing: dict[str, Any], memory: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"eval of {timing['sessions']} sessions, --concurrency {args.concurrency}, "
        f"{args.latency_ms} ms per request (emulator in its own process, {os.cpu_count()} cores)"
    )
    print("| | measured | target |")
    print("|---|---:|---:|")
    print(f"| round trips | {timing['round_trips']:,} | |")
    print(f"| floor (round trips x latency / concurrency) | {timing['floor_seconds']} s | |")
    print(f"| wall time | {timing['wall_seconds']} s | <= {args.floor_ratio_target} x floor |")
    print(f"| sessions per second | {timing['sessions_per_second']} | |")
    print(f"| client CPU per session | {timing['client_cpu_ms_per_session']} ms | |")
    print(f"| emulator CPU per session | {timing['emulator_cpu_ms_per_session']} ms | |")
    peaks = ", ".join(f"{k} cases: {v / 1e6:.1f} MB" for k, v in memory["peak_bytes"].items())
    print(f"| peak traced memory | {peaks} | |")
    print(f"| memory per extra session | {memory['bytes_per_session']:,} B | |")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--memory-cases", type=int, nargs=2, default=[100, 500])
    add_target_option(parser)
    args = parser.parse_args()
    args.floor_ratio_target = Targets.parse(args.target, TARGETS).limits["floor_ratio"]
    return args


if __name__ == "__main__":
    raise SystemExit(main())
