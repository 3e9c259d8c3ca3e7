"""A Comparison as Markdown: a pull-request comment (alone, or under `plan --eval`'s plan)."""

from __future__ import annotations

from collections.abc import Iterator

from agentform.evals.compare import Comparison
from agentform.evals.render import cell, difference, miss, money
from agentform.evals.results import OVERALL

ICONS = {"passed": "✅", "inconclusive": "⚠️"}
MAX_MISSES = 40  # a pull-request comment stays readable (and under GitHub's size limit)


def markdown(c: Comparison, level: int = 3) -> Iterator[str]:
    decision = c.decision
    icon = ICONS.get(decision.outcome, "❌") if decision.passed else "❌"
    candidates = ", ".join(s.name for s in c.scores[1:])
    title = f"{candidates} vs {c.baseline.name}" if candidates else c.baseline.name
    yield f"{'#' * level} {icon} Eval `{c.suite}`: {title}"
    yield ""
    yield from _table(c)
    yield ""
    state = "passed" if decision.passed else "refused" if decision.refused else "inconclusive"
    yield f"**Gate {state} ({decision.outcome}):** {decision.reason}"
    yield ""
    errors = ", ".join(f"{s.name} {s.overall.errors}" for s in c.scores)
    yield (
        f"{len(c.baseline.cases)} cases x {c.repeats} runs; {c.sessions} sessions; errors "
        f"(timeouts, API failures): {errors}. Intervals: paired bootstrap over cases, "
        f"{c.settings.confidence * 100:g}% confidence."
    )
    yield ""
    yield "| | " + " | ".join(s.name for s in c.scores) + " |"
    yield "|---|" + "---:|" * len(c.scores)
    yield "| cost (list price) | " + " | ".join(money(s.spend.cost) for s in c.scores) + " |"
    yield (
        "| latency p50 / p95 | "
        + " | ".join(f"{s.spend.p50:.2f} s / {s.spend.p95:.2f} s" for s in c.scores)
        + " |"
    )
    misses = [r for s in c.scores for r in s.results if r.status != "passed"]
    if misses:
        yield ""
        yield f"<details><summary>{len(misses)} wrong answers and errors</summary>"
        yield ""
        for r in misses[:MAX_MISSES]:
            yield f"- {r.subject} `{r.case_id}`: {miss(r).split(': ', 1)[1][:300]}"
        if len(misses) > MAX_MISSES:
            yield f"- ... and {len(misses) - MAX_MISSES} more (`agentform eval --format html`)"
        yield ""
        yield "</details>"


def _table(c: Comparison) -> Iterator[str]:
    confidence = f"{c.settings.confidence * 100:g}%"
    head = ["label", f"{c.baseline.name} (baseline)"]
    contrasts = () if c.same_version else c.contrasts
    for contrast in contrasts:
        head += [contrast.candidate.name, f"Δ pts ({confidence} interval)", "verdict"]
    yield "| " + " | ".join(head) + " |"
    yield "|---|" + "---:|" * (len(head) - 2) + "---|"
    for label in (*c.labels, OVERALL):
        name = f"**{label}**" if label == OVERALL else f"`{label}`"
        row = [name, " ".join(cell(c.baseline.tally(label)).split())]
        for contrast in contrasts:
            item = contrast.label(label)
            shown = f"**{item.verdict}**" if item.verdict == "worse" else item.verdict
            row += [" ".join(cell(item.candidate).split()), difference(item), shown]
        yield "| " + " | ".join(row) + " |"
