"""Responder scripts: custom tools, permission prompts, MCP tools, usage, errors, outputs.

Every event is read back through the strict SDK, so each shape is one the SDK accepts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from tests.emulator.test_events import message

RULES = """
rules:
  - when: {message: custom}
    tool_uses:
      - {type: custom, name: lookup, input: {id: 7}}
      - {type: custom, name: lookup, input: {id: 8}}
    reply: found both
  - when: {message: bash}
    tool_uses: [{name: bash, input: {command: ls}, result: "a.txt"}]
    reply: listed
  - when: {message: mcp}
    tool_uses: [{type: mcp, server: github, name: get_issue, input: {n: 1}, result: "#1 open"}]
    reply: issue read
  - when: {message: usage}
    usage: {input_tokens: 1200, output_tokens: 40, cache_read_input_tokens: 300}
    reply: counted
  - when: {message: overloaded}
    error: {type: model_overloaded_error, message: too busy}
  - when: {message: fatal}
    error: {type: mcp_connection_failed_error, mcp_server_name: github, retry_status: terminal}
  - when: {message: flaky}
    error: {type: model_rate_limited_error, retry_status: retrying}
    reply: worked on retry
  - when: {message: forced}
    tool_uses: [{name: bash, input: {command: ls}, permission: ask}]
    reply: asked anyway
  - when: {message: write}
    outputs: [{path: reports/calc.py, content: "def add(a, b):\\n    return a + b\\n"}]
    reply: written
"""
TOOLSET = {"type": "agent_toolset_20260401"}
ASK = {"type": "always_ask"}
GITHUB = {"type": "url", "name": "github", "url": "https://mcp.example.com/github"}
CUSTOM = {
    "type": "custom",
    "name": "lookup",
    "description": "Look a record up",
    "input_schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
}


@pytest.fixture
def scripted(fresh_emulator: Any, make_client: Any, tmp_path: Path) -> Iterator[Any]:
    rules = tmp_path / "responder.yaml"
    rules.write_text(RULES)
    with fresh_emulator(responder=rules) as url:
        yield make_client(url)


def open_session(client: Any, **agent: Any) -> str:
    created = client.beta.agents.create(name="scripted", model="claude-sonnet-4-6", **agent)
    env = client.beta.environments.create(name="env")
    return str(client.beta.sessions.create(agent=created.id, environment_id=env.id).id)


def stops(client: Any, session_id: str, count: int) -> list[Any]:
    """The session's events once `count` turns have stopped (idle or terminated)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = list(client.beta.sessions.events.list(session_id))
        ends = [e for e in events if e.type in ("session.status_idle", "session.status_terminated")]
        if len(ends) >= count:
            return events
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} stops within 10 s")


def kinds(events: list[Any]) -> list[str]:
    return [e.type for e in events]


def test_custom_tool_calls_wait_for_every_result(scripted: Any) -> None:
    session_id = open_session(scripted, tools=[CUSTOM])
    scripted.beta.sessions.events.send(session_id, events=[message("custom")])
    events = stops(scripted, session_id, 1)
    assert kinds(events) == [
        "user.message",
        "session.status_running",
        "span.model_request_start",
        "agent.custom_tool_use",
        "agent.custom_tool_use",
        "span.model_request_end",
        "session.status_idle",
    ]
    first, second, idle = events[3], events[4], events[-1]
    assert (first.name, first.input, second.input) == ("lookup", {"id": 7}, {"id": 8})
    assert idle.stop_reason.type == "requires_action"
    assert idle.stop_reason.event_ids == [first.id, second.id]
    result = {"type": "user.custom_tool_result", "content": [{"type": "text", "text": "r7"}]}
    echo = scripted.beta.sessions.events.send(
        session_id, events=[{**result, "custom_tool_use_id": first.id}]
    ).data[0]
    assert echo.processed_at is not None  # processed on receipt
    again = stops(scripted, session_id, 2)[-1]
    assert again.stop_reason.type == "requires_action"
    assert again.stop_reason.event_ids == [second.id]
    scripted.beta.sessions.events.send(
        session_id, events=[{**result, "custom_tool_use_id": second.id}]
    )
    tail = stops(scripted, session_id, 3)[-6:]
    assert kinds(tail) == [
        "user.custom_tool_result",
        "session.status_running",
        "span.model_request_start",
        "agent.message",
        "span.model_request_end",
        "session.status_idle",
    ]
    assert tail[3].content[0].text == "found both" and tail[-1].stop_reason.type == "end_turn"


