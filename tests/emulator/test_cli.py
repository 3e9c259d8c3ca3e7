"""`agentform emulator` as a user runs it, and the import-light promise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest
from click.testing import CliRunner

from agentform.cli import main

SECRET = "s3cret-key-never-printed"


@pytest.fixture
def running_cli(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    command = [sys.executable, "-m", "agentform", "--dir", str(tmp_path), "emulator"]
    command += ["--port", "0", "--api-key", SECRET]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ}
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "listening on http://127.0.0.1:" in first, first + (
        process.stderr.read() if process.stderr else ""
    )
    url = first.split("listening on ")[1].split()[0]
    yield url, process
    if process.poll() is None:
        process.kill()


def test_seed_tutorial_calls_against_the_cli_server(
    running_cli: tuple[str, subprocess.Popen[str]],
) -> None:
    url, process = running_cli
    client = anthropic.Anthropic(base_url=url, api_key=SECRET, _strict_response_validation=True)
    agent = client.beta.agents.create(
        name="Coding Assistant", model="claude-opus-4-8", tools=[{"type": "agent_toolset_20260401"}]
    )
    environment = client.beta.environments.create(
        name="python-env", config={"type": "cloud", "networking": {"type": "unrestricted"}}
    )
    session = client.beta.sessions.create(
        agent={"type": "agent", "id": agent.id, "version": agent.version},
        environment_id=environment.id,
        title="Quickstart",
    )
    with client.with_options(timeout=10).beta.sessions.events.stream(session.id) as stream:
        client.beta.sessions.events.send(
            session.id,
            events=[{"type": "user.message", "content": [{"type": "text", "text": "Hello"}]}],
        )
        seen = []
        for event in stream:
            seen.append(event.type)
            if event.type == "session.status_idle" and event.stop_reason.type == "end_turn":
                break
    assert "agent.message" in seen
    assert client.beta.sessions.archive(session.id).archived_at is not None
    assert client.beta.agents.archive(agent.id).archived_at is not None
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0 and "Emulator stopped." in out
    request_lines = [line for line in err.splitlines() if " /v1/" in line]
    assert len(request_lines) == 7, err  # one line per request
    assert any("POST /v1/agents 200" in line for line in request_lines)
    assert SECRET not in out + err


def test_cli_rejects_wrong_key(running_cli: tuple[str, subprocess.Popen[str]]) -> None:
    url, _ = running_cli
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(base_url=url, api_key="wrong", max_retries=0).beta.agents.list()


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])
    assert (
        result.exit_code == 0
        and "Example:" in result.output
        and "ANTHROPIC_BASE_URL" in result.output
    )


def test_help_and_package_import_stay_light() -> None:
    probe = (
        "import sys\n"
        "import agentform.emulator\n"
        "from agentform.cli import main\n"
        "main(['--help'], standalone_mode=False)\n"
        "heavy = ('fastapi', 'uvicorn', 'anthropic', 'starlette', 'httpx2')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout


def test_loopback_detection() -> None:
    from agentform.cli.emulator import _is_loopback

    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.5")


def test_serve_accepts_connections_when_it_returns() -> None:
    """serve() yields only once the server answers (its start-up time is in bench/emulator.py)."""
    probe = (
        "import httpx2\n"
        "from agentform.emulator import serve\n"
        "with serve() as url:\n"
        "    print('STATUS', httpx2.get(url + '/_emulator/counters').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "STATUS 200" in result.stdout


def test_cli_pacing_options(tmp_path: Path) -> None:
    """--turn-ms 0: the turn is over when the send returns, so a stream opened after it
    has nothing to carry, and --stream-idle-timeout ends it with an error that says so."""
    command = [sys.executable, "-m", "agentform", "--dir", str(tmp_path), "emulator"]
    command += ["--port", "0", "--turn-ms", "0", "--stream-idle-timeout", "0.5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split("listening on ")[1].split()[0]
        client = anthropic.Anthropic(base_url=url, api_key="k", _strict_response_validation=True)
        agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
        env = client.beta.environments.create(name="e")
        session = client.beta.sessions.create(agent=agent.id, environment_id=env.id)
        hello = {"type": "user.message", "content": [{"type": "text", "text": "Hello"}]}
        client.beta.sessions.events.send(session.id, events=[hello])
        assert client.beta.sessions.retrieve(session.id).status == "idle"
        with pytest.raises(anthropic.APIStatusError, match="timeout_error"):  # noqa: SIM117
            with client.beta.sessions.events.stream(session.id) as stream:
                list(stream)
    finally:
        process.kill()
        process.communicate(timeout=10)
