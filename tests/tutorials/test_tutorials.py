"""The Managed Agents tutorials run unchanged against `agentform emulator` (issue 14).

Each tutorial's code is checked in under `cookbook/` as the tutorial writes it, with the
fixture files it reads (`cookbook/example_data/`, from the same cookbook commit). Each
test starts the emulator the way a user does (the `agentform` console script, a fresh
database), points the tutorial at it with `ANTHROPIC_BASE_URL`, and runs the tutorial in
its own process through `run_tutorial.py`, which makes every client strict. The 60 s
subprocess timeout is a hang guard, not a timing assertion.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentform.emulator import admin

pytestmark = pytest.mark.slow  # processes, and the tutorials' own one-second polls

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
COOKBOOK = HERE / "cookbook"
RUNNER = HERE / "run_tutorial.py"
HANG_GUARD = 60
KEY = "tutorial-key"

Emulator = Callable[..., str]


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """Start `agentform emulator --responder RULES [OPTIONS]` on a free port; yields a starter."""
    processes: list[subprocess.Popen[str]] = []

    def start(rules: Path, *options: str) -> str:
        script = Path(sys.executable).with_name("agentform")
        command = [str(script), "--dir", str(tmp_path), "emulator", "--port", "0"]
        command += ["--db", str(tmp_path / "emulator.db"), "--responder", str(rules), *options]
        log = (tmp_path / "emulator.log").open("w")
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        processes.append(process)
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in first, first
        return first.split("listening on ")[1].split()[0]

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def run_tutorial(name: str, url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run `cookbook/<name>.py` unchanged in a copy of the cookbook directory."""
    shutil.copytree(COOKBOOK, workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "COOKBOOK_"))}
    env.update(ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY=KEY, PYTHONUNBUFFERED="1")
    result = subprocess.run(
        [sys.executable, str(RUNNER), f"{name}.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def strict_client(url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key=KEY, _strict_response_validation=True)


def test_the_runner_makes_every_client_strict(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from anthropic import Anthropic\nfrom dotenv import load_dotenv\n"
        "print(Anthropic(api_key='k')._strict_response_validation, load_dotenv())\n"
    )
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(probe)], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "True False", result.stderr


def test_prompt_versioning_and_rollback(emulator: Emulator, tmp_path: Path) -> None:
    """With the shipped rules. `--turn-ms 0`: each turn is over when its send returns, so
    the tutorial's poll-then-sleep(1) loop finds every verdict on its first poll (with
    the default 500 ms turns it sleeps once per ticket: 45 s of its own sleeps)."""
    url = emulator(REPO / "evals" / "responder.yaml", "--turn-ms", "0")
    output = run_tutorial("prompt_versioning_and_rollback", url, tmp_path / "run").stdout
    assert "20 tickets across 4 teams: ['api-platform', 'auth', 'billing', 'dashboard']" in output
    v1 = output.split("v1 results:\n")[1].split("agent ")[0]
    for team in ("api-platform", "auth", "billing", "dashboard"):
        assert f"  {team:14s} 5/5" in v1  # v1 scores 20/20
    assert "now at v2" in output
    assert "billing\n  v1: 5/5\n  v2: 0/5  <-- regressed" in output
    for team in ("api-platform", "auth", "dashboard"):
        assert f"{team}\n  v1: 5/5\n  v2: 5/5\n" in output
    assert "billing tickets via version=1: 5/5 correct" in output  # the rollback
    assert output.rstrip().endswith("archived")
    requests = admin.counters(url)
    assert requests["POST /v1/sessions"] == 45 == requests["POST /v1/sessions/{session_id}/archive"]
    assert requests["GET /v1/sessions/{session_id}/events"] == 45  # one poll per ticket
    assert not [key for key in requests if key.startswith(("GET /v1/files", "DELETE"))]
    client = strict_client(url)
    sessions = list(client.beta.sessions.list(include_archived=True, limit=100))
    assert len(sessions) == 45 and all(s.archived_at is not None for s in sessions)
    assert sorted({s.agent.version for s in sessions}) == [1, 2]


def test_iterate_on_a_failing_test_suite(emulator: Emulator, tmp_path: Path) -> None:
    url = emulator(HERE / "iterate_responder.yaml")
    output = run_tutorial("iterate_fix_failing_tests", url, tmp_path / "run").stdout
    assert output.startswith("uploaded: file_") and "\nsession: sesn_" in output
    loop = output.split("--- iterate loop ---\n")[1]
    assert loop.count("[bash]") == 7 and loop.count("[edit]") == 2  # both turns, streamed
    assert "All three tests pass." in loop
    assert "Confirmed: every assertion passes" in loop  # send, then stream_until_end_turn
    assert output.rstrip().endswith("archived")
    check_iterate_state(strict_client(url))


def check_iterate_state(client: anthropic.Anthropic) -> None:
    (session,) = client.beta.sessions.list(include_archived=True).data
    assert session.archived_at is not None and session.status == "idle"
    mounts = sorted(r.mount_path for r in session.resources)  # type: ignore[union-attr]
    assert mounts == ["/mnt/session/uploads/calc.py", "/mnt/session/uploads/test_calc.py"]
    uploads = {f.filename: f for f in client.beta.files.list() if f.scope is None}
    assert (
        uploads["calc.py"].size_bytes == (COOKBOOK / "example_data/iterate/calc.py").stat().st_size
    )
    (output,) = client.beta.files.list(scope_id=session.id).data
    fixed = client.beta.files.download(output.id).read().decode()
    namespace: dict[str, Any] = {}
    exec(fixed, namespace)  # the agent's scripted fix really fixes the planted bugs
    assert namespace["add"](2, 3) == 5 and namespace["mean"]([2, 4, 6]) == 4
    with pytest.raises(ValueError):
        namespace["divide"](10, 0)
    events = list(client.beta.sessions.events.list(session.id))
    idles = [e for e in events if e.type == "session.status_idle"]
    assert [e.stop_reason.type for e in idles] == ["end_turn", "end_turn"]  # type: ignore[union-attr]
    assert client.beta.agents.list(include_archived=True).data[0].archived_at is not None
    assert client.beta.environments.list(include_archived=True).data[0].archived_at is not None
