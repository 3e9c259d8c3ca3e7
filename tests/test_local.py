"""--local: the embedded emulator, state in <dir>/.agentform/, no API key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentform.emulator.beside import Beside
from agentform.errors import EmulatorStartError
from tests.estate import copy_example

pytestmark = pytest.mark.slow  # each command is a process with its own emulator


def run(estate: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    script = Path(sys.executable).with_name("agentform")
    return subprocess.run(
        [str(script), "--local", *args], cwd=estate, env=env, capture_output=True, text=True
    )


def test_local_runs_the_whole_job_offline_and_keeps_state_between_commands(tmp_path: Path) -> None:
    estate = copy_example(tmp_path)
    first = run(estate, "plan", "--detailed-exitcode")
    assert first.returncode == 2, first.stderr
    assert (estate / ".agentform" / "emulator.db").exists()
    applied = run(estate, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    again = run(estate, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout


def test_a_local_command_serves_from_a_child_and_never_imports_the_server(tmp_path: Path) -> None:
    """The emulator starts in a process of its own (overlapping the SDK's import), so the
    command itself never loads FastAPI or uvicorn."""
    estate = copy_example(tmp_path)
    probe = (
        "import sys\n"
        "from agentform.cli.root import main\n"
        "try:\n"
        "    main(['--local', 'plan'], standalone_mode=False)\n"
        "finally:\n"
        "    print('loaded:', sorted(m for m in ('fastapi', 'uvicorn') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=estate, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "Plan: 2 to create" in done.stdout  # it planned against the child
    assert "loaded: []" in done.stdout
    assert (estate / ".agentform" / "emulator.db").exists()


def test_the_local_emulator_outlives_ctrl_c_and_ends_with_a_killed_command(
    tmp_path: Path,
) -> None:
    """The child is out of the terminal's process group (Ctrl+C is the command's to
    handle, and it may still need the server), and stops when the command is SIGKILLed:
    its stdin pipe closes."""
    command = (
        "import signal, threading\n"
        "from pathlib import Path\n"
        "from agentform.emulator import admin\n"
        "from agentform.emulator.beside import Beside\n"
        "interrupted = threading.Event()\n"
        "signal.signal(signal.SIGINT, lambda *_: interrupted.set())\n"
        f"beside = Beside.start(Path({str(tmp_path / 'emulator.db')!r}))\n"
        "print(beside.pid, beside.url(), flush=True)\n"
        "interrupted.wait()\n"
        "print('after ^C', admin.counters(beside.url()), flush=True)\n"
        "threading.Event().wait()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", command], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert parent.stdout is not None
    try:
        pid_text, url = parent.stdout.readline().split()
        child = int(pid_text)
        assert os.getsid(child) != os.getsid(parent.pid)  # the terminal's ^C goes elsewhere
        os.killpg(parent.pid, signal.SIGINT)  # Ctrl+C, as a terminal sends it
        assert parent.stdout.readline().startswith("after ^C {")  # the server still answered
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 60  # a bound on "never", not a speed target
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the emulator outlived the killed command"


def test_a_local_emulator_that_cannot_start_says_so(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("a file where the database's directory should be")
    beside = Beside.start(tmp_path / "not-a-dir" / "emulator.db")
    try:
        with pytest.raises(EmulatorStartError, match=r"exited \(code 1\) before it served"):
            beside.url()
    finally:
        beside.close()


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not yet reaped by init, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
