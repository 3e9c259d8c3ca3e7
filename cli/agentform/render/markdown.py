"""The plan as a pull-request comment: a summary table, then details per resource.

GitHub caps comments at 65,536 characters; the comment is kept under LIMIT and says
so when details had to be left out (the table always lists every change).
"""

from __future__ import annotations

import re

from agentform.plan.fielddiff import FieldChange
from agentform.plan.model import Change, Drift, Plan
from agentform.render.values import (
    DRIFT_LABELS,
    DRIFT_TITLE,
    SYMBOLS,
    explained,
    headline,
    is_long_text,
    show,
    shown,
    summary,
    text_diff,
)

LIMIT = 60_000
_FENCE_RUN = re.compile(r"`+")
MARKER = "<!-- agentform-plan -->"  # lets CI find and update its own comment


def render_markdown(plan: Plan, limit: int = LIMIT) -> str:
    head = [MARKER, "### agentform plan", "", f"**{summary(plan)}**", ""]
    actionable = shown(plan)
    if actionable:
        head += ["| | Resource | Name | Action | Fields |", "|:-:|---|---|---|---|"]
        head += [_row(change) for change in actionable]
        head.append("")
    if plan.notes:
        head += [
            f"> **{note.kind} `{note.key}`**: {_escape(note.message)}  " for note in plan.notes
        ]
        head.append("")
    if plan.drift:
        head += [f"**{DRIFT_TITLE}**", ""]
        head += [f"- {d.kind} `{d.key}` (`{d.id}`): {_paths(d.fields)}" for d in plan.drift]
        head += [_drift_details(d) for d in plan.drift]
    text = "\n".join(head)
    for index, change in enumerate(actionable):
        block = _details(change)
        if len(text) + len(block) + 200 > limit:
            left = len(actionable) - index
            text += (
                f"\n_Details of {left} more resource{'s' if left != 1 else ''} left out to keep "
                f"this comment under {limit:,} characters: run `agentform plan` to see all._\n"
            )
            break
        text += block
    return text


def _paths(fields: tuple[FieldChange, ...]) -> str:
    text = ", ".join(f"`{f.path}`" for f in fields[:8])
    return text + (f" and {len(fields) - 8} more" if len(fields) > 8 else "")


def _drift_details(drift: Drift) -> str:
    summary = f"{drift.kind} <code>{drift.key}</code>: what changed"
    lines = [f"\n<details><summary>{summary}</summary>\n"]
    for field in drift.fields:
        if field.change == "changed" and (is_long_text(field.before) or is_long_text(field.after)):
            lines += [f"`{field.path}`", "", *fenced(text_diff(field, DRIFT_LABELS))]
        else:
            lines += fenced([_line(field, False)])
    lines.append("\n</details>\n")
    return "\n".join(lines)


def _row(change: Change) -> str:
    fields = "" if change.action == "create" else _paths(change.fields)
    cells = [
        f"`{SYMBOLS[change.action]}`",
        f"{change.kind} `{change.key}`",
        _escape(change.name),
        _escape(headline(change)),
        fields,
    ]
    return "| " + " | ".join(cells) + " |"


def _details(change: Change) -> str:
    ident = f" <code>{change.id}</code>" if change.id else ""
    symbol = f"<code>{SYMBOLS[change.action]}</code>"
    summary = f"{symbol} {change.kind} <code>{change.key}</code>{ident}: {_html(headline(change))}"
    body = [f"\n<details><summary>{summary}</summary>\n"]
    plain = [f for f in change.fields if not _is_diff(f, change)]
    if plain:
        body += fenced([_line(f, change.action == "create") for f in plain])
    for field in change.fields:
        if _is_diff(field, change):
            body += [f"`{field.path}`", "", *fenced(text_diff(field))]
    body += [f"\n{_html(line)}" for line in explained(change)]
    body.append("\n</details>\n")
    return "\n".join(body)


def fenced(lines: list[str], language: str = "diff") -> list[str]:
    """A code block no content can close: its fence is longer than any run of backticks
    (or tildes) inside, so a prompt line of ``` cannot break out of it."""
    text = "\n".join(lines)
    longest = max((len(run) for run in _FENCE_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + language, *lines, fence]


def _is_diff(field: FieldChange, change: Change) -> bool:
    return (
        change.action != "create"
        and field.change == "changed"
        and (is_long_text(field.before) or is_long_text(field.after))
    )


def _line(field: FieldChange, created: bool) -> str:
    if created or field.change == "added":
        return _prefixed("+", field.path, show(field.after))
    if field.change == "removed":
        return _prefixed("-", field.path, show(field.before))
    return f"- {field.path}: {show(field.before)}\n+ {field.path}: {show(field.after)}"


def _prefixed(sign: str, path: str, value: str) -> str:
    first, *rest = value.splitlines() or [""]
    return "\n".join([f"{sign} {path}: {first}", *(f"{sign}   {row}" for row in rest)])


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