def test_always_ask_waits_for_a_confirmation(scripted: Any) -> None:
    session_id = open_session(
        scripted, tools=[{**TOOLSET, "default_config": {"permission_policy": ASK}}]
    )
    scripted.beta.sessions.events.send(session_id, events=[message("bash")])
    events = stops(scripted, session_id, 1)
    use, idle = events[3], events[-1]
    assert (use.type, use.evaluated_permission, use.evaluation.type) == (
        "agent.tool_use",
        "ask",
        "always_ask",
    )
    assert kinds(events)[-2:] == ["span.model_request_end", "session.status_idle"]
    assert idle.stop_reason.event_ids == [use.id]
    confirmation = {"type": "user.tool_confirmation", "tool_use_id": use.id, "result": "allow"}
    scripted.beta.sessions.events.send(session_id, events=[confirmation])
    tail = stops(scripted, session_id, 2)[-7:]
    assert kinds(tail)[:4] == [
        "user.tool_confirmation",
        "session.status_running",
        "agent.tool_result",
        "span.model_request_start",
    ]
    assert tail[2].tool_use_id == use.id and tail[2].content[0].text == "a.txt"
    assert tail[-1].stop_reason.type == "end_turn"


def test_a_denied_tool_reports_the_denial(scripted: Any) -> None:
    session_id = open_session(
        scripted, tools=[{**TOOLSET, "default_config": {"permission_policy": ASK}}]
    )
    scripted.beta.sessions.events.send(session_id, events=[message("bash")])
    use = stops(scripted, session_id, 1)[3]
    denial = {"type": "user.tool_confirmation", "tool_use_id": use.id, "result": "deny"}
    scripted.beta.sessions.events.send(session_id, events=[{**denial, "deny_message": "not now"}])
    result = next(e for e in stops(scripted, session_id, 2) if e.type == "agent.tool_result")
    assert (result.is_error, result.content[0].text) == (True, "not now")


def test_a_disabled_tool_is_refused_and_an_allowed_one_runs(scripted: Any) -> None:
    disabled = [{**TOOLSET, "configs": [{"name": "bash", "enabled": False}]}]
    session_id = open_session(scripted, tools=disabled)
    scripted.beta.sessions.events.send(session_id, events=[message("bash")])
    events = stops(scripted, session_id, 1)
    use, result = events[3], events[4]
    assert use.evaluated_permission == "deny" and use.evaluation is None
    assert result.is_error and "not enabled" in result.content[0].text
    assert events[-1].stop_reason.type == "end_turn"
    allowed = open_session(scripted, tools=[TOOLSET])
    scripted.beta.sessions.events.send(allowed, events=[message("bash")])
    use = stops(scripted, allowed, 1)[3]
    assert (use.evaluated_permission, use.evaluation.type) == ("allow", "always_allow")


def test_auto_is_judged_allow_and_a_rule_can_force_a_prompt(scripted: Any) -> None:
    auto = [{**TOOLSET, "default_config": {"permission_policy": {"type": "auto"}}}]
    session_id = open_session(scripted, tools=auto)
    scripted.beta.sessions.events.send(session_id, events=[message("bash")])
    use = stops(scripted, session_id, 1)[3]
    assert (use.evaluated_permission, use.evaluation.type) == ("allow", "auto")
    assert use.evaluation.evaluated_permission.type == "allow"
    forced = open_session(scripted, tools=[TOOLSET])
    scripted.beta.sessions.events.send(forced, events=[message("forced")])
    events = stops(scripted, forced, 1)
    assert (events[3].evaluated_permission, events[-1].stop_reason.type) == (
        "ask",
        "requires_action",
    )


def test_mcp_tools_follow_their_toolset(scripted: Any) -> None:
    toolset = {"type": "mcp_toolset", "mcp_server_name": "github"}
    session_id = open_session(scripted, mcp_servers=[GITHUB], tools=[toolset])
    scripted.beta.sessions.events.send(session_id, events=[message("mcp")])
    use = stops(scripted, session_id, 1)[3]
    assert (use.type, use.mcp_server_name, use.name) == (
        "agent.mcp_tool_use",
        "github",
        "get_issue",
    )
    assert use.evaluated_permission == "ask"  # mcp_toolset defaults to always_ask
    allow = {**toolset, "default_config": {"permission_policy": {"type": "always_allow"}}}
    trusted = open_session(scripted, mcp_servers=[GITHUB], tools=[allow])
    scripted.beta.sessions.events.send(trusted, events=[message("mcp")])
    events = stops(scripted, trusted, 1)
    assert kinds(events)[3:6] == ["agent.mcp_tool_use", "agent.mcp_tool_result", "agent.message"]
    assert events[4].mcp_tool_use_id == events[3].id and events[4].content[0].text == "#1 open"


