"""The terminal plan: colours on a TTY (the CLI decides), a unified diff for prompts."""

from __future__ import annotations

from agentform.plan.fielddiff import FieldChange
from agentform.plan.model import Change, Drift, Plan
from agentform.render.values import (
    DRIFT_LABELS,
    DRIFT_TITLE,
    PLAN_LABELS,
    SYMBOLS,
    headline,
    is_long_text,
    show,
    shown,
    summary,
    text_diff,
)

_COLORS = {"green": 32, "red": 31, "yellow": 33, "magenta": 35, "cyan": 36, "bold": 1, "dim": 2}
_ACTION_COLOR = {
    "create": "green",
    "update": "yellow",
    "replace": "magenta",
    "pin": "cyan",
    "archive": "red",
}
_FIELD = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, color: str) -> str:
        return f"\033[{_COLORS[color]}m{text}\033[0m" if self.enabled and text else text


def render_text(plan: Plan, *, color: bool = False) -> str:
    paint = _Paint(color)
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


def _change(change: Change, paint: _Paint) -> list[str]:
    symbol = SYMBOLS[change.action]
    ident = f" {change.id}" if change.id else ""
    title = f"  {symbol} {change.kind} {change.key} ({change.name}){ident}: {headline(change)}"
    lines = [paint(title, _ACTION_COLOR.get(change.action, "bold"))]
    for field in change.fields:
        lines += _field(field, paint, created=change.action == "create")
    return lines


def _drift(drift: Drift, paint: _Paint) -> list[str]:
    lines = [paint(f"  ~ {drift.kind} {drift.key} {drift.id}", "magenta")]
    for field in drift.fields:
        lines += _field(field, paint, created=False, labels=DRIFT_LABELS)
    return lines


def _field(
    field: FieldChange,
    paint: _Paint,
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
