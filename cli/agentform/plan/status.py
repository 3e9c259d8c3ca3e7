"""One row per resource: manifest vs latest server version vs pin. Pure: no I/O.

States, most urgent first:
  broken      the pin points at a version or object that does not exist: callers fail
  unmanaged   in pins.yaml, but no manifest
  missing     the pinned object is archived or gone (apply re-creates or re-pins it)
  unfinished  an interrupted apply made a version from this manifest but did not pin it
  drifted     changed outside agentform since it last applied this manifest
  pending     the manifest differs from what callers run (or is not pinned yet)
  held        the pin is behind the latest version: a rollback in effect
  synced      the server matches the manifest and the pin is on the latest version
  stray       marked by agentform, but neither a manifest nor a pin here
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from agentform.kinds import KINDS, Kind, rank
from agentform.manifests.estate import Estate, Manifest
from agentform.pins.model import Pin, Pins, Version, behind, label
from agentform.plan.build import build_plan
from agentform.plan.model import Change, Plan
from agentform.remote.state import KindName, RemoteState, ServerObject

State = Literal[
    "broken", "unmanaged", "missing", "unfinished", "drifted", "pending", "held", "synced", "stray"
]
STATES: tuple[State, ...] = (
    "broken", "unmanaged", "missing", "unfinished", "drifted", "pending", "held", "synced", "stray"
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    kind: KindName
    key: str
    id: str | None
    pinned_version: Version | None
    latest_version: Version | None
    state: State
    detail: str = ""
    lines: tuple[str, ...] = ()  # what the kind adds (a deployment's next and last run)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "id": self.id,
            "pinned_version": self.pinned_version,
            "latest_version": self.latest_version,
            "state": self.state,
            "detail": self.detail or None,
            "lines": list(self.lines),
        }


def build_status(estate: Estate, state: RemoteState, pins: Pins) -> tuple[Row, ...]:
    plan = build_plan(estate, state, pins)
    rows = [row for each in KINDS for row in _rows(each, estate, state, pins, plan)]
    rows += [
        Row(n.kind, n.key, str(n.data.get("id")), None, None, "stray", n.message)
        for n in plan.notes
        if n.code == "stray"
    ]
    return tuple(sorted(rows, key=lambda r: (rank(r.kind), r.key, r.state)))


def _rows(of: Kind, estate: Estate, state: RemoteState, pins: Pins, plan: Plan) -> Iterator[Row]:
    kind = of.name
    pinned: Mapping[str, Pin] = pins.section(of.plural)
    live = state.by_id(kind)
    changes: dict[str, Change] = {}
    for c in plan.changes:  # a key's move says more than its noop
        shown = changes.get(c.key)
        if c.kind == kind and c.action != "archive" and (shown is None or shown.action != "move"):
            changes[c.key] = c
    drifted = {d.key for d in plan.drift if d.kind == kind}
    notes = {(n.key, n.code): n.message for n in plan.notes if n.kind == kind}
    moving = {c.moved_from for c in changes.values() if c.action == "move"}
    for key in sorted((set(estate.of_kind(kind)) | set(pinned)) - moving):
        pin = pinned.get(key)
        pin_version = pin.version if pin is not None else None
        change = changes.get(key)
        obj = live.get(pin.id) if pin else None
        if obj is None and change is not None and change.id is not None:
            obj = live.get(change.id)
        latest = obj.version if obj else None
        ident = obj.id if obj else (pin.id if pin else None)
        state_, detail = _state(
            key, estate.of_kind(kind), pin, pin_version, obj, latest, change, drifted, notes
        )
        lines = tuple(of.status_lines(obj.data)) if obj is not None else ()
        yield Row(kind, key, ident, pin_version, latest, state_, detail, lines)


def _state(
    key: str,
    manifests: Mapping[str, Manifest],
    pin: Pin | None,
    pin_version: Version | None,
    obj: ServerObject | None,
    latest: Version | None,
    change: Change | None,
    drifted: set[str],
    notes: Mapping[tuple[str, str], str],
) -> tuple[State, str]:
    if (key, "broken") in notes:
        return "broken", notes[(key, "broken")]
    if key not in manifests:
        return "unmanaged", "pinned, but there is no manifest for it"
    if pin is not None and (obj is None or obj.id != pin.id):
        return "missing", f"pinned {pin.id} is archived or gone"
    if (key, "unfinished") in notes:
        return "unfinished", notes[(key, "unfinished")] + "; apply pins it"
    if key in drifted:
        return "drifted", "changed outside agentform; plan shows what"
    if change is not None and change.action != "noop":
        return "pending", _pending(change)
    if (key, "held") in notes:
        return "held", notes[(key, "held")].removeprefix("held: ")
    # With a change, the plan notes a held pin itself; it does not for a newer version
    # that differs only in agentform's markers (a move's), which is no rollback.
    if change is None and behind(pin_version, latest):
        return "held", f"pinned {label(pin_version)}, latest {label(latest)}"
    return "synced", ""


def _pending(change: Change) -> str:
    if change.action == "update" and change.reason:
        return change.reason  # "agent triage v2 -> v1 (follows pins)", "credential x rotated"
    return {
        "create": "not created yet",
        "update": "the manifest changed: apply makes a new version",
        "replace": "config.type changed: apply replaces it",
        "pin": "exists but is not pinned yet",
        "move": f"moved from {change.moved_from}: apply renames its pin and marker",
    }.get(change.action, change.action)
