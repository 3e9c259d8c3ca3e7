"""The Messages API and Message Batches, scripted by the responder's `messages:` rules, read
by the real SDK with strict response validation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from agentform.emulator import admin
from agentform.emulator.responder import ResponderError, parse_responder

RULES = """
messages:
  - when: {model: claude-haiku-4-5, system_contains: grade, message: "(?s)<reply>.*billing"}
    reply: '{"pass": true, "reason": "billing"}'
    usage: {input_tokens: 300, output_tokens: 9}
  - when: {message: "(?i)hello"}
    reply: hello there, how are you today
"""
HAIKU = "claude-haiku-4-5"


@pytest.fixture
def url(fresh_emulator: Any, tmp_path: Path) -> Iterator[str]:
    rules = tmp_path / "responder.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with fresh_emulator(responder=rules) as found:
        yield found


def ask(client: Any, text: str, **extra: Any) -> Any:
    params = {"model": HAIKU, "max_tokens": 100, "messages": [{"role": "user", "content": text}]}
    return client.messages.create(**{**params, **extra})


def test_a_rule_scripts_the_reply_and_its_usage(url: str, make_client: Any) -> None:
    client = make_client(url)
    message = ask(client, "<reply>routes to billing</reply>", system="You grade replies.")
    assert [(b.type, b.text) for b in message.content] == [
        ("text", '{"pass": true, "reason": "billing"}')
    ]
    assert (message.role, message.model, message.stop_reason) == ("assistant", HAIKU, "end_turn")
    assert (message.usage.input_tokens, message.usage.output_tokens) == (300, 9)
    assert message.usage.service_tier == "standard" and message.id.startswith("msg_011C")
    other_model = ask(client, "<reply>billing</reply>", system="grade", model="claude-sonnet-4-6")
    assert other_model.content[0].text.startswith("[emulator] claude-sonnet-4-6 received: <reply>")
    assert admin.counters(url)["POST /v1/messages"] == 2


def test_word_counts_and_max_tokens(url: str, make_client: Any) -> None:
    client = make_client(url)
    full = ask(client, "Hello you")
    assert full.content[0].text == "hello there, how are you today"
    assert (full.usage.input_tokens, full.usage.output_tokens) == (2, 6)
    cut = ask(client, "Hello you", max_tokens=2)
    assert (cut.content[0].text, cut.stop_reason) == ("hello there,", "max_tokens")


def test_requests_are_checked_against_the_sdk_params(url: str, make_client: Any) -> None:
    client = make_client(url, max_retries=0)
    body = {"model": HAIKU, "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(anthropic.BadRequestError, match="max_tokens: Field required"):
        client.post("/v1/messages", body=body, cast_to=object)
    streamed = {**body, "max_tokens": 5, "stream": True}
    with pytest.raises(anthropic.BadRequestError, match="stream: streaming is not served"):
        client.post("/v1/messages", body=streamed, cast_to=object)
    bad_role = {**body, "max_tokens": 5, "messages": [{"role": "robot", "content": "hi"}]}
    with pytest.raises(anthropic.BadRequestError, match="messages.0"):
        client.post("/v1/messages", body=bad_role, cast_to=object)


def test_a_batch_answers_every_request_at_half_the_tier(url: str, make_client: Any) -> None:
    client = make_client(url)
    requests = [
        {
            "custom_id": f"r-{n}",
            "params": {
                "model": HAIKU,
                "max_tokens": 50,
                "system": "grade it",
                "messages": [{"role": "user", "content": f"<reply>billing {n}</reply>"}],
            },
        }
        for n in range(3)
    ]
    batch = client.messages.batches.create(requests=requests)
    assert (batch.processing_status, batch.request_counts.processing) == ("in_progress", 3)
    assert batch.results_url is None and batch.id.startswith("msgbatch_011C")
    deadline = time.monotonic() + 10
    while batch.processing_status != "ended" and time.monotonic() < deadline:
        time.sleep(0.02)
        batch = client.messages.batches.retrieve(batch.id)
    assert batch.processing_status == "ended" and batch.request_counts.succeeded == 3
    assert batch.ended_at is not None and batch.results_url.endswith(f"/{batch.id}/results")
    results = {line.custom_id: line.result for line in client.messages.batches.results(batch.id)}
    assert set(results) == {"r-0", "r-1", "r-2"}
    first = results["r-0"]
    assert first.type == "succeeded"
    assert first.message.content[0].text == '{"pass": true, "reason": "billing"}'
    assert first.message.usage.service_tier == "batch"


def test_batch_requests_are_checked_and_unknown_batches_are_404(url: str, make_client: Any) -> None:
    client = make_client(url, max_retries=0)
    good = {"model": HAIKU, "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    twice = [{"custom_id": "a", "params": good}, {"custom_id": "a", "params": good}]
    with pytest.raises(anthropic.BadRequestError, match="requests.1.custom_id: 'a' is not unique"):
        client.messages.batches.create(requests=twice)
    broken = [{"custom_id": "a", "params": {**good, "max_tokens": "many"}}]
    with pytest.raises(anthropic.BadRequestError, match="requests.0.params.max_tokens"):
        client.messages.batches.create(requests=broken)
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_011Cnothere")


def test_a_canceled_batch_ends_with_what_it_answered(url: str, make_client: Any) -> None:
    client = make_client(url)
    good = {"model": HAIKU, "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": good}])
    canceled = client.messages.batches.cancel(batch.id)
    assert canceled.processing_status in ("canceling", "ended")
    deadline = time.monotonic() + 10
    while canceled.processing_status != "ended" and time.monotonic() < deadline:
        canceled = client.messages.batches.retrieve(batch.id)
    counts = canceled.request_counts
    assert counts.succeeded + counts.canceled == 1 and counts.processing == 0


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"messages": [{"when": {"agent_name": "x"}, "reply": "y"}]}, "messages[0].when: unknown"),
        ({"messages": [{"when": {"message": "("}, "reply": "y"}]}, "messages[0].when.message"),
        ({"messages": [{"when": {"model": "x"}}]}, "messages[0]: needs a reply"),
        ({"messages": {"reply": "y"}}, "messages: expected a list of rules"),
    ],
)
def test_bad_message_rules_name_the_rule(document: object, problem: str) -> None:
    with pytest.raises(ResponderError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_responder(document, source="responder.yaml")
