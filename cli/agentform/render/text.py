"""The terminal plan: colours on a TTY (the CLI decides), a unified diff for prompts."""

from __future__ import annotations

from agentform.plan.fielddiff import FieldChange
from agentform.plan.model import Change, Drift, Plan
from agentform.render.style import ACTION_COLORS, Paint
from agentform.render.values import (
    DRIFT_LABELS,
    DRIFT_TITLE,
    PLAN_LABELS,
    SYMBOLS,
    explained,
    headline,
    is_long_text,
    show,
    shown,
    summary,
    text_diff,
)

_FIELD = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}


def render_text(plan: Plan, *, color: bool = False) -> str:
    paint = Paint(color)
    lines: list[str] = []
    if plan.drift:
        lines += [paint(DRIFT_TITLE, "bold"), ""]
        for drift in plan.drift:
            lines += _drift(drift, paint)
            lines.append("")
    actionable = shown(plan)
    if actionable:
        lines += ["agentform will perform these actions:", ""]
        for change in actionable:
            lines += _change(change, paint)
            lines.append("")
    if plan.notes:
        lines.append("Notes:")
        lines += [f"  ! {note.kind} {note.key}: {note.message}" for note in plan.notes]
        lines.append("")
    lines.append(paint(summary(plan), "bold"))
    return "\n".join(lines) + "\n"


def _change(change: Change, paint: Paint) -> list[str]:
    symbol = SYMBOLS[change.action]
    ident = f" {change.id}" if change.id else ""
    title = f"  {symbol} {change.kind} {change.key} ({change.name}){ident}: {headline(change)}"
    lines = [paint(title, ACTION_COLORS.get(change.action, "bold"))]
    for field in change.fields:
        lines += _field(field, paint, created=change.action == "create")
    lines += [paint(f"    {line}", "dim") for line in explained(change)]
    return lines


def _drift(drift: Drift, paint: Paint) -> list[str]:
    lines = [paint(f"  ~ {drift.kind} {drift.key} {drift.id}", "magenta")]
    for field in drift.fields:
        lines += _field(field, paint, created=False, labels=DRIFT_LABELS)
    return lines


def _field(
    field: FieldChange,
    paint: Paint,
    *,
    created: bool,
    labels: tuple[str, str] = PLAN_LABELS,
) -> list[str]:
    symbol, color = _FIELD[field.change]
    if created:
        return _value_lines(f"      {field.path}: ", field.after)
    if field.change == "changed" and (is_long_text(field.before) or is_long_text(field.after)):
        lines = [paint(f"    {symbol} {field.path}:", color)]
        for row in text_diff(field, labels):
            tint = "green" if row.startswith("+") else "red" if row.startswith("-") else "dim"
            lines.append("        " + paint(row, "cyan" if row.startswith("@@") else tint))
        return lines
    if field.change == "changed":
        return [
            paint(f"    {symbol} {field.path}: {show(field.before)} -> {show(field.after)}", color)
        ]
    value = field.after if field.change == "added" else field.before
    return [paint(line, color) for line in _value_lines(f"    {symbol} {field.path}: ", value)]


def _value_lines(prefix: str, value: object) -> list[str]:
    if isinstance(value, str) and "\n" in value:
        indent = " " * (len(prefix) - len(prefix.lstrip()) + 4)
        return [prefix + "|", *(indent + row if row else "" for row in value.splitlines())]
    rendered = show(value).splitlines()
    return [prefix + rendered[0], *(" " * len(prefix) + row for row in rendered[1:])]
