"""A change's steps (kinds.base.Step) as the plan shows them, and why a change is made.

Steps are the writes a kind makes beyond an object's own create or update (a vault's
credentials, a memory store's memories, a deployment's pause); each lists the fields it
changes, which the plan shows among the change's own fields. A change's reason says
first how the references it resolves move ("agent triage v4 -> v3 (follows pins)"),
else which dependency this plan changes, else what its steps do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentform.kinds.base import Step
from agentform.plan.fielddiff import ABSENT, FieldChange
from agentform.plan.secrets import redact


def shown(steps: Iterable[Step]) -> tuple[FieldChange, ...]:
    """The fields the steps change, for the plan."""
    return tuple(
        FieldChange(
            str(item["path"]),
            redact(item["before"]) if "before" in item else ABSENT,
            redact(item["after"]) if "after" in item else ABSENT,
        )
        for step in steps
        for item in step.shows
    )


def reason(moved: list[str], depends_on: tuple[str, ...], steps: Iterable[Step]) -> str:
    if moved:
        return "; ".join(moved)
    if depends_on:
        return f"uses {', '.join(d.replace(':', ' ') for d in depends_on)}, which this plan changes"
    return "; ".join(step.summary for step in steps)


def from_data(data: Iterable[dict[str, Any]]) -> tuple[Step, ...]:
    """Steps read back from a saved plan."""
    return tuple(
        Step(s["op"], s["summary"], s.get("args") or {}, tuple(s.get("shows") or ())) for s in data
    )
