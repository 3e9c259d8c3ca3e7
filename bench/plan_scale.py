"""How plan's cost grows: with list pages (round trips), not with the number of resources.

Starts the emulator with --latency-ms 50 (a realistic round trip), writes an estate of
1,000 agents and 100 environments, creates them all with `agentform apply`, then
measures `agentform plan` (the installed console script, as CI runs it, and the same
work in-process) against the per-resource strategy other tools use: one retrieve per
agent, sequential and 10 wide. Round trips are the emulator's own request counters.

    .venv/bin/python bench/plan_scale.py [--agents 1000] [--environments 100] [--latency-ms 50]
                                         [--target NAME=VALUE]...

Exits 1 when a target in TARGETS is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anthropic
from targets import Targets, add_target_option

from agentform.emulator import admin, serve
from agentform.kinds import KINDS
from agentform.manifests.project import load_project
from agentform.remote.client import Remote
from agentform.workflow import make_plan

AGENTFORM = str(Path(sys.executable).with_name("agentform"))
TARGETS = {
    "cli_speedup_vs_sequential": 10.0,  # the console script vs one retrieve per agent
    "core_speedup_vs_sequential": 20.0,  # in-process plan vs one retrieve per agent
    "core_speedup_vs_wide": 3.0,  # in-process plan vs 10-wide retrieval
}


def main() -> int:
    args = _arguments()
    with tempfile.TemporaryDirectory() as scratch, serve(latency_ms=args.latency_ms) as url:
        estate = _write_estate(Path(scratch), args.agents, args.environments)
        client = anthropic.Anthropic(base_url=url, api_key="bench", max_retries=0)
        rows = []
        rows.append(
            _measure(
                url,
                "agentform apply (create all, --parallelism 4)",
                lambda: _cli(url, estate, "apply", "--auto-approve"),
            )
        )
        # one page per 100 agents and environments, one (empty) page of every other kind
        # whose objects carry markers (skills are listed only when the estate has some)
        others = sum(1 for k in KINDS if k.marked) - 2
        pages = -(-args.agents // 100) + -(-args.environments // 100) + others
        plan_cli = _measure(
            url, "agentform plan (console script)", lambda: _cli(url, estate, "plan")
        )
        plan_core = _measure(
            url,
            "agentform plan (in-process: read + diff)",
            lambda: make_plan(load_project(estate, estate / "pins.yaml"), Remote(client)),
        )
        rows += [plan_cli, plan_core]
        ids = [a.id for a in client.beta.agents.list(limit=100)]
        sequential = _measure(
            url,
            "one retrieve per agent, sequential",
            lambda: [client.beta.agents.retrieve(i) for i in ids],
        )
        wide = _measure(url, "one retrieve per agent, 10 wide", lambda: _wide(client, ids, 10))
        rows += [sequential, wide]
    return _report(args, rows, pages, plan_cli, plan_core, sequential, wide)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--environments", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    add_target_option(parser)
    return parser.parse_args()


def _write_estate(root: Path, agents: int, environments: int) -> Path:
    (root / "agents").mkdir()
    (root / "environments").mkdir()
    for i in range(agents):
        (root / "agents" / f"agent-{i:04d}.yaml").write_text(
            f"name: bench-agent-{i:04d}\nmodel: claude-haiku-4-5\n"
            f"system: You are bench agent {i}.\nmetadata: {{team: bench}}\n",
            encoding="utf-8",
        )
    for i in range(environments):
        (root / "environments" / f"env-{i:03d}.yaml").write_text(
            f"name: bench-env-{i:03d}\nconfig: {{type: cloud, packages: {{pip: [pandas]}}}}\n",
            encoding="utf-8",
        )
    return root


def _cli(url: str, estate: Path, *args: str) -> None:
    env = {**os.environ, "ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "bench"}
    subprocess.run(
        [AGENTFORM, "--dir", str(estate), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )


def _wide(client: anthropic.Anthropic, ids: list[str], width: int) -> None:
    with ThreadPoolExecutor(max_workers=width) as pool:
        list(pool.map(client.beta.agents.retrieve, ids))


def _measure(url: str, label: str, work: Callable[[], object]) -> tuple[str, int, float]:
    admin.reset(url)
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    return label, sum(admin.counters(url).values()), elapsed


def _report(
    args: argparse.Namespace,
    rows: list[tuple[str, int, float]],
    pages: int,
    plan_cli: tuple[str, int, float],
    plan_core: tuple[str, int, float],
    sequential: tuple[str, int, float],
    wide: tuple[str, int, float],
) -> int:
    scale = f"{args.agents} agents, {args.environments} environments"
    print(f"plan_scale: {scale}, emulator latency {args.latency_ms} ms\n")
    print(f"{'':<46} {'round trips':>11} {'wall time':>10}")
    for label, trips, seconds in rows:
        print(f"{label:<46} {trips:>11,} {seconds:>9.2f}s")
    print(f"\nlist pages needed (100 per page): {pages}")
    targets = Targets.parse(args.target, TARGETS)
    targets.exact("plan_round_trips", plan_cli[1], pages, "console-script plan round trips")
    targets.exact("core_round_trips", plan_core[1], pages, "in-process plan round trips")
    cli_speedup, core_speedup = sequential[2] / plan_cli[2], wide[2] / plan_core[2]
    targets.at_least("cli_speedup_vs_sequential", cli_speedup, "plan (console) vs sequential")
    targets.at_least(
        "core_speedup_vs_sequential",
        sequential[2] / plan_core[2],
        "plan (in-process) vs sequential",
    )
    targets.at_least("core_speedup_vs_wide", core_speedup, "plan (in-process) vs 10 wide")
    figures = {label: {"round_trips": trips, "seconds": round(s, 3)} for label, trips, s in rows}
    return targets.finish({"pages": pages, "rows": figures})


if __name__ == "__main__":
    sys.exit(main())
