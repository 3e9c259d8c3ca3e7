"""Two applies that created the same resource at once keep exactly one of them.

Two CI runners (or two checkouts) applying one commit both plan "create triage" and
both create it. After its creates, an apply lists each kind once and looks at every
key it created: when more than one live object carries that key's marker, the winner
is the oldest (by `created_at`, then id) — a rule both applies agree on once both
objects are visible. The loser archives its own object and pins the winner instead.
A create is listed only after it committed, so at least the later apply sees both.
Kinds without markers (skills) cannot tell a twin apart: the later apply's pin is kept
out (`kept`), and its skill stays unpinned.
"""

from __future__ import annotations

from agentform.apply import writes
from agentform.apply.runner import Outcome, pin_of
from agentform.kinds import kind
from agentform.pins.model import Pin
from agentform.pins.store import Batch, PinChange
from agentform.remote.client import Remote, RemoteError
from agentform.remote.state import ServerObject


def reconcile_creates(
    remote: Remote, batch: Batch, outcomes: list[Outcome], policy: writes.RetryPolicy
) -> list[Outcome]:
    """`outcomes`, with those of creates that lost a race replaced by what was done."""
    created = [o for o in outcomes if o.status == "done" and o.made and o.change.action == "create"]
    replaced: dict[int, Outcome] = {}
    for kind_name in sorted({o.change.kind for o in created if kind(o.change.kind).marked}):
        mine = [o for o in created if o.change.kind == kind_name]
        try:
            objects = remote.objects(kind_name)
        except RemoteError as exc:
            for o in mine:
                replaced[id(o)] = Outcome(o.change, "failed", f"could not look for a twin: {exc}")
            continue
        by_key: dict[str | None, list[ServerObject]] = {}
        for obj in objects:
            by_key.setdefault(obj.key, []).append(obj)
        for outcome in mine:
            twins = sorted(by_key.get(outcome.change.key, ()), key=_age)
            if len(twins) > 1 and twins[0].id != outcome.made:
                replaced[id(outcome)] = _lose(remote, batch, outcome, twins[0], policy)
    return [replaced.get(id(o), o) for o in outcomes]


def _lose(
    remote: Remote, batch: Batch, outcome: Outcome, winner: ServerObject, policy: writes.RetryPolicy
) -> Outcome:
    change, ours = outcome.change, str(outcome.made)
    try:
        writes.archive(remote, change.kind, ours, policy)
    except RemoteError as exc:
        return Outcome(change, "failed", f"another apply created {winner.id} first; {exc}")
    section = kind(change.kind).plural
    batch.add(PinChange(section, change.key, pin_of(winner), expect=Pin(ours)), change)
    return Outcome(
        change,
        "done",
        f"another apply created {winner.id} first: archived ours ({ours}), pinned {winner.id}",
        made=ours,
    )


def _age(obj: ServerObject) -> tuple[str, str]:
    return (str(obj.data.get("created_at", "")), obj.id)
