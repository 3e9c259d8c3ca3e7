"""A Plan as data: value objects with a stable order, rendered by interchangeable renderers.

A `Change` is what apply will do to one resource, with everything needed to do it
(the exact request body, the version it was planned against, the pin it expects to
find). A `Note` is something to know that apply will not change: a held pin, an
interrupted apply's version, a stray object, a broken pin. `Drift` is what changed on
the server outside agentform since it last applied a manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agentform.kinds import rank
from agentform.kinds.base import Step
from agentform.pins.model import Version
from agentform.plan.fielddiff import FieldChange
from agentform.remote.state import KindName

Action = Literal["create", "update", "replace", "pin", "move", "archive", "noop"]
ACTIONS: tuple[Action, ...] = ("create", "update", "replace", "pin", "move", "archive", "noop")
# Notes that make plan and apply fail: the pins point at something callers cannot use.
ERRORS = frozenset({"broken"})


@dataclass(frozen=True)
class Change:
    """What apply will do to one resource, with everything needed to do it."""

    kind: KindName
    key: str
    action: Action
    name: str
    id: str | None = None
    from_version: Version | None = None  # latest version planned against (`version=`)
    fields: tuple[FieldChange, ...] = ()
    body: Mapping[str, Any] | None = None
    reason: str = ""
    digest: str | None = None  # for `pin`: digest of the server spec being pinned
    live: bool = True  # for `archive`: False when the object is already archived or gone
    deferred: bool = False  # an archive that waits for --prune: shown, not done
    pinned_id: str | None = None  # the pin apply expects to find (it moves it only then)
    pinned_version: Version | None = None
    marker: str | None = None  # digest of the manifest: the version apply makes carries it
    depends_on: tuple[str, ...] = ()  # "kind:key" of references whose pins this plan moves
    spec: Mapping[str, Any] | None = None  # with placeholders: apply fills them, then marks
    follows: str | None = None  # pinning back: the digest of the latest, to follow forward
    steps: tuple[Step, ...] = ()  # writes after the create or update (kinds.base.Step)
    moved_from: str | None = None  # for `move`: the key it had (moved.yaml), pin and marker

    @property
    def order(self) -> tuple[int, str, bool, bool, str]:
        """By kind (agents, environments, ...), then key; a key's move before its other
        change, its archives after its live one."""
        last = self.action == "archive"
        return (rank(self.kind), self.key, self.action != "move", last, self.id or "")

    @property
    def effective(self) -> bool:
        """Apply will change something for it (not a noop, not a deferred archive)."""
        return self.action != "noop" and not self.deferred


@dataclass(frozen=True)
class Note:
    """Something to know that apply will not change: a held pin, a stray object."""

    kind: KindName
    key: str
    code: str  # held | unfinished | adopted | stray | missing | broken | outside
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Drift:
    """A resource changed outside agentform since it last applied this same manifest.

    `fields` read from what agentform applied (`before`) to what the server holds now
    (`after`); for a resource updated in place, the plan's update changes them back.
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
        return any(c.effective for c in self.changes)

    def counts(self) -> dict[Action, int]:
        return {
            a: sum(1 for c in self.changes if c.action == a and not c.deferred) for a in ACTIONS
        }

    @property
    def deferred(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.deferred)

    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.effective)

    @property
    def errors(self) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.code in ERRORS)
