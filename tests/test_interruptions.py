"""Processes that die, are stopped, or run at once: pins.yaml stays true, nothing is duplicated.

Each test runs the installed console script in real processes against an emulator with
latency (so writes are in flight when the fault hits), proves the fault happened (a
signal's exit status, request counters), then checks: one live object per key, every
pin true (`plan` shows no changes), pins.yaml valid, and a rerun converges.
`bench/chaos.py` runs the long version (dozens of random kill points).
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.emulator import admin
from tests.chaos import (
    agentform_process,
    assert_converged,
    finish,
    make_estate,
    marked,
    run,
    wait_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def slow_server(fresh_emulator: Any) -> Iterator[str]:
    with fresh_emulator(latency_ms=150) as url:
        yield url


def test_sigkill_at_random_points_then_a_rerun_converges(
    slow_server: str, make_client: Any, tmp_path: Path
) -> None:
    client = make_client(slow_server)
    rng = random.Random(7)
    for trial in range(2):  # bench/chaos.py runs dozens
        admin.reset(slow_server, data=True)
        estate = make_estate(tmp_path / f"trial{trial}", agents=6, environments=2)
        assert run(estate, slow_server, "apply", "--auto-approve").returncode == 0
        make_estate(estate, agents=9, environments=2, edit=3)  # 3 updates, 3 creates
        admin.reset(slow_server)
        process = agentform_process(estate, slow_server, "apply", "--auto-approve")
        wait_for(lambda: sum(_writes(slow_server).values()) >= 1)
        time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        pins.load(estate / "pins.yaml")  # valid at the moment of the kill
        assert run(estate, slow_server, "apply", "--auto-approve").returncode == 0
        assert_converged(estate, slow_server, client, updated=3)


def test_sigterm_stops_records_and_says_what_is_left(
    slow_server: str, make_client: Any, tmp_path: Path
) -> None:
    client = make_client(slow_server)
    estate = make_estate(tmp_path / "estate", agents=12, environments=1)
    admin.reset(slow_server)
    process = agentform_process(
        estate, slow_server, "apply", "--auto-approve", "--parallelism", "2"
    )
    wait_for(lambda: _writes(slow_server).get("POST /v1/agents", 0) >= 2)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, out + err
    assert "Apply interrupted:" in out and "not started" in out
    assert "Run `agentform apply` again to finish the rest" in err
    done = set(pins.load(estate / "pins.yaml").agents)
    assert 2 <= len(done) < 12  # what finished is pinned, the rest was not started
    assert run(estate, slow_server, "apply", "--auto-approve").returncode == 0
    assert_converged(estate, slow_server, client, updated=0)


def test_ctrl_c_during_a_long_retry_after_stops_promptly(slow_server: str, tmp_path: Path) -> None:
    estate = make_estate(tmp_path / "estate", agents=1, environments=1)
    admin.inject_fault(slow_server, method="POST", path="/v1/agents", status=429, retry_after=120)
    process = agentform_process(estate, slow_server, "apply", "--auto-approve", "--max-wait", "300")
    assert process.stderr is not None
    waiting = process.stderr.readline()
    assert "wait  create agent: retrying in 120 s" in waiting
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, _ = finish(process, timeout=60)  # the retry-after alone would be 120 s
    assert process.returncode == 130 and "Apply interrupted" in out
    assert time.monotonic() - started < 60  # not the 120 s the server asked for
    assert admin.faults_fired(slow_server) == 1


@pytest.mark.parametrize("count", [2, 4])
def test_concurrent_applies_in_one_directory_make_one_object_per_key(
    slow_server: str, make_client: Any, tmp_path: Path, count: int
) -> None:
    client = make_client(slow_server)
    estate = make_estate(tmp_path / "estate", agents=5, environments=1)
    processes = [
        agentform_process(estate, slow_server, "apply", "--auto-approve") for _ in range(count)
    ]
    results = [(p.wait(timeout=120), p.communicate()) for p in processes]
    winners = [r for r in results if r[0] == 0]
    assert winners, results
    for code, (out, err) in results:
        if code != 0:
            assert "another agentform apply is running for" in out + err
    assert_converged(estate, slow_server, client, updated=0)


def test_concurrent_applies_from_two_checkouts_keep_one_object_per_key(
    slow_server: str, make_client: Any, tmp_path: Path
) -> None:
    client = make_client(slow_server)
    first = make_estate(tmp_path / "first", agents=5, environments=1)
    second = make_estate(tmp_path / "second", agents=5, environments=1)
    processes = [
        agentform_process(root, slow_server, "apply", "--auto-approve") for root in (first, second)
    ]
    for process in processes:
        assert process.wait(timeout=120) == 0, process.communicate()
    for key in [f"agent-{i}" for i in range(5)] + ["env-0"]:
        kind = "environment" if key.startswith("env") else "agent"
        assert len(marked(client, kind, key)) == 1, key
    ids = [
        {k: p.id for k, p in pins.load(root / "pins.yaml").agents.items()}
        for root in (first, second)
    ]
    assert ids[0] == ids[1]  # both pins files name the surviving objects
    assert_converged(first, slow_server, client, updated=0)
    assert_converged(second, slow_server, client, updated=0)


def test_targeted_applies_on_disjoint_keys_lose_no_pin_moves(
    slow_server: str, make_client: Any, tmp_path: Path
) -> None:
    client = make_client(slow_server)
    estate = make_estate(tmp_path / "estate", agents=10, environments=1)
    halves = [[f"agent-{i}" for i in range(0, 5)], [f"agent-{i}" for i in range(5, 10)]]
    processes = [
        agentform_process(
            estate, slow_server, "apply", "--auto-approve", "--lock-timeout", "120",
            *[arg for key in half for arg in ("--target", key)],
        )
        for half in halves
    ]  # fmt: skip
    for process in processes:
        assert process.wait(timeout=240) == 0, process.communicate()
    assert set(pins.load(estate / "pins.yaml").agents) == {f"agent-{i}" for i in range(10)}
    assert len([a for a in client.beta.agents.list(limit=100)]) == 10


def _writes(url: str) -> dict[str, int]:
    return {k: v for k, v in admin.counters(url).items() if k.startswith("POST")}
