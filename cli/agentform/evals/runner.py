"""Run a suite's cases against subjects: each run in its own session, archived after.

One event loop, the SDK's async client, at most `concurrency` runs in flight (a task
each; jobs are drawn lazily, so memory does not grow with the number of cases). Runs are
interleaved case by case across subjects, so that drift over the run (rate limits, the
time of day) hits every subject alike. A finished turn is cached (cache.py) and graded
(grading.py); a cached one makes no session. A run that times out or fails at the API
is an error (`RunResult.status == "error"`), apart from a wrong answer (`"failed"`).
Progress is reported through callbacks, from the calling thread: the core never prints.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from agentform.evals.cache import Cache, key
from agentform.evals.grading import Graded, Grading, Job
from agentform.evals.judge import AsyncJudge, JudgeProgress, JudgeSpend
from agentform.evals.results import RunResult, Subject
from agentform.evals.suite_model import Suite, case_digest
from agentform.remote.async_sessions import AsyncSessions
from agentform.remote.client import Remote, RemoteError
from agentform.remote.sessions import TurnTimeoutError

Progress = Callable[[int, int, RunResult], None]  # (runs done, runs in all, the last one)
LANE = 4  # sessions per HTTP client (see AsyncSessions)
J = TypeVar("J")
R = TypeVar("R")


@dataclass(frozen=True)
class Placement:
    """Where a suite's sessions run: the pinned environment, and the pinned vaults whose
    credentials they use (the suite's `vaults:`)."""

    environment_id: str
    vault_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOptions:
    repeats: int
    concurrency: int
    place: Placement
    scope: str  # the server, for cache keys: "<base url>|<workspace>" or "local|<rules>"
    rerun_failed: bool = False


@dataclass(frozen=True)
class RunOutput:
    results: tuple[RunResult, ...]
    judge: JudgeSpend
    sessions: int  # sessions made by this run (cached runs make none)


def run_suite(
    remote: Remote,
    suite: Suite,
    subjects: Sequence[Subject],
    options: RunOptions,
    cache: Cache,
    progress: Progress = lambda done, total, result: None,
    judging: JudgeProgress = lambda done, total: None,
) -> RunOutput:
    """Every case, `repeats` times, against every subject."""
    return asyncio.run(_run(remote, suite, subjects, options, cache, progress, judging))


def jobs(suite: Suite, subjects: Sequence[Subject], repeats: int) -> Iterator[Job]:
    for case in suite.cases:
        for repeat in range(repeats):
            for subject in subjects:
                yield Job(subject, case, repeat)


async def _run(
    remote: Remote,
    suite: Suite,
    subjects: Sequence[Subject],
    options: RunOptions,
    cache: Cache,
    progress: Progress,
    judging: JudgeProgress,
) -> RunOutput:
    total = len(suite.cases) * options.repeats * len(subjects)
    lanes = -(-options.concurrency // LANE)
    async with AsyncSessions(remote, timeout=suite.timeout_seconds, lanes=lanes) as sessions:
        judge = AsyncJudge(
            sessions.client,
            cache,
            suite.judge,
            options.scope,
            batch=_batched(suite, total),
            prices=suite.prices,
            workspace=remote.scope,
        )
        runner = _Runner(sessions, Grading(suite, judge), cache, options)
        results: list[RunResult] = []
        deferred: list[Graded] = []
        async for graded in bounded(
            runner.run, jobs(suite, subjects, options.repeats), options.concurrency
        ):
            if graded.waiting:
                deferred.append(graded)
                continue
            results.append(graded.result)
            progress(len(results), total, graded.result)
        if deferred:
            await judge.flush(judging)
            for graded in deferred:
                results.append(runner.grading.finish(graded))
                progress(len(results), total, results[-1])
    return RunOutput(tuple(results), judge.spend, runner.made)


def _batched(suite: Suite, runs: int) -> bool:
    """Whether the judge's calls go through the Message Batches API."""
    rubrics = sum(1 for case in suite.cases for g in suite.graders_for(case) if g.type == "rubric")
    if not rubrics or suite.judge.batch == "never":
        return False
    calls = rubrics * suite.judge.repeats * runs // max(1, len(suite.cases))
    return suite.judge.batch == "always" or calls > suite.judge.batch_threshold


async def bounded(
    work: Callable[[J], Awaitable[R]], items: Iterable[J], limit: int
) -> AsyncIterator[R]:
    """`work(item)` for each item, at most `limit` at once, results as they finish.

    `limit` workers draw items from one iterator (lazily: memory does not grow with the
    items) and hand results over a queue (O(1) per item). A worker draws an item only when
    one of `limit` slots is free, and a slot frees when the consumer takes a result: so at
    most `limit` items are running or waiting to be taken, however slow the consumer. If
    the consumer stops (an error, Ctrl+C), the workers are cancelled and awaited, so each
    one's cleanup runs.
    """
    iterator = iter(items)
    results: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
    slots = asyncio.Semaphore(max(1, limit))

    async def worker() -> None:
        while True:
            await slots.acquire()
            try:
                item = next(iterator)
            except StopIteration:
                slots.release()
                return
            try:
                results.put_nowait((True, await work(item)))
            except Exception as exc:  # handed to the consumer, which raises it
                results.put_nowait((False, exc))
                return

    workers = [asyncio.ensure_future(worker()) for _ in range(max(1, limit))]
    running = len(workers)
    for task in workers:
        task.add_done_callback(lambda _: results.put_nowait((True, _DONE)))
    try:
        while running:
            ok, value = await results.get()
            if value is _DONE:
                running -= 1
            elif not ok:
                raise value
            else:
                slots.release()
                yield value
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


_DONE = object()


@dataclass
class _Session:
    """What one session gave: the finished turn (as cached), or why there is none."""

    record: dict[str, Any] | None = None
    error: str = ""
    session_id: str | None = None
    seconds: float = 0.0
    archived: bool = True


class _Runner:
    def __init__(
        self, sessions: AsyncSessions, grading: Grading, cache: Cache, options: RunOptions
    ) -> None:
        self.sessions = sessions
        self.grading = grading
        self.cache = cache
        self.options = options
        self.made = 0  # sessions started

    async def run(self, job: Job) -> Graded:
        suite = self.grading.suite
        digest = case_digest(suite, job.case)
        run_key = key(self.options.scope, job.subject.spec_digest, digest, job.repeat)
        record = self.cache.run(run_key)
        if record is not None:
            graded = await self.grading.grade(job, record, cached=True)
            if not (self.options.rerun_failed and graded.result.status != "passed"):
                return graded
        done = await self._session(job)
        if done.record is None:
            return self.grading.error(job, done.error, done.session_id, done.seconds, done.archived)
        self.cache.put_run(run_key, done.record)
        return await self.grading.grade(job, done.record, cached=False, archived=done.archived)

    async def _session(self, job: Job) -> _Session:
        """Start, converse, archive (also when cancelled: Ctrl+C leaves nothing running)."""
        done = _Session()
        started = time.monotonic()
        self.made += 1
        try:
            await self._turn(job, done, started)
        except TurnTimeoutError:
            done.error = f"timed out after {self.grading.suite.timeout_seconds:g} s"
        except RemoteError as exc:
            done.error = str(exc)
        finally:
            done.seconds = done.seconds or round(time.monotonic() - started, 3)
            if done.session_id is not None:
                done.archived = await self.sessions.archive(done.session_id)
        return done

    async def _turn(self, job: Job, done: _Session, started: float) -> None:
        suite, subject = self.grading.suite, job.subject
        done.session_id = await self.sessions.start(
            agent_id=subject.agent_id,
            version=subject.version,
            environment_id=self.options.place.environment_id,
            vault_ids=self.options.place.vault_ids,
            title=f"agentform eval {suite.name}: {job.case.id} {subject.name} #{job.repeat + 1}",
            metadata={"agentform.suite": suite.name, "agentform.case": job.case.id},
        )
        message = suite.message(job.case)
        turn = await self.sessions.converse(done.session_id, message, suite.timeout_seconds)
        done.seconds = round(time.monotonic() - started, 3)  # the archive is not the agent's
        done.record = {
            "reply": turn.reply,
            "stop_reason": turn.stop_reason,
            "tool_calls": [
                {"name": e.tool_name, "input": dict(e.tool_input or {})} for e in turn.tool_uses
            ],
            "usage": turn.usage,
            "seconds": done.seconds,
            "session_id": done.session_id,
        }
