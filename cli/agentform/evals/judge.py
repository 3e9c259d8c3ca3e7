"""The `rubric` grader: an LLM judge through the Messages API, with its own cache.

The judge is a fixed model (`judge.model` in the suite), asked `judge.repeats` times per
reply with the same prompt; the majority decides (a tie fails). Each call is cached
(cache.py) under the judge model, the prompt and the call's index, so a rerun asks only
what it has not asked before. Calls go one by one as replies arrive, or, for suites
with many of them (`judge.batch`), all at once through the Message Batches API (half the
price, no rate-limit pressure) once every session has finished.

The judge answers one line of JSON, `{"pass": true|false, "reason": "..."}`; an answer
that is not (or the emulator's placeholder, when its responder has no `messages:` rule
for the judge) gives no verdict, and a reply no judge call could grade is an error, not
a wrong answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agentform.evals.cache import Cache, key
from agentform.evals.costs import BATCH_DISCOUNT, Price, run_cost
from agentform.evals.graders import GraderError
from agentform.evals.results import USAGE_FIELDS, Grade
from agentform.evals.scoring import clip, parse_json_reply
from agentform.evals.suite_model import Case, GraderSpec, Judge, canonical

SYSTEM = (
    "You grade one reply of an AI agent against a rubric. Read the rubric, the input the "
    "agent was given and its reply (and the expected answer, when there is one). Answer "
    'with exactly one line of JSON and nothing else: {"pass": true or false, "reason": '
    '"<one sentence>"}.'
)
PLACEHOLDER = "[emulator] "
BATCH_CHUNK = 10_000
POLL_FIRST, POLL_MAX = 0.05, 30.0
JudgeProgress = Callable[[int, int], None]  # (judge calls answered, judge calls in all)


@dataclass(frozen=True)
class Call:
    key: str  # the cache key; its first 64 characters are the batch custom_id
    params: dict[str, Any]


@dataclass
class JudgeSpend:
    calls: int = 0  # made now
    cached: int = 0  # answered from the cache
    batched: int = 0  # of `calls`, through the Message Batches API
    tokens: dict[str, int] = field(default_factory=lambda: dict.fromkeys(USAGE_FIELDS, 0))
    cost: float | None = 0.0


def prompt(spec: GraderSpec, case: Case, message: str, reply: str) -> str:
    parts = [
        f"<rubric>\n{spec.options['rubric']}\n</rubric>",
        f"<input>\n{message}\n</input>",
        f"<reply>\n{reply}\n</reply>",
    ]
    if case.expected is not None:
        shown = case.expected if isinstance(case.expected, str) else canonical(case.expected)
        parts.append(f"<expected>\n{shown}\n</expected>")
    return "\n\n".join(parts)


def calls(judge: Judge, scope: str, text: str) -> list[Call]:
    params = {
        "model": judge.model,
        "max_tokens": judge.max_tokens,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": text}],
    }
    base = key(scope, canonical(params))
    return [Call(key(base, index), params) for index in range(judge.repeats)]


def decide(spec: GraderSpec, answers: list[str]) -> Grade:
    """The majority of the judge's verdicts; GraderError when none could be read."""
    verdicts = [_verdict(text) for text in answers]
    read = [v for v in verdicts if v is not None]
    if not read:
        raise GraderError(_unreadable(answers[0] if answers else ""))
    passed = sum(1 for ok, _ in read if ok)
    ok = passed * 2 > len(read)
    reasons = [reason for verdict, reason in read if verdict == ok]
    tally = f" ({passed}/{len(read)} judge calls passed)" if len(read) > 1 else ""
    return Grade(spec.name, ok, "" if ok else f"{reasons[0] if reasons else 'failed'}{tally}")


def _verdict(text: str) -> tuple[bool, str] | None:
    parsed = parse_json_reply(text)
    if isinstance(parsed, dict) and isinstance(parsed.get("pass"), bool):
        return parsed["pass"], str(parsed.get("reason", ""))
    return None


