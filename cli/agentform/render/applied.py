"""What an apply did: one summary line a CI step can parse, and JSON for machines.

The summary line always has the same shape, every count present, even when there was
nothing to do:

    Apply complete: 1 created, 2 updated, 0 replaced, 0 pinned, 0 archived, 0 moved;
    0 failed, 0 refused, 0 skipped, 0 kept, 0 not started; pins.yaml updated.

(one line; wrapped here).
(`complete` is `interrupted` after Ctrl+C or SIGTERM, `failed` when a write failed,
`refused by the eval gate` when the gate refused a version and nothing failed. `kept`:
pins this apply did not move because someone moved them meanwhile.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentform.plan.model import Plan
from agentform.render.jsonfmt import plan_to_json

if TYPE_CHECKING:
    from agentform.apply.run import ApplyResult
    from agentform.pins.model import Pins

FORMAT_VERSION = 1
DONE_BY_ACTION = {
    "create": "created",
    "update": "updated",
    "replace": "replaced",
    "pin": "pinned",
    "archive": "archived",
    "move": "moved",
}
PROBLEMS = ("failed", "refused", "skipped", "kept", "not started")
SUMMARY_PATTERN = (
    r"^Apply (complete|interrupted|failed|refused by the eval gate): (\d+) created, "
    r"(\d+) updated, (\d+) replaced, (\d+) pinned, (\d+) archived, (\d+) moved; "
    r"(\d+) failed, (\d+) refused, (\d+) skipped, (\d+) kept, (\d+) not started; "
    r"(.+) (updated|unchanged)\.$"
)


def counts(result: ApplyResult | None) -> dict[str, int]:
    """Per action done (created, updated, ...), then failed, refused, skipped."""
    found = dict.fromkeys([*DONE_BY_ACTION.values(), *PROBLEMS], 0)
    for outcome in result.outcomes if result is not None else ():
        if outcome.status in ("done", "unchanged"):
            found[DONE_BY_ACTION[outcome.change.action]] += 1
        elif outcome.status == "stopped":
            found["failed"] += 1
        elif outcome.status in PROBLEMS:
            found[outcome.status] += 1
    if result is not None:
        found["not started"] = len(result.not_started)
    return found


def state(result: ApplyResult | None) -> str:
    if result is not None and result.interrupted:
        return "interrupted"
    if result is not None and result.failed:
        return "failed"
    if result is not None and result.refused:
        return "refused by the eval gate"
    return "complete"


def summary_line(result: ApplyResult | None, pins_path: Path) -> str:
    found = counts(result)
    done = ", ".join(f"{found[word]} {word}" for word in DONE_BY_ACTION.values())
    problems = ", ".join(f"{found[word]} {word}" for word in PROBLEMS)
    pins = "updated" if result is not None and result.pins_changed else "unchanged"
    return f"Apply {state(result)}: {done}; {problems}; {pins_path} {pins}."


def apply_to_json(
    plan: Plan, result: ApplyResult | None, pins: Pins, pins_path: Path
) -> dict[str, Any]:
    """The plan as `plan --format json` has it, each change's outcome, and the totals."""
    return {
        "format_version": FORMAT_VERSION,
        "status": state(result).split(" ")[0],
        "summary": counts(result),
        "pins_file": str(pins_path),
        "pins_changed": bool(result and result.pins_changed),
        "outcomes": [_outcome(o, pins) for o in (result.outcomes if result else ())],
        "plan": plan_to_json(plan),
    }


def render_apply_json(plan: Plan, result: ApplyResult | None, pins: Pins, pins_path: Path) -> str:
    return json.dumps(apply_to_json(plan, result, pins, pins_path), indent=2) + "\n"


def _outcome(outcome: Any, pins: Pins) -> dict[str, Any]:
    change = outcome.change
    from agentform.kinds import kind

    pin = pins.get(kind(change.kind).plural, change.key)
    return {
        "kind": change.kind,
        "key": change.key,
        "action": change.action,
        "status": outcome.status,
        "message": outcome.message,
        "pinned_id": pin.id if pin else None,
        "pinned_version": pin.version if pin else None,
    }
