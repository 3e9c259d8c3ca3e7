"""Session turns over the SSE stream and over polling, through the real SDK (strict)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

TURN = [
    "user.message",
    "session.status_running",
    "span.model_request_start",
    "agent.message",
    "span.model_request_end",
    "session.status_idle",
]
HEADERS = {"x-api-key": "k", "anthropic-beta": "managed-agents-2026-04-01"}


def message(text: str) -> dict[str, Any]:
    return {"type": "user.message", "content": [{"type": "text", "text": text}]}


def start_session(client: Any, **agent_params: Any) -> Any:
    params = {"name": "triage", "model": "claude-sonnet-4-6", "system": "Route tickets."}
    agent = client.beta.agents.create(**{**params, **agent_params})
    env = client.beta.environments.create(name="env")
    return client.beta.sessions.create(
        agent={"type": "agent", "id": agent.id, "version": 1}, environment_id=env.id
    )


def stream_turn(client: Any, session_id: str, text: str, **stream_options: Any) -> list[Any]:
    seen = []
    with client.with_options(timeout=10).beta.sessions.events.stream(
        session_id, **stream_options
    ) as stream:
        client.beta.sessions.events.send(session_id, events=[message(text)])
        for event in stream:
            seen.append(event)
            if event.type == "session.status_idle":
                break
    return seen


def poll_events(client: Any, session_id: str, until: str = "session.status_idle") -> list[Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        events = list(client.beta.sessions.events.list(session_id))
        if any(e.type == until for e in events):
            return events
        time.sleep(0.01)
    raise AssertionError(f"no {until} within 5 s")


def test_round_trip_over_the_stream(client: Any) -> None:
    session = start_session(client)
    events = stream_turn(client, session.id, "My invoice has a usage charge")
    assert [e.type for e in events] == TURN
    reply = events[3]
    assert reply.content[0].text == "[emulator] triage v1 received: My invoice has a usage charge"
    assert events[-1].stop_reason.type == "end_turn"
    assert events[4].model_request_start_id == events[2].id
    assert all(e.id.startswith("sevt_") and e.processed_at is not None for e in events)
    after = client.beta.sessions.retrieve(session.id)
    assert after.status == "idle" and after.usage.output_tokens == len(
        reply.content[0].text.split()
    )


def test_round_trip_over_polling(client: Any) -> None:
    session = start_session(client)
    sent = client.beta.sessions.events.send(session.id, events=[message("hello")])
    echo = sent.data[0]
    assert echo.type == "user.message" and echo.id.startswith("sevt_") and echo.processed_at is None
    events = poll_events(client, session.id)
    assert [e.type for e in events] == TURN and events[0].id == echo.id
    assert events[0].processed_at is not None
    page = client.beta.sessions.events.list(
        session.id, limit=2, types=["agent.message", "session.status_idle"]
    )
    assert [e.type for e in page.data] == ["agent.message", "session.status_idle"]
    newest = client.beta.sessions.events.list(session.id, order="desc", limit=1).data
    assert newest[0].type == "session.status_idle"


def test_initial_events_start_a_turn(client: Any) -> None:
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
    env = client.beta.environments.create(name="env")
    session = client.beta.sessions.create(
        agent=agent.id, environment_id=env.id, initial_events=[message("hi")]
    )
    assert [e.type for e in poll_events(client, session.id)] == TURN


def test_event_deltas_preview_the_message(client: Any) -> None:
    session = start_session(client)
    events = stream_turn(client, session.id, "one two three", event_deltas=["agent.message"])
    kinds = [e.type for e in events]
    assert kinds[3:6] == ["event_start", "event_delta", "agent.message"]
    assert events[3].event.id == events[5].id == events[4].event_id
    assert events[4].delta.content.text == events[5].content[0].text


def test_session_deleted_ends_the_stream(client: Any) -> None:
    session = start_session(client)
    with client.with_options(timeout=10).beta.sessions.events.stream(session.id) as stream:
        client.beta.sessions.delete(session.id)
        assert [e.type for e in stream] == ["session.deleted"]


def test_stream_sends_pings_and_event_lines(fresh_emulator: Any) -> None:
    with fresh_emulator(ping_interval=0.05) as url:
        import anthropic as sdk

        client = sdk.Anthropic(base_url=url, api_key="k", _strict_response_validation=True)
        session = start_session(client)
        stream_url = f"{url}/v1/sessions/{session.id}/events/stream"
        lines = []
        with httpx2.stream("GET", stream_url, headers=HEADERS, timeout=5) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            client.beta.sessions.events.send(session.id, events=[message("hi")])
            for line in response.iter_lines():
                lines.append(line)
                ping_done = lines[-2:] == ["event: ping", 'data: {"type": "ping"}']
                if ping_done and "event: session.status_idle" in lines:
                    break
    frames = [line for line in lines if line.startswith(("event:", "data:"))]
    assert frames.count("event: ping") >= 1
    events = [line for line in frames if line.startswith("event:")]
    datas = [line for line in frames if line.startswith("data:")]
    assert len(events) == len(datas)  # every data line has its event line


def test_send_validates_events(client: Any) -> None:
    session = start_session(client)
    with pytest.raises(anthropic.BadRequestError, match="events.0.content.0.text: Field required"):
        client.beta.sessions.events.send(
            session.id, events=[{"type": "user.message", "content": [{"type": "text"}]}]
        )
    with pytest.raises(anthropic.BadRequestError, match="self_hosted"):
        client.beta.sessions.events.send(
            session.id,
            events=[{"type": "user.tool_result", "tool_use_id": "sevt_1", "content": []}],
        )
    with pytest.raises(anthropic.NotFoundError):
        client.beta.sessions.events.send("sesn_011Cnope", events=[message("hi")])


def test_define_outcome_records_an_evaluation(client: Any) -> None:
    session = start_session(client)
    outcome = {
        "type": "user.define_outcome",
        "description": "Route it",
        "rubric": {"type": "text", "content": "ok"},
    }
    sent = client.beta.sessions.events.send(session.id, events=[outcome])
    assert sent.data[0].outcome_id.startswith("outc_")
    poll_events(client, session.id)
    evaluation = client.beta.sessions.retrieve(session.id).outcome_evaluations[0]
    assert evaluation.outcome_id == sent.data[0].outcome_id and evaluation.result == "satisfied"


RULES = """
rules:
  - when: {message: "(?i)hang"}
    hang: true
  - when: {agent_key: triage, agent_version: [1], message: "(?i)usage (charge|fee)"}
    reply: '{"team": "billing", "priority": "P2"}'
    tool_uses: [{name: bash, input: {command: ls}, result: "a.txt"}]
  - when: {system_contains: "ROUTING RULE"}
    reply: routed
    delay_ms: 30
