"""The plan as JSON for machines: stable keys, one object per change."""

from __future__ import annotations

import json
from typing import Any

from agentform.plan.model import Change, Plan

FORMAT_VERSION = 1


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "has_changes": plan.has_changes,
        "summary": {**plan.counts(), "deferred": len(plan.deferred)},
        "changes": [_change(c) for c in plan.changes],
        "drift": [d.to_json() for d in plan.drift],
        "notes": [
            {"kind": n.kind, "key": n.key, "code": n.code, "message": n.message, **dict(n.data)}
            for n in plan.notes
        ],
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False) + "\n"


def _change(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "key": change.key,
        "action": change.action,
        "name": change.name,
        "id": change.id,
        "from_version": change.from_version,
        "reason": change.reason or None,
        "deferred": change.deferred,
        "fields": [f.to_json() for f in change.fields],
        "moved_from": change.moved_from,
    }
