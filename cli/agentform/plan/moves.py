"""Moves in a plan: `moved.yaml` entries whose rename pins.yaml or the server still lack.

The planner plans as if each move were done: it sees pins.yaml with the old key's entry
under the new key, and the object that entry (or the old marker) names marked with the
new key. So the new key's manifest is compared with the object it really is (no create,
no archive), and references to the new key resolve to the old key's pin (no cascade).
The move itself is a change of its own, `move`, which apply runs before the others: it
renames the pin (one conditional pins.yaml change) and the marker (`agentform.key`, a
metadata-only update). Pure: no I/O.

An agent's metadata is part of its versioned content, so the marker update makes a new
version that differs from the pinned one only in agentform's markers. The pin stays on
the version callers run (same id, version and digest under the new key): moving it
would change nothing callers see, yet every coordinator and deployment that uses the
agent would need a new version or an update to follow it. The planner knows such a
version for what it is and does not report the pin as held behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agentform.errors import UserError
from agentform.kinds import BY_NAME
from agentform.manifests.estate import Estate
from agentform.manifests.moved import Move
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.pins.model import Pin, Pins
from agentform.plan.model import Change
from agentform.remote.state import RemoteState, ServerObject


@dataclass(frozen=True)
class Pending:
    """A move with work left: the old key's pin (None: not pinned) and the object it is
    about (None: archived or gone), whose marker may still say the old key."""

    move: Move
    pin: Pin | None
    obj: ServerObject | None


def pending_moves(estate: Estate, state: RemoteState, pins: Pins) -> tuple[Pending, ...]:
    """The moves whose old key is still pinned, or still marks a live object."""
    return tuple(_pending(estate.moves, state, pins))


def pins_as_moved(moves: Iterable[Move], pins: Pins) -> Pins:
    """pins.yaml as it is once each move is done (the old key's entry under the new key)."""
    for move in moves:
        section = BY_NAME[move.kind].plural
        if pins.get(section, move.old) is not None and pins.get(section, move.new) is None:
            pins = pins.with_moved(section, move.old, move.new)
    return pins


def as_moved(
    state: RemoteState, pins: Pins, pending: Iterable[Pending]
) -> tuple[RemoteState, Pins]:
    """The server and pins.yaml as the planner sees them: each move done."""
    pending = tuple(pending)
    remarked = {(p.move.kind, p.obj.id): p.move.new for p in pending if p.obj is not None}
    objects = {
        kind_name: tuple(_marked(obj, remarked.get((kind_name, obj.id))) for obj in found)
        for kind_name, found in state.objects.items()
    }
    moved = RemoteState(objects, state.versions, state.histories)
    return moved, pins_as_moved((p.move for p in pending), pins)


def move_changes(
    pending: Iterable[Pending], planned: Iterable[Change], wanted: set[str] | None
) -> Iterator[Change]:
    """One `move` change per pending move (a targeted plan: those of its keys). `planned`
    are the plan's other changes: an update of the same resource writes the new marker
    itself (a second write would fail its compare-and-swap), so the move only renames
    the pin then."""
    updated = {(c.kind, c.key) for c in planned if c.action == "update"}
    for each in pending:
        move = each.move
        if wanted is not None and not {move.old, move.new} & wanted:
            continue
        marker = marker_body(move.kind, each.obj, move.new)
        body = None if (move.kind, move.new) in updated else marker
        yield _change(each, body)


def renamed_only(kind_name: str, latest: ServerObject, pinned: ServerObject) -> bool:
    """Whether the latest version differs from the pinned one only in its key marker (a
    move's marker update made it): callers see no difference, so it is no rollback."""
    of = BY_NAME[kind_name]
    if latest.key == pinned.key or not (of.complete(latest.data) and of.complete(pinned.data)):
        return False  # a listing leaves the content out: cannot tell
    return bool(of.actual(latest.data) == of.actual(pinned.data))


def _pending(moves: Iterable[Move], state: RemoteState, pins: Pins) -> Iterator[Pending]:
    for move in moves:
        of = BY_NAME[move.kind]
        pin = pins.get(of.plural, move.old)
        marked = state.by_key(move.kind).get(move.old, [])
        if pin is None and not marked:
            continue  # done (or never managed): the entry is inert
        if pin is not None and pins.get(of.plural, move.new) is not None:
            raise UserError(
                f"moved.yaml moves {move}, but pins.yaml pins both {move.old} and "
                f"{move.new}: remove the entry of the one that is not in use"
            )
        yield Pending(move, pin, _object(move, pin, marked, state))


def _object(
    move: Move, pin: Pin | None, marked: list[ServerObject], state: RemoteState
) -> ServerObject | None:
    """The object the move is about: the pinned one, else the one marked with the old key."""
    if pin is not None:
        return state.by_id(move.kind).get(pin.id)
    if len(marked) > 1:
        ids = ", ".join(o.id for o in marked)
        raise UserError(
            f"moved.yaml moves {move}, but {ids} all carry agentform.key={move.old} and none "
            f"is pinned: archive the extra ones, or pin the right one as {move.old}"
        )
    return marked[0]


def _marked(obj: ServerObject, key: str | None) -> ServerObject:
    if key is None:
        return obj
    metadata = {**obj.metadata, KEY_MARKER: key}
    return ServerObject(obj.kind, {**obj.data, "metadata": metadata})


def marker_body(kind_name: str, obj: ServerObject | None, key: str) -> dict[str, Any] | None:
    """The metadata-only update that marks `obj` with `key` (None: nothing to do)."""
    of = BY_NAME[kind_name]
    if obj is None or not of.marked or obj.key == key:
        return None
    body: dict[str, Any] = {"metadata": {KEY_MARKER: key, DIGEST_MARKER: obj.applied_digest}}
    if of.versioned:
        body["version"] = obj.version  # compare-and-swap, as every agent update
    return body


def _change(pending: Pending, body: Mapping[str, Any] | None) -> Change:
    move, pin, obj = pending.move, pending.pin, pending.obj
    return Change(
        kind=move.kind,
        key=move.new,
        action="move",
        name=obj.name if obj is not None else "",
        id=obj.id if obj is not None else (pin.id if pin is not None else None),
        from_version=obj.version if obj is not None else None,
        body=body,
        reason="same id; its pin and agentform.key are renamed, nothing created or archived",
        pinned_id=pin.id if pin is not None else None,
        pinned_version=pin.version if pin is not None else None,
        moved_from=move.old,
    )
