"""How values, prompts and summaries read, shared by the text and markdown renderers."""

from __future__ import annotations

import difflib
import json
from typing import Any

from agentform.kinds import kind, refs
from agentform.pins.model import label
from agentform.plan.fielddiff import FieldChange
from agentform.plan.model import Change, Plan

SYMBOLS = {
    "create": "+",
    "update": "~",
    "replace": "-/+",
    "pin": "*",
    "move": "->",
    "archive": "-",
    "noop": " ",
}
LONG = 80


def is_long_text(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) > LONG)


def show(value: Any) -> str:
    """A value as compact JSON, or pretty JSON when it does not fit a line; a value
    apply fills in (a reference to a resource this plan changes) says so."""
    pending = refs.describe(value)
    if pending is not None:
        return pending
    value = refs.readable(value)
    compact = json.dumps(value, ensure_ascii=False)
    if len(compact) <= LONG or not isinstance(value, dict | list):
        return compact
    return json.dumps(value, ensure_ascii=False, indent=2)


PLAN_LABELS = ("server", "manifest")
DRIFT_LABELS = ("applied", "server")
DRIFT_TITLE = "Changed outside agentform since it was last applied (apply changes it back):"


def text_diff(field: FieldChange, labels: tuple[str, str] = PLAN_LABELS) -> list[str]:
    """A unified diff of a long string field, `before` to `after`."""
    before = field.before if isinstance(field.before, str) else ""
    after = field.after if isinstance(field.after, str) else ""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), *labels, lineterm="", n=3)
    return list(lines)


def headline(change: Change) -> str:
    """`update v3 -> new version`, `archive (irreversible): manifest removed`, ..."""
    action = change.action
    if action == "update" and kind(change.kind).versioned:
        text = f"update {label(change.from_version)} -> new version"
    elif action == "update":
        text = "update in place"
    elif action == "archive" and change.deferred:
        text = "archive (only with --prune)"
    elif action == "archive":
        text = "archive (irreversible)"
    elif action == "pin" and change.from_version is not None:
        text = f"pin {label(change.from_version)}"
    elif action == "move":
        text = f"{change.moved_from} -> {change.key} (moved)"
    else:
        text = action
    return f"{text}: {change.reason}" if change.reason else text


def summary(plan: Plan) -> str:
    counts = plan.counts()
    waiting = _deferred(plan)
    if not plan.has_changes:
        return (
            f"No changes. The server matches the manifests ({counts['noop']} resources){waiting}."
        )
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['replace']} to replace",
        f"{counts['archive']} to archive",
    ]
    parts += [f"{counts[a]} to {a}" for a in ("pin", "move") if counts[a]]
    return f"Plan: {', '.join(parts)}; {counts['noop']} unchanged{waiting}."


def explained(change: Change) -> list[str]:
    """Lines the kind adds under a create or update, computed now (a schedule's next runs)."""
    if change.action not in ("create", "update", "replace") or change.body is None:
        return []
    return kind(change.kind).annotate(change.body)


def shown(plan: Plan) -> tuple[Change, ...]:
    """The changes a plan lists: what apply will do, then what waits for --prune."""
    return plan.actionable() + plan.deferred


def _deferred(plan: Plan) -> str:
    count = len(plan.deferred)
    return f"; {count} to archive only with --prune" if count else ""