def test_usage_is_reported_per_model_request_and_per_session(scripted: Any) -> None:
    session_id = open_session(scripted)
    for _ in range(2):
        scripted.beta.sessions.events.send(session_id, events=[message("usage")])
    events = stops(scripted, session_id, 2)
    ends = [e for e in events if e.type == "span.model_request_end"]
    assert [(e.model_usage.input_tokens, e.model_usage.output_tokens) for e in ends] == [
        (1200, 40),
        (1200, 40),
    ]
    snapshots = [e for e in events if e.type == "session.usage"]
    assert [s.usage.input_tokens for s in snapshots] == [1200, 2400]
    assert kinds(events)[-2:] == ["session.usage", "session.status_idle"]
    usage = scripted.beta.sessions.retrieve(session_id).usage
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens) == (
        2400,
        80,
        600,
    )


def test_scripted_errors(scripted: Any) -> None:
    exhausted = open_session(scripted)
    scripted.beta.sessions.events.send(exhausted, events=[message("overloaded")])
    events = stops(scripted, exhausted, 1)
    assert kinds(events)[-3:] == ["span.model_request_end", "session.error", "session.status_idle"]
    error = events[-2].error
    assert (error.type, error.message, error.retry_status.type) == (
        "model_overloaded_error",
        "too busy",
        "exhausted",
    )
    assert events[-3].is_error and events[-1].stop_reason.type == "retries_exhausted"
    terminal = open_session(scripted)
    scripted.beta.sessions.events.send(terminal, events=[message("fatal")])
    events = stops(scripted, terminal, 1)
    assert events[-2].error.mcp_server_name == "github"
    assert events[-1].type == "session.status_terminated"
    assert scripted.beta.sessions.retrieve(terminal).status == "terminated"
    with pytest.raises(anthropic.BadRequestError, match="terminated"):
        scripted.beta.sessions.events.send(terminal, events=[message("again")])
    with scripted.with_options(timeout=10).beta.sessions.events.stream(terminal) as stream:
        assert list(stream) == []  # nothing can happen to a terminated session


def test_a_retrying_error_reschedules_and_answers(scripted: Any) -> None:
    session_id = open_session(scripted)
    scripted.beta.sessions.events.send(session_id, events=[message("flaky")])
    events = stops(scripted, session_id, 1)
    assert kinds(events)[4:8] == [
        "session.error",
        "session.status_rescheduled",
        "session.status_running",
        "span.model_request_start",
    ]
    assert events[4].error.retry_status.type == "retrying"
    assert events[-1].stop_reason.type == "end_turn"


def test_outputs_become_downloadable_session_files(scripted: Any) -> None:
    session_id = open_session(scripted)
    scripted.beta.sessions.events.send(session_id, events=[message("write")])
    stops(scripted, session_id, 1)
    (output,) = scripted.beta.files.list(scope_id=session_id).data
    assert (output.filename, output.downloadable) == ("calc.py", True)
    assert (output.scope.type, output.scope.id) == ("session", session_id)
    assert scripted.beta.files.download(output.id).read() == b"def add(a, b):\n    return a + b\n"
    assert scripted.beta.files.list(scope_id="sesn_011Cother").data == []


def test_a_new_message_or_an_interrupt_drops_a_waiting_turn(scripted: Any) -> None:
    session_id = open_session(scripted, tools=[CUSTOM])
    scripted.beta.sessions.events.send(session_id, events=[message("custom")])
    waiting = stops(scripted, session_id, 1)[-1].stop_reason.event_ids
    scripted.beta.sessions.events.send(session_id, events=[{"type": "user.interrupt"}])
    late = {"type": "user.custom_tool_result", "custom_tool_use_id": waiting[0]}
    scripted.beta.sessions.events.send(session_id, events=[late])
    scripted.beta.sessions.events.send(session_id, events=[message("bash")])
    events = stops(scripted, session_id, 2)
    after = kinds(events)[kinds(events).index("user.interrupt") :]
    assert "agent.custom_tool_use" not in after and after.count("session.status_running") == 1
    assert events[-1].stop_reason.type == "end_turn"
