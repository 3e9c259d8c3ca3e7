"""desired (manifests) x remote (server) x pins -> Plan. Pure: no I/O, no SDK calls.

Each manifest is matched to a server object by its pinned id, else by the metadata
marker `agentform.key=<key>`; objects without the marker are never touched. The plan
carries the exact request bodies, so `apply` runs only what was reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from agentform.errors import UserError
from agentform.kinds import KINDS, Kind, rank
from agentform.kinds.shape import digest, resolve_wildcards
from agentform.manifests.estate import Estate, Manifest
from agentform.pins.model import Pin, Pins
from agentform.plan.fielddiff import FieldChange, additions, field_changes
from agentform.plan.requests import create_body, update_body
from agentform.remote.state import KindName, RemoteState, ServerObject

Action = Literal["create", "update", "replace", "pin", "archive", "noop"]
ACTIONS: tuple[Action, ...] = ("create", "update", "replace", "pin", "archive", "noop")


@dataclass(frozen=True)
class Change:
    """What apply will do to one resource, with everything needed to do it."""

    kind: KindName
    key: str
    action: Action
    name: str
    id: str | None = None
    from_version: int | None = None  # agent version planned against (sent as `version=`)
    fields: tuple[FieldChange, ...] = ()
    body: Mapping[str, Any] | None = None
    reason: str = ""
    digest: str | None = None  # for `pin`: digest of the server spec being pinned
    live: bool = True  # for `archive`: False when the object is already archived or gone

    @property
    def order(self) -> tuple[int, str, bool, str]:
        """By kind (agents, environments, ...), then key; a key's archives after its live one."""
        return (rank(self.kind), self.key, self.action == "archive", self.id or "")


@dataclass(frozen=True)
class Note:
    """Something to know that apply will not change: a held pin, a stray object."""

    kind: KindName
    key: str
    code: str  # held | adopted | stray | missing
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Drift:
    """A resource changed outside agentform since it last applied this same manifest.

    `fields` read from what agentform applied (`before`) to what the server holds now
    (`after`); the plan's update for the same resource changes them back.
    """

    kind: KindName
    key: str
    id: str
    fields: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, Any]:
        fields = [f.to_json() for f in self.fields]
        return {"kind": self.kind, "key": self.key, "id": self.id, "fields": fields}


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notes: tuple[Note, ...] = ()
    drift: tuple[Drift, ...] = ()

    @property
    def has_changes(self) -> bool:
        return any(c.action != "noop" for c in self.changes)

    def counts(self) -> dict[Action, int]:
        return {a: sum(1 for c in self.changes if c.action == a) for a in ACTIONS}

    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action != "noop")


def build_plan(
    estate: Estate, state: RemoteState, pins: Pins, *, targets: Iterable[str] = ()
) -> Plan:
    wanted = _targets(targets, estate, pins)
    changes: list[Change] = []
    notes: list[Note] = []
    drift: list[Drift] = []
    for each in KINDS:
        planner = _KindPlanner(each, state, pins, wanted)
        for manifest in estate.of_kind(each.name).values():
            if wanted is None or manifest.key in wanted:
                changes.append(planner.plan(manifest))
        changes.extend(planner.archives(estate.of_kind(each.name)))
        notes.extend(planner.notes)
        drift.extend(planner.drift)
    return Plan(tuple(sorted(changes, key=lambda c: c.order)), tuple(notes), tuple(drift))


def _targets(targets: Iterable[str], estate: Estate, pins: Pins) -> set[str] | None:
    chosen = set(targets)
    if not chosen:
        return None
    known = {m.key for m in estate} | {key for section in pins.sections.values() for key in section}
    unknown = sorted(chosen - known)
    if unknown:
        raise UserError(
            f"--target {', '.join(unknown)}: no such key (known: {', '.join(sorted(known))})"
        )
    return chosen


