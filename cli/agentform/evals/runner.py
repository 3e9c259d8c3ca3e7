"""Run a suite's cases against agent versions: each run in its own session, archived after.

Runs go `concurrency` at a time. A run that times out or fails at the API is an error
(`RunResult.status == "error"`), apart from a wrong answer (`"failed"`). Progress is
reported through a callback, from the calling thread: the core never prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from agentform.evals.results import RunResult, RunStatus
from agentform.evals.scoring import score
from agentform.evals.suite import Case, Suite
from agentform.remote.client import Remote, RemoteError
from agentform.remote.sessions import (
    Turn,
    TurnTimeoutError,
    archive_session,
    converse,
    start_session,
)

Progress = Callable[[int, int, RunResult], None]  # (runs done, runs in all, the last one)


@dataclass(frozen=True)
class Target:
    """Where the runs go: the agent (its versions are chosen per run) and the environment."""

    agent_id: str
    environment_id: str


@dataclass(frozen=True)
class _Job:
    version: int
    case: Case
    repeat: int


def run_suite(
    remote: Remote,
    suite: Suite,
    target: Target,
    versions: Sequence[int],
    *,
    repeats: int,
    concurrency: int,
    progress: Progress = lambda done, total, result: None,
) -> tuple[RunResult, ...]:
    """Every case, `repeats` times, against every version."""
    jobs = [_Job(v, case, k) for v in versions for case in suite.cases for k in range(repeats)]
    results: list[RunResult] = []
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        pending: set[Future[RunResult]] = {
            pool.submit(_run_one, remote, suite, target, job) for job in jobs
        }
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results.append(future.result())
                    progress(len(results), len(jobs), results[-1])
        except BaseException:
            for future in pending:
                future.cancel()  # runs in flight finish, and archive their sessions
            raise
    return tuple(results)


def _run_one(remote: Remote, suite: Suite, target: Target, job: _Job) -> RunResult:
    started = time.monotonic()
    session_id: str | None = None
    reply, detail = "", ""
    status: RunStatus = "error"
    try:
        session_id = start_session(
            remote,
            agent_id=target.agent_id,
            version=job.version,
            environment_id=target.environment_id,
            title=f"agentform eval {suite.name}: {job.case.id} v{job.version} #{job.repeat + 1}",
            metadata={"agentform.suite": suite.name, "agentform.case": job.case.id},
            timeout=suite.timeout_seconds,
        )
        turn = converse(remote, session_id, suite.message(job.case), timeout=suite.timeout_seconds)
        reply = turn.reply
        status, detail = _judge(suite, job.case, turn)
    except TurnTimeoutError:
        detail = f"timed out after {suite.timeout_seconds:g} s"
    except RemoteError as exc:
        detail = str(exc)
    archived = session_id is None or _archive(remote, session_id, suite.timeout_seconds)
    return RunResult(
        version=job.version,
        case_id=job.case.id,
        label=job.case.label,
        repeat=job.repeat,
        status=status,
        reply=reply,
        detail=detail,
        session_id=session_id,
        seconds=round(time.monotonic() - started, 3),
        archived=archived,
    )


def _judge(suite: Suite, case: Case, turn: Turn) -> tuple[RunStatus, str]:
    if turn.stop_reason != "end_turn":
        return "error", f"the turn stopped with {turn.stop_reason}, not end_turn"
    verdict = score(suite.scoring, case.expected, turn.reply)
    return ("passed" if verdict.passed else "failed"), verdict.detail


def _archive(remote: Remote, session_id: str, timeout: float) -> bool:
    try:
        archive_session(remote, session_id, timeout)
    except RemoteError:
        return False
    return True
