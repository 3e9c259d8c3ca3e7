"""Requests per second the emulator serves for agents.list (100 per page) and agents.retrieve.

    .venv/bin/python bench/emulator.py [--agents 1000] [--seconds 3] [--threads 8] [--in-process]

The emulator runs in its own process (as `agentform emulator` does), or with
`--in-process` in a thread of this one (as tests do, sharing the GIL with the
client), seeded with `--agents` agents. Each scenario runs for `--seconds`, once
with one client thread and once with `--threads`, through two clients:
- raw HTTP (httpx2, keep-alive): what the server itself sustains;
- the anthropic SDK with strict response validation: what an agentform command sees
  (for list pages the client's own parsing of 100 agents dominates).
Targets: >= 500 req/s for list and retrieve on a 2-core machine (raw HTTP, the
--threads run); exits 1 when one is missed. Also prints how long `serve()` takes to
accept connections in a fresh process (`--local` starts it in a child process while
the command imports the SDK, so the two overlap).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import anthropic
import httpx2
from targets import Targets, add_target_option

HEADERS = {"x-api-key": "bench", "anthropic-beta": "managed-agents-2026-04-01"}
SERVER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from agentform.emulator import serve\n"
    "import time\n"
    "started = time.perf_counter()\n"
    "with serve(db_path=Path(sys.argv[1])) as url:\n"
    "    print(url, time.perf_counter() - started, flush=True)\n"
    "    sys.stdin.read()\n"
)


@contextmanager
def emulator_process(db: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        url, started = process.stdout.readline().split()
        print(f"serve() accepted connections {float(started):.2f}s after it was called")
        yield url
    finally:
        process.stdin.close()
        process.wait(timeout=10)


@contextmanager
def emulator_thread(db: Path) -> Iterator[str]:
    from agentform.emulator import serve

    with serve(db_path=db) as url:
        yield url


def seed(url: str, count: int) -> list[str]:
    client = httpx2.Client(base_url=url, headers=HEADERS, timeout=30)
    tools = [{"type": "agent_toolset_20260401"}]

    def create(index: int) -> str:
        key = f"agent-{index:04d}"
        body = {"name": key, "model": "claude-sonnet-4-6", "system": "Route tickets. " * 20,
                "tools": tools, "metadata": {"agentform.key": key}}  # fmt: skip
        response = client.post("/v1/agents", json=body)
        response.raise_for_status()
        return str(response.json()["id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(create, range(count)))


def rate(call: Callable[[int], object], threads: int, seconds: float) -> float:
    """Calls per second over `seconds`, from `threads` threads each calling in a loop."""
    done = [0] * threads
    stop = time.monotonic() + seconds

    def work(slot: int) -> None:
        n = 0
        while time.monotonic() < stop:
            call(n)
            n += 1
        done[slot] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.monotonic() - started)


def scenarios(url: str, ids: list[str]) -> dict[str, dict[str, Callable[[int], object]]]:
    raw = httpx2.Client(
        base_url=url, headers=HEADERS, timeout=30, limits=httpx2.Limits(max_connections=32)
    )
    sdk = anthropic.Anthropic(base_url=url, api_key="bench", _strict_response_validation=True)
    return {
        "raw HTTP": {
            "list (limit=100)": lambda n: raw.get(
                "/v1/agents", params={"limit": 100}
            ).raise_for_status(),
            "retrieve": lambda n: raw.get(f"/v1/agents/{ids[n % len(ids)]}").raise_for_status(),
        },
        "SDK (strict)": {
            "list (limit=100)": lambda n: sdk.beta.agents.list(limit=100),
            "retrieve": lambda n: sdk.beta.agents.retrieve(ids[n % len(ids)]),
        },
    }


TARGETS = {"raw_list_rps": 500.0, "raw_retrieve_rps": 500.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--in-process", action="store_true", help="serve from a thread of this process"
    )
    add_target_option(parser)
    args = parser.parse_args()
    start = emulator_thread if args.in_process else emulator_process
    figures: dict[str, dict[str, float]] = {}
    with TemporaryDirectory() as tmp, start(Path(tmp) / "bench.db") as url:
        started = time.monotonic()
        ids = seed(url, args.agents)
        where = "in-process" if args.in_process else "own process"
        print(f"emulator ({where}) at {url}; seeded {len(ids)} agents "
              f"in {time.monotonic() - started:.1f}s ({os.cpu_count()} CPUs)")  # fmt: skip
        print(f"{'client':<14}{'request':<18}{'1 thread':>12}{f'{args.threads} threads':>14}")
        for client_name, calls in scenarios(url, ids).items():
            for name, call in calls.items():
                single = rate(call, 1, args.seconds)
                many = rate(call, args.threads, args.seconds)
                figures[f"{client_name} {name}"] = {"1": single, str(args.threads): many}
                print(f"{client_name:<14}{name:<18}{single:>9.0f}/s{many:>11.0f}/s")
    targets = Targets.parse(args.target, TARGETS)
    raw = f"{args.threads}"
    targets.at_least("raw_list_rps", figures["raw HTTP list (limit=100)"][raw], "raw list req/s")
    targets.at_least("raw_retrieve_rps", figures["raw HTTP retrieve"][raw], "raw retrieve req/s")
    return targets.finish(figures)


if __name__ == "__main__":
    sys.exit(main())
