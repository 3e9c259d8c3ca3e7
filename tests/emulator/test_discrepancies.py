"""Small fidelity fixes found by running the API's tutorials and property tests (issue 14)."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest

BETA = {"anthropic-beta": "managed-agents-2026-04-01"}
KEYED = {**BETA, "x-api-key": "k"}


def test_an_integral_float_is_accepted_where_an_integer_is_due(
    client: Any, emulator_url: str
) -> None:
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
    updated = httpx2.post(
        f"{emulator_url}/v1/agents/{agent.id}",
        json={"version": 1.0, "system": "changed"},
        headers=KEYED,
        timeout=5,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert client.beta.agents.retrieve(agent.id).version == 2  # stored as an integer
    fraction = httpx2.post(
        f"{emulator_url}/v1/agents/{agent.id}", json={"version": 1.5}, headers=KEYED, timeout=5
    )
    assert fraction.status_code == 400
    assert fraction.json()["error"]["message"] == "version: Input should be a valid integer"
    listed = httpx2.get(f"{emulator_url}/v1/agents?limit=1.0", headers=KEYED, timeout=5)
    assert listed.status_code == 200 and len(listed.json()["data"]) == 1


def test_a_405_says_which_methods_are_allowed(emulator_url: str) -> None:
    response = httpx2.put(f"{emulator_url}/v1/agents", headers=KEYED, timeout=5)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"]["type"] == "invalid_request_error"
    one = httpx2.put(f"{emulator_url}/v1/environments/env_011Cx", headers=KEYED, timeout=5)
    assert one.status_code == 405 and one.headers["allow"] == "DELETE, GET, POST"


@pytest.mark.parametrize(
    ("header", "named"),
    [({"authorization": "Bearer wrong"}, "bearer token"), ({"x-api-key": "wrong"}, "x-api-key")],
)
def test_a_wrong_key_is_named_by_the_header_it_came_in(
    fresh_emulator: Any, header: dict[str, str], named: str
) -> None:
    with fresh_emulator(api_key="s3cret") as url:
        response = httpx2.get(f"{url}/v1/agents", headers={**BETA, **header}, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == f"invalid {named}"


def test_environment_name_null_keeps_the_name(client: Any) -> None:
    env = client.beta.environments.create(name="triage-env")
    same = client.beta.environments.update(env.id, name=None, description="now described")
    assert same.name == "triage-env" and same.description == "now described"
    with pytest.raises(anthropic.BadRequestError, match="name"):
        client.beta.environments.update(env.id, name="")
