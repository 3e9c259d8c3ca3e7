"""The responder rules file: matching, the default reply, and errors that name the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from agentform.cli import main
from agentform.emulator.responder import ResponderError, Turn, load_responder, parse_responder

TURN = Turn(
    agent_key="triage",
    agent_name="ticket-triage",
    agent_version=2,
    system="ROUTING RULE 1",
    message="A usage fee?",
)


def test_first_matching_rule_wins() -> None:
    responder = parse_responder(
        yaml.safe_load(
            """
            rules:
              - when: {agent_version: [1, 3]}
                reply: wrong version
              - when:
                  agent_key: triage
                  agent_name: ticket-triage
                  system_contains: ROUTING
                  message: "(?i)usage (charge|fee)"
                reply: billing
                delay_ms: 5
              - reply: catch-all
            """
        )
    )
    reply = responder.respond(TURN)
    assert (reply.text, reply.delay_ms, reply.hang) == ("billing", 5, False)
    other = Turn(agent_key=None, agent_name="x", agent_version=1, system="", message="hi")
    assert responder.respond(other).text == "wrong version"


def test_default_reply_is_deterministic() -> None:
    builtin = parse_responder(None)
    first, second = builtin.respond(TURN), builtin.respond(TURN)
    assert first == second and first.text == "[emulator] ticket-triage v2 received: A usage fee?"
    assert parse_responder({"default_reply": "fixed"}).respond(TURN).text == "fixed"
    assert (
        parse_responder({"rules": [{"when": {"message": "fee"}}]})
        .respond(TURN)
        .text.startswith("[emulator]")
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"rules": [{"when": {"agent": "x"}}]}, "rules[0].when: unknown key 'agent'"),
        (
            {"rules": [{"when": {"message": "("}}]},
            "rules[0].when.message: invalid regular expression",
        ),
        ({"rules": [{"reply": "x", "delay_ms": -1}]}, "rules[0].delay_ms"),
        ({"rules": [{"when": {"agent_version": "2"}}]}, "rules[0].when.agent_version"),
        ({"rules": [{"tool_uses": [{"name": "bash", "input": "ls"}]}]}, "rules[0].tool_uses[0]"),
        ({"rule": []}, "unknown key 'rule'"),
        (
            {"rules": [{"tool_uses": [{"type": "custom", "name": "x", "result": "y"}]}]},
            "rules[0].tool_uses[0]: a custom tool's result comes from the client",
        ),
        (
            {"rules": [{"tool_uses": [{"type": "mcp", "name": "x"}]}]},
            "rules[0].tool_uses[0]: `server` is required for, and only for, mcp",
        ),
        (
            {"rules": [{"tool_uses": [{"name": "bash", "permission": "maybe"}]}]},
            "rules[0].tool_uses[0].permission: expected one of allow, ask, deny",
        ),
        ({"rules": [{"usage": {"input_tokens": 1}}]}, "rules[0].usage: needs input_tokens"),
        ({"rules": [{"error": {"type": "nope"}}]}, "rules[0].error.type: expected one of"),
        (
            {"rules": [{"error": {"type": "mcp_connection_failed_error"}}]},
            "rules[0].error: mcp_connection_failed_error needs mcp_server_name",
        ),
        ({"rules": [{"outputs": [{"content": "x"}]}]}, "rules[0].outputs[0]: needs a path"),
    ],
)
def test_errors_name_the_rule(document: object, problem: str) -> None:
    with pytest.raises(ResponderError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_responder(document, source="responder.yaml")


def test_cli_stops_on_a_bad_rules_file(tmp_path: Path) -> None:
    rules = tmp_path / "responder.yaml"
    rules.write_text("rules:\n  - when: {message: '('}\n")
    result = CliRunner().invoke(
        main, ["--dir", str(tmp_path), "emulator", "--port", "0", "--responder", str(rules)]
    )
    assert result.exit_code == 1 and "invalid regular expression" in result.output
    with pytest.raises(ResponderError, match="cannot read"):
        load_responder(tmp_path / "missing.yaml")
