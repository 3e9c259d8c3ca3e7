"""A Comparison as text (terminals, CI logs), Markdown (pull requests) or JSON (machines)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from agentform.evals.results import OVERALL, Comparison, RunResult, Tally, VersionScore

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")
FORMAT_VERSION = 1


def render_comparison(comparison: Comparison, fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(comparison_to_json(comparison), indent=2, ensure_ascii=False) + "\n"
    lines = _markdown(comparison) if fmt == "markdown" else _text(comparison)
    return "\n".join(lines) + "\n"


# -- text ------------------------------------------------------------------------------


def _text(c: Comparison) -> Iterator[str]:
    yield _headline(c)
    yield ""
    rows = [
        (
            "label",
            f"baseline v{c.baseline.version}",
            f"candidate v{c.candidate.version}",
            "delta",
            "",
        )
    ]
    rows += [_row(c, label) for label in (*c.labels, OVERALL)]
    yield from _table(rows)
    yield ""
    errors = (c.baseline.overall.errors, c.candidate.overall.errors)
    yield (
        f"Errors (timeouts, API failures; not wrong answers): baseline {errors[0]}, "
        f"candidate {errors[1]}"
    )
    if c.repeats > 1:
        yield ""
        yield from _per_case_text(c)
    for score in _sides(c):
        misses = [r for r in score.results if r.status != "passed"]
        if misses:
            yield ""
            yield f"Wrong answers and errors, v{score.version}:"
            yield from (f"  {_miss(r)}" for r in misses)
    yield from _unarchived(c)
    yield ""
    verdict = "passed" if c.decision.passed else "REFUSED"
    yield f"Gate {verdict}: {c.decision.reason}"


def _headline(c: Comparison) -> str:
    cases = len(c.candidate.cases)
    sessions = len(c.candidate.results) + (0 if c.same_version else len(c.baseline.results))
    same = "; the same version: scored once" if c.same_version else ""
    return (
        f"Eval {c.suite} (agent {c.agent}): candidate v{c.candidate.version} vs baseline "
        f"v{c.baseline.version}; {cases} cases x {c.repeats} run{'s' if c.repeats > 1 else ''}, "
        f"{sessions} sessions, {c.seconds:.1f} s{same}"
    )


def _row(c: Comparison, label: str) -> tuple[str, str, str, str, str]:
    mark = "REGRESSION" if c.regressed(label) else ""
    baseline, candidate = c.baseline.tally(label), c.candidate.tally(label)
    return (label, _cell(baseline), _cell(candidate), _points(c.delta(label)), mark)


def _cell(tally: Tally) -> str:
    return f"{tally.accuracy * 100:5.1f}% {tally.passed:>3}/{tally.runs:<3}"


def _per_case_text(c: Comparison) -> Iterator[str]:
    k = c.repeats
    yield f"Per case over {k} runs (pass@{k}: any run passed; pass^{k}: every run passed):"
    rows = [
        (
            "case",
            "label",
            f"baseline v{c.baseline.version}",
            f"candidate v{c.candidate.version}",
            "",
        )
    ]
    for base, cand in zip(c.baseline.cases, c.candidate.cases, strict=True):
        rows.append(
            (base.case_id, base.label, _case_cell(base.statuses), _case_cell(cand.statuses), "")
        )
    rows.append(("all cases", "", _k_cell(c.baseline, k), _k_cell(c.candidate, k), ""))
    yield from _table(rows)


def _case_cell(statuses: tuple[str, ...]) -> str:
    passed = sum(s == "passed" for s in statuses)
    return f"{passed}/{len(statuses)} passed"


def _k_cell(score: VersionScore, k: int) -> str:
    return f"pass@{k} {score.pass_at_k * 100:.0f}%, pass^{k} {score.pass_all_k * 100:.0f}%"


def _table(rows: Sequence[tuple[str, ...]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        yield "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()


def _miss(result: RunResult) -> str:
    kind = "error" if result.status == "error" else "wrong"
    run = f" #{result.repeat + 1}" if result.repeat else ""
    return f"{result.case_id}{run} [{result.label}] {kind}: {result.detail}"


def _unarchived(c: Comparison) -> Iterator[str]:
    left = [r.session_id for s in _sides(c) for r in s.results if not r.archived and r.session_id]
    if left:
        yield ""
        yield f"Warning: {len(left)} session(s) could not be archived: {', '.join(left)}"


def _sides(c: Comparison) -> tuple[VersionScore, ...]:
    return (c.candidate,) if c.same_version else (c.baseline, c.candidate)


def _points(delta: float) -> str:
    return f"{delta * 100:+.1f}"


# -- markdown --------------------------------------------------------------------------


def _markdown(c: Comparison) -> Iterator[str]:
    icon = "✅" if c.decision.passed else "❌"
    base, cand = f"v{c.baseline.version}", f"v{c.candidate.version}"
    yield f"### {icon} Eval `{c.suite}`: candidate {cand} vs baseline {base}"
    yield ""
    yield f"| label | baseline {base} | candidate {cand} | Δ (pts) | |"
    yield "|---|---:|---:|---:|---|"
    for label in (*c.labels, OVERALL):
        name, base, cand, delta, mark = _row(c, label)
        name = f"**{name}**" if label == OVERALL else f"`{name}`"
        yield f"| {name} | {' '.join(base.split())} | {' '.join(cand.split())} | {delta} | {mark} |"
    yield ""
    yield f"**Gate {'passed' if c.decision.passed else 'refused'}:** {c.decision.reason}"
    yield ""
    yield (
        f"{len(c.candidate.cases)} cases x {c.repeats} runs; errors (timeouts, API failures): "
        f"baseline {c.baseline.overall.errors}, candidate {c.candidate.overall.errors}."
    )
    misses = [r for s in _sides(c) for r in s.results if r.status != "passed"]
    if misses:
        yield ""
        yield f"<details><summary>{len(misses)} wrong answers and errors</summary>"
        yield ""
        yield from (f"- v{r.version} `{r.case_id}`: {_miss(r).split(': ', 1)[1]}" for r in misses)
        yield ""
        yield "</details>"


# -- json ------------------------------------------------------------------------------


def comparison_to_json(c: Comparison) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "suite": c.suite,
        "agent": c.agent,
        "repeats": c.repeats,
        "tolerance": c.tolerance,
        "seconds": c.seconds,
        "gate": {
            "passed": c.decision.passed,
            "reason": c.decision.reason,
            "regressions": [
                {
                    "label": r.label,
                    "baseline": r.baseline,
                    "candidate": r.candidate,
                    "delta": r.delta,
                }
                for r in c.decision.regressions
            ],
        },
        "baseline": _version_json(c.baseline),
        "candidate": _version_json(c.candidate),
        "deltas": {label: c.delta(label) for label in (*c.labels, OVERALL)},
    }


def _version_json(score: VersionScore) -> dict[str, Any]:
    return {
        "version": score.version,
        **_tally_json(score.overall),
        "pass_at_k": score.pass_at_k,
        "pass_all_k": score.pass_all_k,
        "labels": {label: _tally_json(t) for label, t in score.labels.items()},
        "cases": [
            {
                "id": s.case_id,
                "label": s.label,
                "statuses": list(s.statuses),
                "pass_at_k": s.pass_at_k,
                "pass_all_k": s.pass_all_k,
            }
            for s in score.cases
        ],
        "results": [
            {
                "case": r.case_id,
                "repeat": r.repeat,
                "status": r.status,
                "reply": r.reply,
                "detail": r.detail,
                "session_id": r.session_id,
                "seconds": r.seconds,
                "archived": r.archived,
            }
            for r in score.results
        ],
    }


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {
        "accuracy": tally.accuracy,
        "runs": tally.runs,
        "passed": tally.passed,
        "failed": tally.failed,
        "errors": tally.errors,
    }
