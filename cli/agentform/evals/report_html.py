"""A Comparison as one self-contained HTML file: a report people look at.

Everything is inline (stylesheet and script from report_assets.py): the file opens
offline. It shows the gate's decision; accuracy per label and overall for every subject
as bars with their bootstrap intervals, and each candidate's difference from the
baseline with its interval and verdict; cost and latency; and every case side by side
(the message sent, each subject's reply, grader verdicts, cost and wall time, and the
reply's word diff against the baseline's), with a filter for the cases that changed.
The figures are those of `--format json` (the same functions compute both).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator, Sequence

from agentform.evals.compare import Comparison, accuracy_interval
from agentform.evals.render import money
from agentform.evals.report_assets import CSS, JS
from agentform.evals.results import OVERALL, RunResult, VersionScore

_WORDS = re.compile(r"\S+|\s+")


def render_html(c: Comparison) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Eval {_e(c.suite)}: {_e(_who(c))}</title>",
        f"<style>{CSS}</style></head><body>",
        *_header(c),
        *_accuracy(c),
        *_spend(c),
        *_cases(c),
        f"<script>{JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _who(c: Comparison) -> str:
    if c.same_version:
        return c.baseline.name
    return ", ".join(s.name for s in c.scores[1:]) + f" vs {c.baseline.name}"


def _header(c: Comparison) -> Iterator[str]:
    decision = c.decision
    state = "passed" if decision.passed else "refused" if decision.refused else "inconclusive"
    css = "passed" if decision.outcome == "passed" else state
    yield f"<h1>Eval <code>{_e(c.suite)}</code> (agent {_e(c.agent)}): {_e(_who(c))}</h1>"
    yield (
        f'<p class="muted">{len(c.baseline.cases)} cases &times; {c.repeats} run(s); '
        f"{c.sessions} sessions; intervals: paired percentile bootstrap over cases, "
        f"{c.settings.confidence * 100:g}% confidence, {c.settings.samples} resamples, seed "
        f"{c.settings.seed}; minimum effect {c.settings.min_effect * 100:g} pts.</p>"
    )
    yield (
        f'<div class="gate {css}" id="gate" data-outcome="{decision.outcome}">Gate {state} '
        f"({_e(decision.outcome)}): {_e(decision.reason)}</div>"
    )


def _accuracy(c: Comparison) -> Iterator[str]:
    yield "<h2>Accuracy</h2>"
    yield '<table class="bars" id="accuracy"><thead><tr><th>label</th>'
    for score in c.scores:
        role = " (baseline)" if score is c.baseline else ""
        yield f"<th>{_e(score.name)}{role}</th>"
    for contrast in () if c.same_version else c.contrasts:
        yield f"<th>{_e(contrast.candidate.name)} &minus; {_e(c.baseline.name)}</th>"
    yield "</tr></thead><tbody>"
    for label in (*c.labels, OVERALL):
        yield f'<tr data-label="{_e(label)}"><td><b>{_e(label)}</b></td>'
        yield from (_bar(c, score, label) for score in c.scores)
        for contrast in () if c.same_version else c.contrasts:
            item = contrast.label(label)
            d = item.difference
            yield (
                f'<td class="delta" data-subject="{_e(contrast.candidate.name)}" '
                f'data-delta="{d.delta!r}" data-low="{d.interval.low!r}" '
                f'data-high="{d.interval.high!r}">{d.delta * 100:+.1f} pts '
                f"[{d.interval.low * 100:+.1f}, {d.interval.high * 100:+.1f}] "
                f'<span class="{item.verdict}">{item.verdict}</span></td>'
            )
        yield "</tr>"
    yield "</tbody></table>"


def _bar(c: Comparison, score: VersionScore, label: str) -> str:
    tally = score.tally(label)
    interval = accuracy_interval(score, label, c.settings)
    return (
        f'<td class="accuracy" data-subject="{_e(score.name)}">'
        f'<span class="track" data-accuracy="{tally.accuracy!r}" data-low="{interval.low!r}" '
        f'data-high="{interval.high!r}"><span class="fill"></span><span class="ci"></span></span>'
        f'<span class="value">{_pct(tally.accuracy)}</span> '
        f'<span class="muted">{tally.passed}/{tally.runs} '
        f"[{_pct(interval.low)}, {_pct(interval.high)}]</span></td>"
    )


def _spend(c: Comparison) -> Iterator[str]:
    yield "<h2>Cost and latency</h2>"
    yield '<table id="spend"><thead><tr><th></th>'
    yield "".join(f"<th>{_e(s.name)}</th>" for s in c.scores) + "</tr></thead><tbody>"
    rows = [
        ("cost (list price)", [money(s.spend.cost) for s in c.scores]),
        ("cost per run", [money(s.spend.cost_per_run()) for s in c.scores]),
        (
            "tokens in / out",
            [
                f"{s.spend.tokens['input_tokens']:,} / {s.spend.tokens['output_tokens']:,}"
                for s in c.scores
            ],
        ),
        ("latency p50", [f"{s.spend.p50:.2f} s" for s in c.scores]),
        ("latency p95", [f"{s.spend.p95:.2f} s" for s in c.scores]),
        ("errors", [str(s.overall.errors) for s in c.scores]),
        ("flaky cases", [str(len(s.flaky)) for s in c.scores]),
    ]
    for name, cells in rows:
        yield f"<tr><th>{_e(name)}</th>" + "".join(f"<td>{_e(x)}</td>" for x in cells) + "</tr>"
    yield "</tbody></table>"
    judge = c.judge
    if judge.calls or judge.cached:
        yield (
            f'<p class="muted">Judge: {judge.calls} calls ({judge.cached} cached, '
            f"{judge.batched} batched), {money(judge.cost)}.</p>"
        )


def _cases(c: Comparison) -> Iterator[str]:
    yield "<h2>Cases</h2>"
    yield (
        '<div class="controls"><label><input type="checkbox" id="only-changed"> only cases '
        'that changed</label><input type="search" id="find" placeholder="filter">'
        '<span id="summary" class="muted"></span></div>'
    )
    yield '<table id="cases"><thead><tr><th>case</th><th>message</th>'
    yield "".join(f"<th>{_e(s.name)}</th>" for s in c.scores) + "</tr></thead><tbody>"
    by_case = [_by_case(s) for s in c.scores]
    for index, case in enumerate(c.baseline.cases):
        runs = [found.get(case.case_id, []) for found in by_case]
        changed = _changed(runs)
        yield (
            f'<tr data-case="{_e(case.case_id)}" data-changed="{str(changed).lower()}">'
            f"<td><b>{_e(case.case_id)}</b><br><span class='muted'>{_e(case.label)}</span></td>"
            f"<td><pre>{_e(c.inputs.get(case.case_id, ''))}</pre></td>"
        )
        base = runs[0][0].reply if runs[0] else ""
        for position, (score, mine) in enumerate(zip(c.scores, runs, strict=True)):
            yield _case_cell(score.cases[index].statuses, mine, base if position else None)
        yield "</tr>"
    yield "</tbody></table>"


def _by_case(score: VersionScore) -> dict[str, list[RunResult]]:
    found: dict[str, list[RunResult]] = {}
    for result in score.results:
        found.setdefault(result.case_id, []).append(result)
    return found


def _changed(runs: Sequence[Sequence[RunResult]]) -> bool:
    def key(results: Sequence[RunResult]) -> tuple[tuple[str, ...], str]:
        return tuple(r.status for r in results), results[0].reply if results else ""

    return len({key(results) for results in runs}) > 1


def _case_cell(statuses: tuple[str, ...], runs: Sequence[RunResult], base: str | None) -> str:
    if not runs:
        return "<td></td>"
    first = runs[0]
    passed = sum(s == "passed" for s in statuses)
    status = first.status if len(statuses) == 1 else f"{passed}/{len(statuses)} passed"
    css = first.status if len(statuses) == 1 else ("passed" if passed == len(statuses) else "")
    costs = [r.cost for r in runs]
    cost = None if any(x is None for x in costs) else sum(x for x in costs if x is not None)
    seconds = sum(r.seconds for r in runs) / len(runs)
    reply = _diff(base, first.reply) if base is not None else _e(first.reply)
    grades = "".join(
        f'<li class="{"passed" if g.passed else "failed"}">{_e(g.grader)}'
        f"{': ' + _e(g.detail) if g.detail else ''}</li>"
        for g in first.grades
    )
    detail = f"<br>{_e(first.detail)}" if first.status == "error" else ""
    return (
        f'<td><span class="{css} status">{_e(status)}</span>{detail}<pre>{reply}</pre>'
        f'<ul class="grades">{grades}</ul><span class="muted">{money(cost)}, '
        f"{seconds:.2f} s</span></td>"
    )


def _diff(before: str, after: str) -> str:
    """`after`, its words not in `before` inserted, the ones gone struck through."""
    if before == after:
        return _e(after)
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op in ("replace", "delete"):
            out.append(f"<del>{_e(''.join(old[i1:i2]))}</del>")
        if op in ("replace", "insert"):
            out.append(f"<ins>{_e(''.join(new[j1:j2]))}</ins>")
        if op == "equal":
            out.append(_e("".join(new[j1:j2])))
    return "".join(out)