def _unreadable(text: str) -> str:
    if text.startswith(PLACEHOLDER):
        return (
            "the judge's reply is the emulator's placeholder: its responder rules have no "
            "`messages:` rule that answers the judge (see docs/emulator.md)"
        )
    return f'the judge gave no verdict (expected {{"pass": ..., "reason": ...}}): {clip(text)}'


class AsyncJudge:
    """Judge calls for one eval run: inline, or collected for one Message Batch."""

    def __init__(
        self,
        client: Any,  # anthropic.AsyncAnthropic
        cache: Cache,
        judge: Judge,
        scope: str,
        *,
        batch: bool,
        prices: Mapping[str, Price] | None = None,
        workspace: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.judge = judge
        self.scope = scope
        self.batch = batch
        self.prices = prices
        self.workspace = dict(workspace or {})
        self.spend = JudgeSpend()
        self.pending: dict[str, Call] = {}

    def cached(self, todo: list[Call]) -> list[str] | None:
        """Every call's answer from the cache, or None when one is missing."""
        found = [self.cache.judgment(call.key) for call in todo]
        if any(item is None for item in found):
            return None
        self.spend.cached += len(todo)
        return [str(item["text"]) for item in found if item is not None]

    async def answers(self, todo: list[Call]) -> list[str]:
        """Ask now (cached answers first)."""
        return self.cached(todo) or [await self._ask(call) for call in todo]

    def defer(self, todo: list[Call]) -> None:
        for call in todo:
            self.pending[call.key] = call

    async def _ask(self, call: Call) -> str:
        found = self.cache.judgment(call.key)
        if found is not None:
            self.spend.cached += 1
            return str(found["text"])
        message = await self.client.messages.create(**call.params, **self.workspace)
        return self._record(call.key, message, batched=False)

    def _record(self, call_key: str, message: Any, *, batched: bool) -> str:
        text = "".join(b.text for b in message.content if getattr(b, "type", "") == "text")
        usage = {name: int(getattr(message.usage, name, 0) or 0) for name in USAGE_FIELDS}
        self.cache.put_judgment(call_key, {"text": text, "usage": usage})
        self.spend.calls += 1
        self.spend.batched += batched
        for name in USAGE_FIELDS:
            self.spend.tokens[name] += usage[name]
        cost = run_cost(self.judge.model, usage, self.prices)
        if cost is None or self.spend.cost is None:
            self.spend.cost = None
        else:
            self.spend.cost += cost * (BATCH_DISCOUNT if batched else 1.0)
        return text

    async def flush(self, progress: JudgeProgress) -> None:
        """Send the deferred calls as Message Batches, wait for them, cache the answers."""
        todo = [c for c in self.pending.values() if self.cache.judgment(c.key) is None]
        self.pending.clear()
        done = 0
        for start in range(0, len(todo), BATCH_CHUNK):
            chunk = todo[start : start + BATCH_CHUNK]
            done = await self._one_batch(chunk, done, len(todo), progress)

    async def _one_batch(
        self, chunk: list[Call], done: int, total: int, progress: JudgeProgress
    ) -> int:
        batches = self.client.messages.batches
        by_id = {call.key[:64]: call for call in chunk}
        requests = [{"custom_id": cid, "params": call.params} for cid, call in by_id.items()]
        batch = await batches.create(requests=requests, **self.workspace)
        delay = POLL_FIRST
        while batch.processing_status != "ended":
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, POLL_MAX)
            batch = await batches.retrieve(batch.id, **self.workspace)
            counts = batch.request_counts
            progress(done + counts.succeeded + counts.errored, total)
        async for line in await batches.results(batch.id, **self.workspace):
            call = by_id.get(line.custom_id)
            if call is not None and line.result.type == "succeeded":
                self._record(call.key, line.result.message, batched=True)
        progress(done + len(chunk), total)
        return done + len(chunk)
