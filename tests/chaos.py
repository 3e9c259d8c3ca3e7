"""Helpers for process-level fault tests (tests/test_interruptions.py, bench/chaos.py).

An estate of N small agents and M environments, the console script run as a process
against an emulator URL, and the convergence check every fault test ends with.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentform import pins

AGENTFORM = str(Path(sys.executable).with_name("agentform"))


def make_estate(root: Path, *, agents: int, environments: int, edit: int = 0) -> Path:
    """agents/agent-<i>.yaml and environments/env-<j>.yaml; the first `edit` prompts edited."""
    (root / "agents").mkdir(parents=True, exist_ok=True)
    (root / "environments").mkdir(parents=True, exist_ok=True)
    for i in range(agents):
        extra = " Edited." if i < edit else ""
        (root / "agents" / f"agent-{i}.yaml").write_text(
            f"name: chaos-agent-{i}\nmodel: claude-haiku-4-5\nsystem: You are agent {i}.{extra}\n",
            encoding="utf-8",
        )
    for j in range(environments):
        (root / "environments" / f"env-{j}.yaml").write_text(
            f"name: chaos-env-{j}\nconfig: {{type: cloud}}\n", encoding="utf-8"
        )
    return root


def environment(url: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    # PYTHONFAULTHANDLER: a process that hangs dumps every thread's stack on SIGABRT
    return {
        **base,
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": "chaos",
        "NO_COLOR": "1",
        "PYTHONFAULTHANDLER": "1",
    }


def run(estate: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AGENTFORM, "--dir", str(estate), *args],
        env=environment(url), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def agentform_process(estate: Path, url: str, *args: str) -> subprocess.Popen[str]:
    """`agentform` running on its own, to be signalled. SIGINT is reset to its default in
    the child: a suite started in the background by a shell (`pytest &`, as a script or
    a CI step may do) inherits SIGINT ignored, and Python keeps an ignored SIGINT
    ignored, so a Ctrl+C test would wait for a signal that never arrives."""
    return subprocess.Popen(
        [AGENTFORM, "--dir", str(estate), *args],
        env=environment(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint,
    )  # fmt: skip


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """The process's output once it exits; if it has not within `timeout` (a hang, not a
    measurement), its threads' stacks (SIGABRT, with faulthandler) in the failure."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        out, err = process.communicate(timeout=30)
        raise AssertionError(f"still running after {timeout} s:\n{out}\n{err}") from None


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll until `condition` holds; the timeout is a hang guard, not a measurement."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.005)


def marked(client: Any, kind: str, key: str) -> list[Any]:
    resource = client.beta.agents if kind == "agent" else client.beta.environments
    return [o for o in resource.list(limit=100) if (o.metadata or {}).get("agentform.key") == key]


def assert_converged(estate: Path, url: str, client: Any, *, updated: int) -> None:
    """One live object per key, pinned; no intent left; plan empty; updates made once."""
    state = pins.load(estate / "pins.yaml")
    assert state.pending == {}, state.pending
    for kind, directory in (("agent", "agents"), ("environment", "environments")):
        section = state.section(directory)
        for manifest in sorted((estate / directory).glob("*.yaml")):
            objects = marked(client, kind, manifest.stem)
            assert len(objects) == 1, f"{kind} {manifest.stem}: {[o.id for o in objects]}"
            assert section[manifest.stem].id == objects[0].id
    for i in range(updated):
        pin = state.agents[f"agent-{i}"]
        made = [v.version for v in client.beta.agents.versions.list(pin.id)]
        assert sorted(made) == [1, 2] and pin.version == 2, (f"agent-{i}", made)
    plan = run(estate, url, "plan", "--format", "json", "--detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert not json.loads(plan.stdout)["has_changes"]