class _KindPlanner:
    def __init__(self, of: Kind, state: RemoteState, pins: Pins, wanted: set[str] | None):
        self.of = of
        self.kind = of.name
        self.pins: Mapping[str, Pin] = pins.section(of.plural)
        self.live = state.by_id(of.name)
        self.marked = state.by_key(of.name)
        self.wanted = wanted
        self.matched: set[str] = set()
        self.notes: list[Note] = []
        self.drift: list[Drift] = []

    def plan(self, manifest: Manifest) -> Change:
        obj = self._match(manifest.key)
        marker = digest(self.of.desired(manifest.spec))
        if obj is None:
            return self._create(manifest, marker)
        self.matched.add(obj.id)
        self._note_held(manifest.key, obj)
        actual = self.of.actual(obj.data)
        desired = resolve_wildcards(self.of.desired(manifest.spec), actual)
        fields = field_changes(actual, desired, self.of.fields)
        same = Change(
            kind=self.kind, key=manifest.key, action="noop", name=manifest.spec["name"], id=obj.id
        )
        reason = self.of.replacement(desired, actual)
        if reason is not None:
            body = create_body(self.kind, manifest.key, manifest.spec, marker)
            return replace(same, action="replace", fields=fields, body=body, reason=reason)
        if fields and obj.applied_digest == marker:
            outside = field_changes(desired, actual, self.of.fields)
            self.drift.append(Drift(self.kind, manifest.key, obj.id, outside))
        if fields:
            body = update_body(
                self.kind, manifest.key, manifest.spec, marker, obj.metadata, obj.version
            )
            return replace(
                same, action="update", from_version=obj.version, fields=fields, body=body
            )
        pin = self.pins.get(manifest.key)
        if pin is None or pin.id != obj.id:
            reason = "no pin yet" if pin is None else f"pinned {pin.id} is gone"
            return replace(
                same, action="pin", from_version=obj.version, reason=reason, digest=digest(actual)
            )
        return replace(same, from_version=obj.version)

    def archives(self, manifests: Mapping[str, Manifest]) -> Iterator[Change]:
        """Objects agentform manages that no manifest wants any more."""
        for key, pin in sorted(self.pins.items()):
            if key in manifests or not self._wants(key):
                continue
            obj = self.live.get(pin.id)
            self.matched.add(pin.id)
            name = obj.name if obj else ""
            reason = "manifest removed" if obj else "manifest removed; already archived or gone"
            yield Change(
                kind=self.kind,
                key=key,
                action="archive",
                name=name,
                id=pin.id,
                reason=reason,
                live=obj is not None,
            )
        for key, objects in sorted(self.marked.items()):
            for obj in objects:
                if obj.id in self.matched or not self._wants(key):
                    continue
                if key in manifests:
                    reason = f"superseded: also marked {key}, but not the one in use"
                    yield Change(
                        kind=self.kind,
                        key=key,
                        action="archive",
                        name=obj.name,
                        id=obj.id,
                        reason=reason,
                    )
                elif key not in self.pins:
                    self._note(
                        key,
                        "stray",
                        f"{obj.id} is marked agentform.key={key}, which is neither a manifest "
                        "nor a pin here; left alone",
                    )

    def _wants(self, key: str) -> bool:
        return self.wanted is None or key in self.wanted

    def _match(self, key: str) -> ServerObject | None:
        pin = self.pins.get(key)
        if pin is not None and pin.id in self.live:
            obj = self.live[pin.id]
            if obj.key not in (None, key):
                raise UserError(
                    f"{self.kind} {key}: pinned {pin.id} is marked agentform.key={obj.key}; "
                    "fix pins.yaml"
                )
            return obj
        candidates = [o for o in self.marked.get(key, []) if o.id not in self.matched]
        if len(candidates) > 1:
            ids = ", ".join(o.id for o in candidates)
            raise UserError(
                f"{self.kind} {key}: {ids} all carry agentform.key={key} and none is pinned; "
                f"archive the extra ones or pin the right one in pins.yaml"
            )
        if pin is not None:
            found = (
                f"found {candidates[0].id} by its marker"
                if candidates
                else "a new one will be created"
            )
            self._note(key, "missing", f"pinned {pin.id} is archived or gone; {found}")
        return candidates[0] if candidates else None

    def _create(self, manifest: Manifest, marker: str) -> Change:
        return Change(
            kind=self.kind,
            key=manifest.key,
            action="create",
            name=manifest.spec["name"],
            fields=additions(dict(manifest.spec), self.of.fields),
            body=create_body(self.kind, manifest.key, manifest.spec, marker),
        )

    def _note_held(self, key: str, obj: ServerObject) -> None:
        pin = self.pins.get(key)
        version = pin.version if pin is not None else None
        if pin is None or pin.id != obj.id or version is None or obj.version is None:
            return
        if version < obj.version:
            data = {"pinned_version": version, "latest_version": obj.version}
            self._note(key, "held", f"held: pinned v{version}, latest v{obj.version}", data)

    def _note(
        self, key: str, code: str, message: str, data: Mapping[str, Any] | None = None
    ) -> None:
        self.notes.append(Note(self.kind, key, code, message, dict(data or {})))