default_reply: "no rule matched"
"""


@pytest.fixture
def scripted(fresh_emulator: Any, make_client: Any, tmp_path: Path) -> Any:
    rules = tmp_path / "responder.yaml"
    rules.write_text(RULES)
    with fresh_emulator(responder=rules) as url:
        yield make_client(url)


def test_responder_rules(scripted: Any) -> None:
    keyed = start_session(scripted, metadata={"agentform.key": "triage"})
    events = stream_turn(scripted, keyed.id, "Why is there a usage fee?")
    assert [e.type for e in events][3:6] == ["agent.tool_use", "agent.tool_result", "agent.message"]
    tool_use, tool_result, reply = events[3:6]
    assert (tool_use.name, tool_use.input, tool_use.evaluated_permission) == (
        "bash",
        {"command": "ls"},
        "allow",
    )
    assert tool_result.tool_use_id == tool_use.id and tool_result.content[0].text == "a.txt"
    assert reply.content[0].text == '{"team": "billing", "priority": "P2"}'
    routed = start_session(scripted, system="Follow the ROUTING RULE.")
    assert stream_turn(scripted, routed.id, "anything")[3].content[0].text == "routed"
    other = start_session(scripted)
    assert stream_turn(scripted, other.id, "usage fee")[3].content[0].text == "no rule matched"


def test_hang_then_interrupt(scripted: Any) -> None:
    session = start_session(scripted)
    scripted.beta.sessions.events.send(session.id, events=[message("please hang")])
    poll_events(scripted, session.id, until="session.status_running")
    assert scripted.beta.sessions.retrieve(session.id).status == "running"
    with pytest.raises(anthropic.BadRequestError, match="running"):
        scripted.beta.sessions.delete(session.id)
    scripted.beta.sessions.events.send(session.id, events=[{"type": "user.interrupt"}])
    events = poll_events(scripted, session.id)
    assert "agent.message" not in [e.type for e in events]
    assert scripted.beta.sessions.retrieve(session.id).status == "idle"


def test_every_user_event_type_round_trips_strictly(client: Any) -> None:
    session = start_session(client)
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    sent = client.beta.sessions.events.send(
        session.id,
        events=[
            {"type": "user.message", "content": [{"type": "text", "text": "look"}, image]},
            {"type": "system.message", "content": [{"type": "text", "text": "Be brief."}]},
        ],
    )
    assert [e.type for e in sent.data] == ["user.message", "system.message"]
    others = [
        {
            "type": "user.tool_confirmation",
            "tool_use_id": "sevt_1",
            "result": "deny",
            "deny_message": "no",
        },
        {
            "type": "user.custom_tool_result",
            "custom_tool_use_id": "sevt_2",
            "content": [{"type": "text", "text": "42"}],
        },
        {"type": "user.interrupt"},
    ]
    for event in others:
        echoed = client.beta.sessions.events.send(session.id, events=[event]).data[0]
        assert echoed.type == event["type"] and echoed.id.startswith("sevt_")
    poll_events(client, session.id)
    listed = [e.type for e in client.beta.sessions.events.list(session.id)]
    assert listed[:2] == ["user.message", "system.message"] and "user.interrupt" in listed
    with pytest.raises(anthropic.BadRequestError, match="deny_message"):
        client.beta.sessions.events.send(
            session.id,
            events=[
                {
                    "type": "user.tool_confirmation",
                    "tool_use_id": "sevt_1",
                    "result": "allow",
                    "deny_message": "x",
                }
            ],
        )


def test_self_hosted_sessions_accept_tool_results(client: Any) -> None:
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
    env = client.beta.environments.create(name="local", config={"type": "self_hosted"})
    assert env.config.type == "self_hosted"
    session = client.beta.sessions.create(agent=agent.id, environment_id=env.id)
    result = {
        "type": "user.tool_result",
        "tool_use_id": "sevt_1",
        "content": [{"type": "text", "text": "ok"}],
    }
    echoed = client.beta.sessions.events.send(session.id, events=[result]).data[0]
    assert echoed.type == "user.tool_result" and echoed.tool_use_id == "sevt_1"
    assert echoed.processed_at is not None  # processed on receipt
