"""Auth, beta header, request ids, workspaces and the error envelope on the wire."""

from __future__ import annotations

import logging
from typing import Any

import anthropic
import httpx2
import pytest

BETA = {"anthropic-beta": "managed-agents-2026-04-01"}


def get(url: str, path: str, headers: dict[str, str]) -> httpx2.Response:
    return httpx2.get(url + path, headers=headers, timeout=5)


def test_missing_credentials_are_a_401_envelope(emulator_url: str) -> None:
    response = get(emulator_url, "/v1/agents", BETA)
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
    assert body["request_id"] == response.headers["request-id"]
    assert body["request_id"].startswith("req_011C")


@pytest.mark.parametrize("auth", [{"x-api-key": "k"}, {"authorization": "Bearer k"}])
def test_either_auth_header_works(emulator_url: str, auth: dict[str, str]) -> None:
    response = get(emulator_url, "/v1/agents?beta=true", {**BETA, **auth})
    assert response.status_code == 200 and response.json() == {"data": [], "next_page": None}


def test_beta_token_is_required(emulator_url: str) -> None:
    response = get(emulator_url, "/v1/agents", {"x-api-key": "k"})
    assert (
        response.status_code == 400
        and "managed-agents-2026-04-01" in response.json()["error"]["message"]
    )
    other = get(
        emulator_url,
        "/v1/agents",
        {"x-api-key": "k", "anthropic-beta": "a-1,managed-agents-2026-04-01"},
    )
    assert other.status_code == 200


def test_configured_api_key_must_match(fresh_emulator: Any, make_client: Any) -> None:
    with fresh_emulator(api_key="s3cret") as url:
        with pytest.raises(anthropic.AuthenticationError):
            make_client(url, api_key="wrong").beta.agents.list()
        assert make_client(url, api_key="s3cret").beta.agents.list().data == []
        assert get(url, "/v1/agents", {**BETA, "x-api-key": "s3cret"}).status_code == 200


def test_request_id_header_reaches_the_sdk(client: Any) -> None:
    agent = client.beta.agents.create(name="a", model="claude-sonnet-4-6")
    assert agent._request_id.startswith("req_011C")
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.beta.agents.retrieve("agent_011Cmissing")
    assert caught.value.request_id == caught.value.body["request_id"]
    assert caught.value.type == "not_found_error"


def test_workspaces_partition_objects(client: Any) -> None:
    staging = client.beta.agents.create(
        name="a", model="claude-sonnet-4-6", workspace_id="wrkspc_staging"
    )
    assert client.beta.agents.list(workspace_id="wrkspc_prod").data == []
    assert client.beta.agents.list().data == []
    listed = client.beta.agents.list(workspace_id="wrkspc_staging").data
    assert [a.id for a in listed] == [staging.id]
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.beta.agents.retrieve(staging.id, workspace_id="wrkspc_prod")
    assert caught.value.workspace_id == "wrkspc_prod"
    raw = client.beta.agents.with_raw_response.retrieve(staging.id, workspace_id="wrkspc_staging")
    assert raw.headers["anthropic-workspace-id"] == "wrkspc_staging"


def test_unknown_routes_and_bad_bodies(emulator_url: str) -> None:
    headers = {**BETA, "x-api-key": "k", "content-type": "application/json"}
    missing = get(emulator_url, "/v1/nothing", headers)
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    bad = httpx2.post(emulator_url + "/v1/agents", content=b"{nope", headers=headers, timeout=5)
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]
    array = httpx2.post(emulator_url + "/v1/agents", json=[1], headers=headers, timeout=5)
    assert array.status_code == 400 and "object" in array.json()["error"]["message"]


def test_a_client_killed_mid_body_is_not_an_emulator_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A killed client (chaos runs, a killed --local command) leaves a body half sent: no
    traceback on the emulator's stderr, and it keeps serving."""
    import socket
    import time

    from agentform.emulator import admin, serve

    head = (
        "POST /v1/agents?beta=true HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
        "anthropic-beta: managed-agents-2026-04-01\r\ncontent-type: application/json\r\n"
        "content-length: 500\r\n\r\n"
    )
    with caplog.at_level(logging.ERROR), serve() as url:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(head.encode() + b'{"name": "half')
            deadline = time.monotonic() + 30
            while "POST /v1/agents" not in admin.counters(url) and time.monotonic() < deadline:
                time.sleep(0.01)  # the emulator is reading the body
        time.sleep(0.2)  # the disconnect reaches the handler
        assert admin.counters(url).get("POST /v1/agents") == 1  # the request did arrive
        assert get(url, "/v1/agents?beta=true", {**BETA, "x-api-key": "k"}).status_code == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
