"""One finished turn -> one RunResult: every grader of its case, the judge included.

A turn that did not end with `end_turn` is an error. Deterministic graders run at once;
a grader that cannot run (a Python grader that raises) makes the run an error, not a
wrong answer. `rubric` graders ask the judge: inline, or deferred to a Message Batch
(the result waits, `Graded.waiting`, until `finish` once the batch is in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from agentform.evals.costs import run_cost
from agentform.evals.graders import GraderError, Reply, ToolCall, grade
from agentform.evals.judge import AsyncJudge, Call, calls, decide, prompt
from agentform.evals.results import Grade, RunResult, RunStatus, Subject
from agentform.evals.suite_model import Case, GraderSpec, Suite


@dataclass(frozen=True)
class Job:
    """One run to make: a case, against a subject, the `repeat`-th time (0-based)."""

    subject: Subject
    case: Case
    repeat: int


@dataclass(frozen=True)
class Graded:
    result: RunResult
    waiting: tuple[tuple[GraderSpec, tuple[Call, ...]], ...] = ()  # rubric calls deferred
    order: tuple[str, ...] = ()  # the graders' names, as the suite lists them


class Grading:
    def __init__(self, suite: Suite, judge: AsyncJudge) -> None:
        self.suite = suite
        self.judge = judge

    async def grade(
        self, job: Job, record: Mapping[str, Any], *, cached: bool, archived: bool = True
    ) -> Graded:
        base = self._result(job, record, cached=cached, archived=archived)
        if record.get("stop_reason") != "end_turn":
            detail = f"the turn stopped with {record.get('stop_reason')}, not end_turn"
            return Graded(replace(base, status="error", detail=detail))
        reply = _reply(self.suite, job, record)
        grades: list[Grade] = []
        rubrics: list[tuple[GraderSpec, tuple[Call, ...]]] = []
        specs = self.suite.graders_for(job.case)
        order = tuple(spec.name for spec in specs)
        try:
            for spec in specs:
                if spec.type == "rubric":
                    text = prompt(spec, job.case, reply.message, reply.text)
                    rubrics.append((spec, tuple(calls(self.suite.judge, self.judge.scope, text))))
                else:
                    grades.append(grade(spec, job.case, reply, self.suite.root))
            if rubrics and self.judge.batch:
                return self._defer(base, grades, rubrics, order)
            for spec, todo in rubrics:
                grades.append(decide(spec, await self.judge.answers(list(todo))))
        except GraderError as exc:
            failed = tuple(_ordered(grades, order))
            return Graded(replace(base, status="error", detail=str(exc), grades=failed))
        return Graded(_settled(base, _ordered(grades, order)))

    def _defer(
        self,
        base: RunResult,
        grades: list[Grade],
        rubrics: list[tuple[GraderSpec, tuple[Call, ...]]],
        order: tuple[str, ...],
    ) -> Graded:
        waiting = []
        for spec, todo in rubrics:
            answers = self.judge.cached(list(todo))
            if answers is not None:
                grades.append(decide(spec, answers))
            else:
                self.judge.defer(list(todo))
                waiting.append((spec, todo))
        if not waiting:
            return Graded(_settled(base, _ordered(grades, order)))
        return Graded(replace(base, grades=tuple(grades)), tuple(waiting), order)

    def finish(self, graded: Graded) -> RunResult:
        """A deferred result, once the judge's batch is in."""
        grades = list(graded.result.grades)
        try:
            for spec, todo in graded.waiting:
                found = [self.judge.cache.judgment(call.key) for call in todo]
                answers = [str(item["text"]) for item in found if item is not None]
                if not answers:
                    raise GraderError("the judge's batch request for this reply failed")
                grades.append(decide(spec, answers))
        except GraderError as exc:
            failed = tuple(_ordered(grades, graded.order))
            return replace(graded.result, status="error", detail=str(exc), grades=failed)
        return _settled(graded.result, _ordered(grades, graded.order))

    def error(
        self, job: Job, detail: str, session_id: str | None, seconds: float, archived: bool
    ) -> Graded:
        result = RunResult(
            subject=job.subject.name,
            case_id=job.case.id,
            label=job.case.label,
            repeat=job.repeat,
            status="error",
            detail=detail,
            session_id=session_id,
            seconds=seconds,
            archived=archived,
            cost=run_cost(job.subject.model, {}, self.suite.prices),
        )
        return Graded(result)

    def _result(
        self, job: Job, record: Mapping[str, Any], *, cached: bool, archived: bool
    ) -> RunResult:
        usage = {k: int(v) for k, v in (record.get("usage") or {}).items()}
        return RunResult(
            subject=job.subject.name,
            case_id=job.case.id,
            label=job.case.label,
            repeat=job.repeat,
            status="error",
            reply=str(record.get("reply", "")),
            session_id=record.get("session_id"),
            seconds=float(record.get("seconds", 0.0)),
            archived=archived,
            usage=usage,
            cost=run_cost(job.subject.model, usage, self.suite.prices),
            cached=cached,
        )


def _reply(suite: Suite, job: Job, record: Mapping[str, Any]) -> Reply:
    tool_calls = tuple(
        ToolCall(str(c.get("name")), dict(c.get("input") or {}))
        for c in record.get("tool_calls") or ()
    )
    return Reply(
        str(record.get("reply", "")), suite.message(job.case), tool_calls, record.get("usage")
    )


def _ordered(grades: Sequence[Grade], order: tuple[str, ...]) -> list[Grade]:
    """Grades in the order the suite lists their graders (the judge's come in last)."""
    return sorted(grades, key=lambda g: order.index(g.grader) if g.grader in order else len(order))


def _settled(base: RunResult, grades: Sequence[Grade]) -> RunResult:
    failed = [g for g in grades if not g.passed]
    status: RunStatus = "failed" if failed else "passed"
    if len(grades) == 1:
        detail = failed[0].detail if failed else ""
    else:
        detail = "; ".join(f"{g.grader}: {g.detail}" for g in failed)
    return replace(base, status=status, detail=detail, grades=tuple(grades))
