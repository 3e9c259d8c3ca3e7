"""The Messages API and Message Batches, answered by the responder's `messages:` rules.

- `POST /v1/messages`: the request is checked against the SDK's own
  `MessageCreateParamsNonStreaming` (a 400 names the field); `stream: true` is a 400 (not
  served). The reply is the first matching rule's text (message_rules.py), as one text
  block; `usage` is the rule's, else word counts (input: system and messages; output:
  the reply). A reply longer than `max_tokens` words is cut there, `stop_reason:
  max_tokens`.
- Batches: `POST /v1/messages/batches` checks every request the same way (a 400 names
  `requests.N.params...`; custom ids must be unique, 1-64 characters of letters, digits,
  `_` and `-`), answers `in_progress`, and then answers the requests in the background,
  in order; `GET .../{id}` shows the counts; once `ended` it has a `results_url`, and
  `GET .../{id}/results` streams one JSON line per request (`succeeded`, with
  `service_tier: batch` in its usage; `canceled` after a cancel). `POST .../{id}/cancel`
  cancels what was not answered yet. Batches live in memory: a restart forgets them.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from agentform.emulator.errors import invalid_request, not_found
from agentform.emulator.ids import format_ms, new_id
from agentform.emulator.message_rules import MessageRequest, answer
from agentform.emulator.state import Emulator
from agentform.emulator.validation import _check_typeddict, _Invalid

Json = dict[str, Any]
_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_BATCH = 100_000


def create_message(em: Emulator, body: object, tier: str = "standard") -> Json:
    params = _checked(body, "")
    return _reply(em, params, tier)


def _checked(body: object, path: str) -> Json:
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

    if not isinstance(body, dict):
        raise invalid_request(f"{path or 'request body'}: must be a JSON object")
    if body.get("stream"):
        raise invalid_request(f"{path}stream: streaming is not served by the emulator")
    try:
        _check_typeddict(body, MessageCreateParamsNonStreaming, path.rstrip("."), top_level=True)
    except _Invalid as exc:
        raise invalid_request(str(exc)) from None
    return body


def _reply(em: Emulator, params: Mapping[str, Any], tier: str) -> Json:
    request = MessageRequest(params["model"], _text(params.get("system")), _last_user(params))
    text, usage = answer(em.responder.messages, request)
    words = text.split(" ")
    stop = "end_turn"
    if len(text.split()) > params["max_tokens"]:
        text, stop = " ".join(words[: params["max_tokens"]]), "max_tokens"
    counts = (
        usage.as_json()
        if usage is not None
        else {
            "input_tokens": len(request.system.split()) + _input_words(params),
            "output_tokens": len(text.split()),
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
    )
    return {
        "id": new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": params["model"],
        "content": [{"type": "text", "text": text, "citations": None}],
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {**counts, "service_tier": tier},
    }


def _text(content: Any) -> str:
    """The text of a system prompt or a message's content (a string or blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


def _last_user(params: Mapping[str, Any]) -> str:
    users = [m for m in params["messages"] if m.get("role") == "user"]
    return _text(users[-1].get("content")) if users else ""


def _input_words(params: Mapping[str, Any]) -> int:
    return sum(len(_text(m.get("content")).split()) for m in params["messages"])


# -- batches ------------------------------------------------------------------------------


@dataclass(eq=False)
class Batch:
    id: str
    created_ms: int
    requests: list[tuple[str, Json]]
    results: list[Json] = field(default_factory=list)
    ended_ms: int | None = None
    cancel_ms: int | None = None
    task: asyncio.Task[None] | None = None

    def view(self, base_url: str) -> Json:
        processing = 0 if self.ended_ms is not None else len(self.requests) - len(self.results)
        counts = {"processing": processing, "succeeded": 0, "errored": 0}
        counts.update(canceled=0, expired=0)
        for result in self.results:
            counts[result["result"]["type"]] += 1
        if self.ended_ms is not None:
            counts["canceled"] += len(self.requests) - len(self.results)
        status = "ended" if self.ended_ms is not None else "in_progress"
        if status == "in_progress" and self.cancel_ms is not None:
            status = "canceling"
        created = datetime.fromtimestamp(self.created_ms / 1000, tz=timezone.utc)
        expires = created + timedelta(hours=24)
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": format_ms(self.created_ms),
            "expires_at": format_ms(int(expires.timestamp() * 1000)),
            "ended_at": None if self.ended_ms is None else format_ms(self.ended_ms),
            "cancel_initiated_at": None if self.cancel_ms is None else format_ms(self.cancel_ms),
            "archived_at": None,
            "results_url": (
                None
                if self.ended_ms is None
                else f"{base_url}/v1/messages/batches/{self.id}/results"
            ),
        }


_BOOKS: weakref.WeakKeyDictionary[Emulator, dict[tuple[str, str], Batch]] = (
    weakref.WeakKeyDictionary()
)


def _book(em: Emulator) -> dict[tuple[str, str], Batch]:
    return _BOOKS.setdefault(em, {})


def create_batch(em: Emulator, workspace: str, body: object, base_url: str) -> Json:
    requests = _batch_requests(body)
    batch = Batch(new_id("msgbatch"), em.clock.now_ms(), requests)
    _book(em)[(workspace, batch.id)] = batch
    batch.task = asyncio.get_running_loop().create_task(_process(em, batch))
    return batch.view(base_url)


def _batch_requests(body: object) -> list[tuple[str, Json]]:
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise invalid_request("requests: expected a non-empty list")
    if len(requests) > MAX_BATCH:
        raise invalid_request(f"requests: at most {MAX_BATCH:,} requests per batch")
    seen: set[str] = set()
    checked = []
    for index, item in enumerate(requests):
        custom_id = item.get("custom_id") if isinstance(item, dict) else None
        if not isinstance(custom_id, str) or not _CUSTOM_ID.match(custom_id):
            raise invalid_request(f"requests.{index}.custom_id: 1-64 letters, digits, _ or -")
        if custom_id in seen:
            raise invalid_request(f"requests.{index}.custom_id: {custom_id!r} is not unique")
        seen.add(custom_id)
        checked.append((custom_id, _checked(item.get("params"), f"requests.{index}.params.")))
    return checked


async def _process(em: Emulator, batch: Batch) -> None:
    for custom_id, params in batch.requests:
        if batch.cancel_ms is not None:
            break
        message = _reply(em, params, "batch")
        batch.results.append(
            {"custom_id": custom_id, "result": {"type": "succeeded", "message": message}}
        )
        await asyncio.sleep(0)
    for custom_id, _ in batch.requests[len(batch.results) :]:
        batch.results.append({"custom_id": custom_id, "result": {"type": "canceled"}})
    batch.ended_ms = em.clock.now_ms()


def find_batch(em: Emulator, workspace: str, batch_id: str) -> Batch:
    batch = _book(em).get((workspace, batch_id))
    if batch is None:
        raise not_found("message batch", batch_id)
    return batch


def cancel_batch(em: Emulator, workspace: str, batch_id: str, base_url: str) -> Json:
    batch = find_batch(em, workspace, batch_id)
    if batch.ended_ms is None and batch.cancel_ms is None:
        batch.cancel_ms = em.clock.now_ms()
    return batch.view(base_url)


def batch_results(em: Emulator, workspace: str, batch_id: str) -> bytes:
    batch = find_batch(em, workspace, batch_id)
    if batch.ended_ms is None:
        raise invalid_request(f"message batch {batch_id} has not ended yet: no results")
    return "".join(json.dumps(r) + "\n" for r in batch.results).encode()
