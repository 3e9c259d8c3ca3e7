"""A Comparison as text (terminals, CI logs); Markdown, JSON and HTML have their modules.

render_comparison(comparison, "text" | "markdown" | "json" | "html")
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from agentform.evals.compare import Comparison, Contrast, LabelContrast
from agentform.evals.results import OVERALL, RunResult, Tally, VersionScore

Format = Literal["text", "markdown", "json", "html"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "html")


def render_comparison(comparison: Comparison, fmt: Format) -> str:
    if fmt == "json":
        from agentform.evals.render_json import render_json

        return render_json(comparison)
    if fmt == "html":
        from agentform.evals.report_html import render_html

        return render_html(comparison)
    if fmt == "markdown":
        from agentform.evals.render_markdown import markdown

        return "\n".join(markdown(comparison)) + "\n"
    return "\n".join(_text(comparison)) + "\n"


def headline(c: Comparison) -> str:
    cases = len(c.baseline.cases)
    runs = f"{c.repeats} run{'s' if c.repeats > 1 else ''}"
    cached = sum(r.cached for s in c.scores for r in s.results)
    if c.same_version:
        who = f"{c.baseline.name} (the same version as baseline and candidate: scored once)"
    else:
        who = ", ".join(s.name for s in c.scores[1:]) + f" vs {c.baseline.name} (baseline)"
    return (
        f"Eval {c.suite} (agent {c.agent}): {who}; {cases} cases x {runs}, "
        f"{c.sessions} sessions ({cached} runs from the cache), {c.seconds:.1f} s"
    )


def cell(tally: Tally) -> str:
    return f"{tally.accuracy * 100:5.1f}% {tally.passed:>3}/{tally.runs:<3}"


def difference(item: LabelContrast) -> str:
    d = item.difference
    return f"{d.delta * 100:+.1f} [{d.interval.low * 100:+.1f}, {d.interval.high * 100:+.1f}]"


def money(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"${value:.4f}" if value < 100 else f"${value:,.2f}"


def verdict_line(c: Comparison) -> str:
    decision = c.decision
    state = "passed" if decision.passed else "REFUSED" if decision.refused else "INCONCLUSIVE"
    return f"Gate {state} ({decision.outcome}): {decision.reason}"


def miss(result: RunResult) -> str:
    kind = "error" if result.status == "error" else "wrong"
    run = f" #{result.repeat + 1}" if result.repeat else ""
    return f"{result.case_id}{run} [{result.label}] {kind}: {result.detail}"


def _text(c: Comparison) -> Iterator[str]:
    yield headline(c)
    yield ""
    yield from _table(_rows(c))
    yield ""
    errors = ", ".join(f"{s.name} {s.overall.errors}" for s in c.scores)
    yield f"Errors (timeouts, API failures; not wrong answers): {errors}"
    yield from _spend(c)
    if c.repeats > 1:
        yield ""
        yield from _per_case(c)
    for score in c.scores:
        misses = [r for r in score.results if r.status != "passed"]
        if misses:
            yield ""
            yield f"Wrong answers and errors, {score.name}:"
            yield from (f"  {miss(r)}" for r in misses)
    yield from _unarchived(c)
    yield ""
    yield verdict_line(c)


def _rows(c: Comparison) -> list[tuple[str, ...]]:
    confidence = f"{c.settings.confidence * 100:g}%"
    head = ["label", f"{c.baseline.name} (baseline)"]
    contrasts: Sequence[Contrast] = () if c.same_version else c.contrasts
    for contrast in contrasts:
        head += [contrast.candidate.name, f"delta ({confidence} interval)", "verdict"]
    rows = [tuple(head)]
    for label in (*c.labels, OVERALL):
        row = [label, cell(c.baseline.tally(label))]
        for contrast in contrasts:
            item = contrast.label(label)
            row += [cell(item.candidate), difference(item), item.verdict]
        rows.append(tuple(row))
    return rows


def _spend(c: Comparison) -> Iterator[str]:
    parts = []
    for s in c.scores:
        spend = s.spend
        tokens = f"{spend.tokens['input_tokens']:,} in / {spend.tokens['output_tokens']:,} out"
        parts.append(
            f"{s.name} {money(spend.cost)} ({money(spend.cost_per_run())}/run, {tokens} tokens), "
            f"p50 {spend.p50:.2f} s, p95 {spend.p95:.2f} s"
        )
    yield "Cost (list price) and latency: " + "; ".join(parts)
    for contrast in () if c.same_version else c.contrasts:
        if contrast.cost_increase is not None:
            yield (
                f"  {contrast.candidate.name} costs {contrast.cost_increase * 100:+.1f}% per run "
                f"vs {contrast.baseline.name}"
            )
    judge = c.judge
    if judge.calls or judge.cached:
        batched = f", {judge.batched} through the Message Batches API" if judge.batched else ""
        yield (
            f"Judge: {judge.calls} calls ({judge.cached} from the cache{batched}), "
            f"{judge.tokens['input_tokens']:,} in / {judge.tokens['output_tokens']:,} out "
            f"tokens, {money(judge.cost)}"
        )


def _per_case(c: Comparison) -> Iterator[str]:
    k = c.repeats
    yield f"Per case over {k} runs (pass@{k}: any run passed; pass^{k}: every run passed):"
    rows = [("case", "label", *(s.name for s in c.scores))]
    for index, case in enumerate(c.baseline.cases):
        cells = [_case_cell(s.cases[index].statuses) for s in c.scores]
        rows.append((case.case_id, case.label, *cells))
    rows.append(("all cases", "", *(_k_cell(s, k) for s in c.scores)))
    yield from _table(rows)
    for s in c.scores:
        if s.flaky:
            shown = ", ".join(case.case_id for case in s.flaky)
            yield f"Flaky on {s.name} (some runs passed, some did not): {shown}"


def _case_cell(statuses: tuple[str, ...]) -> str:
    passed = sum(s == "passed" for s in statuses)
    flaky = " (flaky)" if 0 < passed < len(statuses) else ""
    return f"{passed}/{len(statuses)} passed{flaky}"


def _k_cell(score: VersionScore, k: int) -> str:
    return f"pass@{k} {score.pass_at_k * 100:.0f}%, pass^{k} {score.pass_all_k * 100:.0f}%"


def _table(rows: Sequence[tuple[str, ...]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        yield "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()


def _unarchived(c: Comparison) -> Iterator[str]:
    left = [r.session_id for s in c.scores for r in s.results if not r.archived and r.session_id]
    if left:
        yield ""
        yield f"Warning: {len(left)} session(s) could not be archived: {', '.join(left)}"
