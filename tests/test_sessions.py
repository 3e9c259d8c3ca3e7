"""sessions.py and `agentform run`: streamed turns, the polling fallback, timeouts, archiving."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentform import pins
from agentform.cli.app import App
from agentform.emulator import admin
from agentform.remote.client import Remote
from agentform.remote.sessions import SessionEvent, TurnTimeoutError, converse, start_session
from agentform.remote.turns import TurnCollector
from tests.cli_helpers import agentform
from tests.estate import copy_example

RULES = """
rules:
  - when: {message: "(?i)hang"}
    hang: true
  - when: {message: "(?i)look around"}
    tool_uses: [{name: bash, input: {command: ls}, result: "a.txt"}]
    reply: "I looked: a.txt"
  - when: {message: "(?i)slow"}
    delay_ms: 150
    reply: slow but fine
"""


@pytest.fixture
def scripted(fresh_emulator: Any, tmp_path: Path) -> Iterator[str]:
    rules = tmp_path / "responder.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with fresh_emulator(responder=rules) as url:
        yield url


@pytest.fixture
def remote(scripted: str, make_client: Any) -> Remote:
    return Remote(make_client(scripted))


def new_session(remote: Remote) -> str:
    client = remote.client
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6", system="Help.")
    env = client.beta.environments.create(name="e")
    return start_session(remote, agent_id=agent.id, version=1, environment_id=env.id, title="t")


def test_a_turn_over_the_stream(remote: Remote, scripted: str) -> None:
    session_id = new_session(remote)
    seen: list[SessionEvent] = []
    turn = converse(remote, session_id, "please look around", timeout=5, on_event=seen.append)
    assert (turn.reply, turn.stop_reason, turn.polled) == ("I looked: a.txt", "end_turn", False)
    assert [e.type for e in seen] == [
        "user.message",
        "session.status_running",
        "span.model_request_start",
        "agent.tool_use",
        "agent.tool_result",
        "agent.message",
        "span.model_request_end",
        "session.status_idle",
    ]
    assert (seen[3].tool_name, seen[3].tool_input) == ("bash", {"command": "ls"})
    counters = admin.counters(scripted)
    assert counters["GET /v1/sessions/{session_id}/events/stream"] == 1
    assert "GET /v1/sessions/{session_id}/events" not in counters  # no polling needed


def test_a_broken_stream_falls_back_to_polling(remote: Remote, scripted: str) -> None:
    session_id = new_session(remote)
    admin.inject_fault(scripted, method="GET", path="/v1/sessions/*/events/stream", status=503)
    seen: list[str] = []
    turn = converse(remote, session_id, "slow", timeout=5, on_event=lambda e: seen.append(e.id))
    assert (turn.reply, turn.stop_reason, turn.polled) == ("slow but fine", "end_turn", True)
    assert admin.faults_fired(scripted) == 1
    assert admin.counters(scripted)["GET /v1/sessions/{session_id}/events"] >= 2  # polled again
    assert len(seen) == len(set(seen)) == 6  # every event once, deduplicated by id


def test_a_hanging_turn_times_out_and_is_interrupted(remote: Remote, scripted: str) -> None:
    session_id = new_session(remote)
    with pytest.raises(TurnTimeoutError, match=r"did not finish within 0\.3 s"):
        converse(remote, session_id, "please hang", timeout=0.3)
    assert remote.client.beta.sessions.retrieve(session_id).status == "idle"  # interrupted
    sent = [e.type for e in remote.client.beta.sessions.events.list(session_id)]
    assert sent.count("user.interrupt") == 1


def test_run_streams_the_pinned_agent_and_archives_unless_keep(
    scripted: str, make_client: Any, tmp_path: Path
) -> None:
    estate = copy_example(tmp_path / "estate")
    (estate / "evals" / "triage.yaml").unlink()
    assert agentform(estate, scripted, "apply", "--auto-approve").exit_code == 0
    result = agentform(estate, scripted, "run", "triage", "Please look around.")
    assert result.exit_code == 0, result.output
    assert result.stdout == ('[tool: bash] {"command": "ls"}\nI looked: a.txt\n[stop: end_turn]\n')
    assert "Session archived." in result.stderr
    client = make_client(scripted)
    made = list(client.beta.sessions.list(include_archived=True))
    pin = pins.load(estate / "pins.yaml").agents["triage"]
    assert len(made) == 1 and made[0].archived_at is not None
    assert (made[0].agent.id, made[0].agent.version) == (pin.id, pin.version)
    kept = agentform(estate, scripted, "run", "triage", "hello", "--keep")
    assert kept.exit_code == 0 and "Session kept (--keep)." in kept.stderr
    assert [s.archived_at for s in client.beta.sessions.list()] == [None]


def test_run_that_times_out_still_archives_and_exits_1(
    scripted: str, make_client: Any, tmp_path: Path
) -> None:
    estate = copy_example(tmp_path / "estate")
    assert agentform(estate, scripted, "apply", "--auto-approve").exit_code == 0
    result = agentform(estate, scripted, "run", "triage", "hang", "--timeout", "0.3")
    assert result.exit_code == 1
    assert "the turn did not finish within 0.3 s" in result.stderr
    made = list(make_client(scripted).beta.sessions.list(include_archived=True))
    assert len(made) == 1 and made[0].archived_at is not None


def test_the_collector_dedupes_skips_earlier_turns_and_stops_on_any_idle() -> None:
    seen: list[str] = []
    collector = TurnCollector(lambda event: seen.append(event.id))
    collector.sent_id = "sevt_2"
    old_idle = {"id": "sevt_1", "type": "session.status_idle", "stop_reason": {"type": "end_turn"}}
    assert collector.add(old_idle) is False  # before our message: another turn's
    mine = {"id": "sevt_2", "type": "user.message", "content": [{"type": "text", "text": "hi"}]}
    reply = {
        "id": "sevt_3",
        "type": "agent.message",
        "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
    }
    ask = {
        "id": "sevt_4",
        "type": "session.status_idle",
        "stop_reason": {"type": "requires_action", "event_ids": []},
    }
    assert [collector.add(e) for e in (mine, reply, reply, ask)] == [False, False, False, True]
    assert seen == ["sevt_2", "sevt_3", "sevt_4"] and collector.stop_reason == "requires_action"
    assert collector.events[1].text == "ab"
    terminated = TurnCollector(lambda event: None)
    assert terminated.add({"id": "x", "type": "session.status_running"}) is False
    assert terminated.add({"id": "y", "type": "session.status_terminated"}) is True
    assert terminated.stop_reason == "terminated"


def test_local_uses_the_estate_responder_rules_when_there_are_some(tmp_path: Path) -> None:
    estate = copy_example(tmp_path / "estate")

    def app(local: bool) -> App:
        return App(estate, estate / "pins.yaml", None, local=local, debug=False)

    rules = estate / "evals" / "responder.yaml"  # the example estate ships one
    assert app(local=True).responder_file == rules
    assert app(local=False).responder_file is None  # the real API: never
    rules.unlink()
    assert app(local=True).responder_file is None


def test_when_even_the_interrupt_fails_the_stream_is_closed_after_a_grace_period(
    fresh_emulator: Any, make_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agentform.remote.sessions

    monkeypatch.setattr(agentform.remote.sessions, "GRACE", 0.4)
    rules = tmp_path / "responder.yaml"
    rules.write_text(RULES, encoding="utf-8")
    # Pings every 0.05 s: the stream never times out on its own; only closing it ends it.
    with fresh_emulator(responder=rules, ping_interval=0.05) as url:
        remote = Remote(make_client(url))
        session_id = new_session(remote)
        path = f"/v1/sessions/{session_id}/events"

        def fail_the_interrupt(event: SessionEvent) -> None:
            if event.type == "user.message":  # it was sent: now every interrupt fails
                admin.inject_fault(url, method="POST", path=path, status=500, count=3)

        with pytest.raises(TurnTimeoutError):
            converse(remote, session_id, "please hang", timeout=0.3, on_event=fail_the_interrupt)
        assert admin.faults_fired(url) >= 1  # the interrupt did fail
        assert remote.client.beta.sessions.retrieve(session_id).status == "running"
