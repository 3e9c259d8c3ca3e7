"""Injected faults as the SDK sees them; the counters prove each fault really fired."""

from __future__ import annotations

import threading
import time
from typing import Any

import anthropic
import pytest

from agentform.emulator import admin

AGENT = {"name": "triage", "model": "claude-sonnet-4-6"}


def agent_count(client: Any) -> int:
    return len(client.beta.agents.list(limit=100).data)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (429, anthropic.RateLimitError),
        (500, anthropic.InternalServerError),
        (503, anthropic.ServiceUnavailableError),
        (529, anthropic.OverloadedError),
    ],
)
def test_error_status_without_retries(
    emulator_url: str, make_client: Any, status: int, error_class: type[Exception]
) -> None:
    client = make_client(emulator_url, max_retries=0)
    admin.inject_fault(
        emulator_url, method="POST", path="/v1/agents", status=status, retry_after=0.01
    )
    with pytest.raises(error_class) as caught:
        client.beta.agents.create(**AGENT)
    error: Any = caught.value
    assert error.status_code == status and error.response.headers["retry-after"] == "0.01"
    assert error.request_id == error.body["request_id"]
    assert agent_count(client) == 0  # the request was not executed
    assert admin.faults_fired(emulator_url) == 1
    assert admin.counters(emulator_url)["POST /v1/agents"] == 1


@pytest.mark.parametrize("status", [429, 500, 503, 529])
def test_error_status_is_retried_by_the_sdk(client: Any, emulator_url: str, status: int) -> None:
    admin.inject_fault(
        emulator_url, method="POST", path="/v1/agents", status=status, count=2, retry_after=0.01
    )
    agent = client.beta.agents.create(**AGENT)
    assert agent.version == 1 and agent_count(client) == 1
    assert admin.counters(emulator_url)["POST /v1/agents"] == 3
    assert admin.faults_fired(emulator_url) == 2


def test_lost_response_500_commits_the_write(emulator_url: str, make_client: Any) -> None:
    client = make_client(emulator_url, max_retries=0)
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", lost="500")
    with pytest.raises(anthropic.InternalServerError):
        client.beta.agents.create(**AGENT, metadata={"agentform.key": "triage"})
    [agent] = client.beta.agents.list().data
    assert agent.metadata == {"agentform.key": "triage"}
    assert admin.faults_fired(emulator_url) == 1


def test_lost_response_retried_duplicates_the_create(client: Any, emulator_url: str) -> None:
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents", lost="500", retry_after=0.01)
    client.beta.agents.create(**AGENT)
    assert agent_count(client) == 2  # what a lost create looks like to a retrying client
    assert admin.counters(emulator_url)["POST /v1/agents"] == 2


def test_lost_response_drop_is_a_connection_error(emulator_url: str, make_client: Any) -> None:
    client = make_client(emulator_url, max_retries=0)
    agent = client.beta.agents.create(**AGENT)
    admin.inject_fault(emulator_url, method="POST", path="/v1/agents/*", lost="drop")
    with pytest.raises(anthropic.APIConnectionError):
        client.beta.agents.update(agent.id, version=1, system="committed anyway")
    assert client.beta.agents.retrieve(agent.id).version == 2
    assert admin.faults_fired(emulator_url) == 1


def test_glob_paths_and_methods_select_requests(client: Any, emulator_url: str) -> None:
    agent = client.beta.agents.create(**AGENT)
    admin.inject_fault(
        emulator_url, method="GET", path="/v1/agents/*", status=500, count=2, retry_after=0.01
    )
    assert client.beta.agents.list().data[0].id == agent.id  # /v1/agents does not match the glob
    assert client.beta.agents.retrieve(agent.id).id == agent.id  # two faults, then success
    counts = admin.counters(emulator_url)
    assert counts["GET /v1/agents/{agent_id}"] == 3 and counts["GET /v1/agents"] == 1
    assert admin.faults_fired(emulator_url) == 2


def test_admin_requests_are_not_counted_and_reset_clears(client: Any, emulator_url: str) -> None:
    client.beta.agents.list()
    admin.inject_fault(emulator_url, method="GET", path="/v1/agents", status=500)
    assert admin.counters(emulator_url) == {"GET /v1/agents": 1}
    admin.reset(emulator_url)
    assert admin.counters(emulator_url) == {} and admin.faults_fired(emulator_url) == 0
    client.beta.agents.list()  # the pending fault was cleared too
    with pytest.raises(admin.AdminError, match="status"):
        admin.inject_fault(emulator_url, method="GET", path="/v1/agents", status=200)


def test_latency_is_an_async_sleep(fresh_emulator: Any, make_client: Any) -> None:
    """Five slow requests are all in flight at once: the admin API (which skips latency)
    counts all five while none has answered. A blocking sleep would serve them in turn."""
    with fresh_emulator(latency_ms=3000) as url:
        client = make_client(url)
        finished: list[float] = []

        def slow_list() -> None:
            client.beta.agents.list()
            finished.append(time.monotonic())

        threads = [threading.Thread(target=slow_list) for _ in range(5)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while admin.counters(url).get("GET /v1/agents", 0) < 5:
            assert not finished, "a request answered before all five had arrived"
            time.sleep(0.01)
        assert not finished  # all five arrived, none answered: they sleep side by side
        for thread in threads:
            thread.join()
    assert len(finished) == 5 and min(finished) - started >= 3.0  # each did wait its latency
