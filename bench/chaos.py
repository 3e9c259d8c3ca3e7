"""The long version of tests/test_interruptions.py: applies killed at random points.

    .venv/bin/python bench/chaos.py [--trials 30] [--latency-ms 100] [--seed 1]

Each trial: an estate of 12 agents and 2 environments is applied; then 8 prompts are
edited and 8 agents added, and `agentform apply` (the console script, its own process)
is sent SIGKILL (or SIGTERM, every third trial) at a random moment after its first
server write. Then: pins.yaml must parse, every pin must name a live object, and a
rerun must converge (one object per key, each update made exactly once, plan empty).
Prints the tally and exits 1 on any duplicate, false pin, invalid file or failed rerun.
Also runs 2 and 4 concurrent applies of one fresh estate, same directory and separate
checkouts, and counts duplicates.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

import anthropic

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from targets import Targets, add_target_option  # noqa: E402
from tests.chaos import agentform_process, assert_converged, make_estate, run, wait_for  # noqa: E402

from agentform import pins  # noqa: E402
from agentform.emulator import admin, serve  # noqa: E402


def trial(
    url: str, client: anthropic.Anthropic, root: Path, rng: random.Random, n: int
) -> dict[str, object]:
    admin.reset(url, data=True)
    estate = make_estate(root / f"trial{n}", agents=12, environments=2)
    assert run(estate, url, "apply", "--auto-approve").returncode == 0
    make_estate(estate, agents=20, environments=2, edit=8)
    admin.reset(url)
    process = agentform_process(estate, url, "apply", "--auto-approve")
    wait_for(lambda: any(k.startswith("POST") for k in admin.counters(url)))
    time.sleep(rng.uniform(0.0, 0.4))
    sig = signal.SIGTERM if n % 3 == 2 else signal.SIGKILL
    writes_before = sum(v for k, v in admin.counters(url).items() if k.startswith("POST"))
    process.send_signal(sig)
    started = time.monotonic()
    process.communicate(timeout=60)
    stopped_in = time.monotonic() - started
    result: dict[str, object] = {"signal": sig.name, "writes_before_kill": writes_before}
    result["killed"] = process.returncode in (-signal.SIGKILL, 130)
    result["stop_seconds"] = round(stopped_in, 2)
    try:
        state = pins.load(estate / "pins.yaml")
        result["valid"] = True
        result["unfinished"] = sum(len(v) for v in state.pending.values())
    except Exception as exc:  # noqa: BLE001 - counted as a violation
        result["valid"] = False
        result["error"] = str(exc)
        return result
    rerun = run(estate, url, "apply", "--auto-approve")
    result["rerun_ok"] = rerun.returncode == 0
    if rerun.returncode != 0:
        result["rerun_output"] = (rerun.stdout + rerun.stderr)[-1500:]
    try:
        assert_converged(estate, url, client, updated=8)
        result["converged"] = True
    except AssertionError as exc:
        result["converged"] = False
        result["error"] = str(exc)
    return result


def concurrent(url: str, client: anthropic.Anthropic, root: Path, count: int, shared: bool) -> int:
    """Applies of one fresh estate at once; returns the number of duplicate objects."""
    admin.reset(url, data=True)
    dirs = [
        root / f"c{count}-{'same' if shared else 'own'}-{i}" for i in range(1 if shared else count)
    ]
    for d in dirs:
        make_estate(d, agents=6, environments=1)
    targets = [dirs[0]] * count if shared else dirs
    processes = [agentform_process(d, url, "apply", "--auto-approve") for d in targets]
    for p in processes:
        p.communicate(timeout=300)
    agents = [a for a in client.beta.agents.list(limit=100)]
    keys = [a.metadata.get("agentform.key") for a in agents]
    return len(keys) - len(set(keys))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    add_target_option(parser)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results = []
    with tempfile.TemporaryDirectory() as scratch, serve(latency_ms=args.latency_ms) as url:
        client = anthropic.Anthropic(
            base_url=url, api_key="chaos", _strict_response_validation=True
        )
        for n in range(args.trials):
            results.append(trial(url, client, Path(scratch), rng, n))
            print(f"trial {n + 1:>3}/{args.trials}: {results[-1]}", flush=True)
        duplicates = {
            f"{count} {'in one directory' if shared else 'checkouts'}": concurrent(
                url, client, Path(scratch), count, shared
            )
            for count in (2, 4)
            for shared in (True, False)
        }
    bad = [r for r in results if not (r.get("valid") and r.get("rerun_ok") and r.get("converged"))]
    unfinished = sum(int(r.get("unfinished", 0)) for r in results)  # type: ignore[call-overload]
    stops = [
        float(r["stop_seconds"])  # type: ignore[arg-type]
        for r in results
        if r["signal"] == "SIGTERM" and r["killed"]
    ]
    killed = sum(1 for r in results if r["killed"])
    print(f"\n{len(results)} trials, {killed} applies stopped mid-way by the signal")
    print(f"{unfinished} intents left by them, all finished by the reruns")
    print(f"concurrent applies, duplicate objects: {duplicates}")
    if stops:
        print(f"SIGTERM to exit: max {max(stops):.2f} s over {len(stops)} trials")
    targets = Targets.parse(args.target, {"violations": 0, "duplicates": 0, "sigterm_seconds": 2.0})
    targets.exact(
        "violations", len(bad), 0, "trials with an invalid file, false pin or failed rerun"
    )
    targets.exact(
        "duplicates", sum(duplicates.values()), 0, "duplicate objects from concurrent applies"
    )
    if stops:
        targets.at_most("sigterm_seconds", max(stops), "seconds from SIGTERM to exit")
    return targets.finish(
        {"trials": len(results), "unfinished": unfinished, "duplicates": duplicates}
    )


if __name__ == "__main__":
    sys.exit(main())
