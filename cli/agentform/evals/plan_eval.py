"""`plan --eval`: the measured effect of a change, under the plan, before anything is applied.

For every agent the plan updates, each of its eval suites scores the manifest as it is in
the working tree (on a scratch agent: no new version, see candidate.py) against the
pinned version. A new agent has nothing pinned to compare with; it is listed, not scored.
References the manifest makes to other keys resolve to their pins as they are now.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agentform.evals.compare import Comparison
from agentform.evals.workflow import MANIFEST, Callbacks, EvalOptions, evaluate
from agentform.manifests.project import Project
from agentform.plan.model import Plan
from agentform.remote.client import Remote


@dataclass(frozen=True)
class PlanEval:
    key: str
    suite: str
    comparison: Comparison | None = None
    note: str = ""  # why it was not scored


def evaluate_plan(
    project: Project,
    remote: Remote,
    plan: Plan,
    options: EvalOptions,
    callbacks: Callbacks | None = None,
) -> list[PlanEval]:
    found: list[PlanEval] = []
    for change in plan.changes:
        if change.kind != "agent" or change.action not in ("create", "update"):
            continue
        for suite in sorted(n for n, s in project.suites.items() if s.agent == change.key):
            if change.action == "create" or change.key not in project.pins.agents:
                found.append(PlanEval(change.key, suite, note="a new agent: nothing pinned yet"))
                continue
            comparison = evaluate(project, remote, suite, ["pinned", MANIFEST], options, callbacks)
            found.append(PlanEval(change.key, suite, comparison))
    return found


def render_plan_evals(evals: Sequence[PlanEval], fmt: str) -> str:
    """The section under the plan: Markdown (the same pull-request comment) or text."""
    if not evals:
        return ""
    lines = list(_markdown(evals) if fmt == "markdown" else _text(evals))
    return "\n".join(lines) + "\n"


def _markdown(evals: Sequence[PlanEval]) -> Iterator[str]:
    from agentform.evals.render_markdown import markdown

    yield ""
    yield "### Evals: the working tree's manifest vs the pinned version"
    for item in evals:
        yield ""
        if item.comparison is None:
            yield f"- `{item.suite}` ({item.key}): not scored, {item.note}"
            continue
        yield from markdown(item.comparison, level=4)


def _text(evals: Sequence[PlanEval]) -> Iterator[str]:
    from agentform.evals.render import render_comparison

    yield ""
    yield "Evals: the working tree's manifest vs the pinned version"
    for item in evals:
        yield ""
        if item.comparison is None:
            yield f"  {item.suite} ({item.key}): not scored, {item.note}"
        else:
            yield render_comparison(item.comparison, "text").rstrip("\n")
