"""A refresh-only plan (server values into manifests) as text, Markdown or JSON."""

from __future__ import annotations

import json
from typing import Any

from agentform.pins.model import label
from agentform.plan.fielddiff import FieldChange
from agentform.plan.refresh import Refresh, RefreshPlan
from agentform.render.style import Paint
from agentform.render.values import is_long_text, show, text_diff

TITLE = "Refresh only: the server's values go into the manifests; nothing on the server changes."
LABELS = ("manifest", "server")


def summary(plan: RefreshPlan) -> str:
    if not plan.has_changes:
        return "No changes. The manifests match the server."
    files = sum(1 + len(r.files) for r in plan.refreshes)
    count = len(plan.refreshes)
    return (
        f"Refresh: {count} manifest{'s' if count != 1 else ''} to update, "
        f"{files} file{'s' if files != 1 else ''} to write."
    )


def render_refresh(plan: RefreshPlan, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(refresh_to_json(plan), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(plan)
    return _text(plan, Paint(color))


def refresh_to_json(plan: RefreshPlan) -> dict[str, Any]:
    return {
        "format_version": 1,
        "refresh_only": True,
        "has_changes": plan.has_changes,
        "changes": [
            {
                "kind": r.kind,
                "key": r.key,
                "id": r.id,
                "version": r.version,
                "path": str(r.path),
                "files": [str(p) for p in r.files],
                "fields": [f.to_json() for f in r.fields],
            }
            for r in plan.refreshes
        ],
        "notes": [{"kind": s.kind, "key": s.key, "message": s.message} for s in plan.skipped],
    }


def _text(plan: RefreshPlan, paint: Paint) -> str:
    lines: list[str] = []
    if plan.refreshes:
        lines += [paint(TITLE, "bold"), ""]
        for refresh in plan.refreshes:
            lines += _refresh(refresh, paint)
            lines.append("")
    if plan.skipped:
        lines.append("Notes:")
        lines += [f"  ! {s.kind} {s.key}: {s.message}" for s in plan.skipped]
        lines.append("")
    lines.append(paint(summary(plan), "bold"))
    return "\n".join(lines) + "\n"


def _refresh(refresh: Refresh, paint: Paint) -> list[str]:
    version = f" {label(refresh.version)}" if refresh.version is not None else ""
    written = ", ".join(str(p) for p in (refresh.path, *refresh.files))
    title = f"  ~ {refresh.kind} {refresh.key} ({refresh.id}{version}) -> {written}"
    lines = [paint(title, "magenta")]
    for change in refresh.fields:
        lines += _field(change)
    return lines


def _field(change: FieldChange) -> list[str]:
    if change.change == "changed" and (is_long_text(change.before) or is_long_text(change.after)):
        return [f"    ~ {change.path}:", *("        " + row for row in text_diff(change, LABELS))]
    if change.change == "changed":
        return [f"    ~ {change.path}: {show(change.before)} -> {show(change.after)}"]
    if change.change == "added":
        return [f"    + {change.path}: {show(change.after)}"]
    return [f"    - {change.path}: {show(change.before)}"]


def _markdown(plan: RefreshPlan) -> str:
    lines = ["### agentform plan --refresh-only", "", f"**{summary(plan)}**", ""]
    for refresh in plan.refreshes:
        lines += [f"- `{refresh.kind} {refresh.key}` -> `{refresh.path}`", "", "```diff"]
        lines += [row for change in refresh.fields for row in _field(change)]
        lines += ["```", ""]
    for skipped in plan.skipped:
        lines.append(f"> {skipped.kind} {skipped.key}: {skipped.message}")
    return "\n".join(lines).rstrip("\n") + "\n"
