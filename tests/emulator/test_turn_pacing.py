"""Paced turns, streams that end, and the session lifecycle rules (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

from tests.emulator.test_events import HEADERS, message, poll_events, start_session

HANG = "rules:\n  - when: {message: '(?i)hang'}\n    hang: true\n"


def test_send_then_stream_sees_the_whole_paced_turn(fresh_emulator: Any, make_client: Any) -> None:
    """The cookbook's helper pattern: send, then open the stream, then wait for idle."""
    with fresh_emulator(turn_ms=300) as url:
        client = make_client(url)
        session = start_session(client)
        client.beta.sessions.events.send(session.id, events=[message("hello")])
        with client.with_options(timeout=10).beta.sessions.events.stream(session.id) as stream:
            seen = []
            for event in stream:
                seen.append(event)
                if event.type == "session.status_idle":
                    break
        kinds = [e.type for e in seen]
        assert kinds[-3:] == ["agent.message", "span.model_request_end", "session.status_idle"]
        listed = list(client.beta.sessions.events.list(session.id))
        running = next(e for e in listed if e.type == "session.status_running")
        took = (listed[-1].processed_at - running.processed_at).total_seconds()
        assert took >= 0.3  # the turn lasted its turn_ms


def test_a_rule_sets_its_own_turn_duration(
    fresh_emulator: Any, make_client: Any, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - when: {message: slow}\n    delay_ms: 400\n    reply: done\n")
    with fresh_emulator(responder=rules, turn_ms=0) as url:
        client = make_client(url)
        session = start_session(client)
        client.beta.sessions.events.send(session.id, events=[message("slow")])
        events = poll_events(client, session.id)
        running = next(e for e in events if e.type == "session.status_running")
        assert (events[-1].processed_at - running.processed_at).total_seconds() >= 0.4


def test_a_stream_nothing_will_reach_ends_with_an_error(
    fresh_emulator: Any, make_client: Any
) -> None:
    """The turn finished before the stream opened: no ping-forever, an error that says why."""
    with fresh_emulator(stream_idle_timeout=0.3, ping_interval=0.1) as url:
        client = make_client(url)
        session = start_session(client)
        client.beta.sessions.events.send(session.id, events=[message("hi")])
        poll_events(client, session.id)
        with pytest.raises(anthropic.APIStatusError) as caught:  # noqa: SIM117
            with client.beta.sessions.events.stream(session.id) as stream:
                list(stream)
        assert caught.value.body["error"]["type"] == "timeout_error"
        assert "open it before sending" in caught.value.body["error"]["message"]


def test_a_running_session_keeps_its_stream_alive(fresh_emulator: Any, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(HANG)
    with fresh_emulator(responder=rules, stream_idle_timeout=0.2, ping_interval=0.05) as url:
        client = anthropic.Anthropic(base_url=url, api_key="k", _strict_response_validation=True)
        session = start_session(client)
        client.beta.sessions.events.send(session.id, events=[message("please hang")])
        poll_events(client, session.id, until="session.status_running")
        lines = []
        stream_url = f"{url}/v1/sessions/{session.id}/events/stream"
        with httpx2.stream("GET", stream_url, headers=HEADERS, timeout=5) as response:
            for line in response.iter_lines():
                lines.append(line)
                if line == "event: ping" and lines.count(line) == 10:  # 2.5 quiet limits
                    client.beta.sessions.events.send(
                        session.id, events=[{"type": "user.interrupt"}]
                    )
                if line.startswith("event: error"):
                    break
        kinds = [line for line in lines if line.startswith("event:")]
        assert "event: error" not in kinds[:10]  # running: never ended for being quiet
        assert kinds.index("event: session.status_idle") < kinds.index("event: error")


def test_a_running_session_cannot_be_archived(
    fresh_emulator: Any, make_client: Any, tmp_path: Path
) -> None:
    """The issue's stuck session: archive refused while running; interrupt, then all works."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(HANG)
    with fresh_emulator(responder=rules) as url:
        client = make_client(url)
        session = start_session(client)
        client.beta.sessions.events.send(session.id, events=[message("please hang")])
        poll_events(client, session.id, until="session.status_running")
        with pytest.raises(anthropic.BadRequestError, match="cannot be archived while"):
            client.beta.sessions.archive(session.id)
        assert client.beta.sessions.retrieve(session.id).archived_at is None
        client.beta.sessions.events.send(session.id, events=[{"type": "user.interrupt"}])
        assert client.beta.sessions.archive(session.id).status == "idle"
        with pytest.raises(anthropic.BadRequestError, match="archived"):
            client.beta.sessions.events.send(session.id, events=[message("more")])
        assert client.beta.sessions.delete(session.id).type == "session_deleted"
        assert client.beta.environments.delete(session.environment_id).type == "environment_deleted"


def test_archiving_ends_open_streams_and_archived_streams_end_at_once(client: Any) -> None:
    session = start_session(client)
    with client.with_options(timeout=10).beta.sessions.events.stream(session.id) as stream:
        client.beta.sessions.archive(session.id)
        assert list(stream) == []
    with client.with_options(timeout=10).beta.sessions.events.stream(session.id) as again:
        assert list(again) == []
    assert client.beta.sessions.events.list(session.id).data == []  # still readable


def test_interrupting_an_idle_session_changes_nothing(client: Any) -> None:
    session = start_session(client)
    client.beta.sessions.events.send(session.id, events=[{"type": "user.interrupt"}])
    events = poll_events(client, session.id, until="user.interrupt")
    assert [e.type for e in events] == ["user.interrupt"]
    assert client.beta.sessions.retrieve(session.id).status == "idle"


def test_an_instant_turn_is_over_when_its_send_returns(client: Any) -> None:
    """turn_ms 0: a poll right after the send (the prompt-versioning tutorial's) finds it."""
    session = start_session(client)
    echo = client.beta.sessions.events.send(session.id, events=[message("hi")]).data[0]
    assert echo.processed_at is None  # the echo is how the event was accepted: queued
    events = client.beta.sessions.events.list(session.id).data
    assert [e.type for e in events][-1] == "session.status_idle"


def test_a_paced_turn_is_still_running_when_its_send_returns(
    fresh_emulator: Any, make_client: Any
) -> None:
    with fresh_emulator(turn_ms=300) as url:
        client = make_client(url)
        session = start_session(client)
        client.beta.sessions.events.send(session.id, events=[message("hi")])
        assert client.beta.sessions.retrieve(session.id).status == "running"
        assert poll_events(client, session.id)[-1].type == "session.status_idle"
