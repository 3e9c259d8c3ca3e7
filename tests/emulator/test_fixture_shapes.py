"""The emulator's JSON has exactly the shape of the strictly-valid reference objects.

`tests/fixtures/strict-fixtures.json` is a copy of the reference examples that pass the
SDK's strict validation. Created from the same inputs, the emulator's agent,
environment and session must carry the same keys at every level (values differ: ids,
timestamps).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2

FIXTURES = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "strict-fixtures.json").read_text()
)
HEADERS = {"x-api-key": "k", "anthropic-beta": "managed-agents-2026-04-01"}
AGENT_INPUT = {
    "name": "Coding Assistant",
    "model": "claude-opus-4-8",
    "system": "You are a helpful coding agent.",
    "tools": [
        {
            "type": "agent_toolset_20260401",
            "configs": [
                {"name": "bash", "permission_policy": {"type": "always_ask"}},
                {"name": "web_fetch", "enabled": False},
            ],
        },
        {"type": "mcp_toolset", "mcp_server_name": "github"},
        FIXTURES["agent"]["tools"][2],
    ],
    "mcp_servers": FIXTURES["agent"]["mcp_servers"],
    "skills": [{"type": "anthropic", "skill_id": "xlsx"}],
    "metadata": {"team": "infra"},
}
ENV_INPUT = {
    "name": "python-data-analysis",
    "config": {
        "type": "cloud",
        "networking": {
            "type": "limited",
            "allowed_hosts": ["api.example.com"],
            "allow_package_managers": True,
        },
        "packages": {"pip": ["pandas", "numpy"]},
    },
}


def keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(item) for item in value]
    return None


def post(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx2.post(url + path, json=body, headers=HEADERS, timeout=5)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_agent_environment_and_session_shapes(emulator_url: str) -> None:
    agent = post(emulator_url, "/v1/agents", AGENT_INPUT)
    env = post(emulator_url, "/v1/environments", ENV_INPUT)
    session_input = {
        "agent": {"type": "agent", "id": agent["id"], "version": 1},
        "environment_id": env["id"],
    }
    session = post(emulator_url, "/v1/sessions", {**session_input, "title": "Quickstart session"})
    assert keys(agent) == keys(FIXTURES["agent"])
    assert keys(env) == keys(FIXTURES["environment"])
    assert keys(session) == keys(FIXTURES["session"])
    expected = {
        k: v for k, v in FIXTURES["agent"].items() if k not in ("id", "created_at", "updated_at")
    }
    assert {k: v for k, v in agent.items() if k in expected} == expected
    assert env["config"] == FIXTURES["environment"]["config"]
