"""desired (manifests) x remote (server) x pins -> Plan. Pure: no I/O, no SDK calls.

Each manifest is matched to a server object by its pinned id, else by the metadata
marker `agentform.key=<key>`; objects without the marker are never touched. The plan
carries the exact request bodies, so `apply` runs only what was reviewed.

The baseline is what callers run: a manifest is compared with the **pinned** version
(the latest is only the compare-and-swap `version=` of an update). So a manifest equal
to the pinned version is no change, even when a newer version exists; a newer version
made from this very manifest is either a rollback in effect (`held`) or, when pins.yaml
records the intent of an apply that did not finish, a version to pin (`unfinished`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from agentform.errors import UserError
from agentform.kinds import BY_NAME, KINDS, REFERABLE, Kind, refs
from agentform.kinds.base import Step
from agentform.kinds.shape import digest, resolve_wildcards
from agentform.manifests import graph
from agentform.manifests.estate import Estate, Manifest
from agentform.pins.model import Pin, Pins, ahead, behind, label
from agentform.plan import moves
from agentform.plan.archives import Archives
from agentform.plan.fielddiff import additions, field_changes
from agentform.plan.model import Change, Drift, Note, Plan
from agentform.plan.requests import create_body, update_body
from agentform.plan.steps import reason, shown
from agentform.remote.state import RemoteState, ServerObject, VersionKey


def build_plan(
    estate: Estate,
    state: RemoteState,
    pins: Pins,
    *,
    targets: Iterable[str] = (),
    prune: bool = False,
    prune_strays: bool = False,
) -> Plan:
    """The plan; archives wait for `prune` (shown, not done), strays for `prune_strays`.
    Moves (moved.yaml) are planned as if done, plus a `move` change each (plan.moves)."""
    pending = moves.pending_moves(estate, state, pins)
    state, pins = moves.as_moved(state, pins, pending)
    wanted = _targets(targets, estate, pins)
    planners = {each.name: _KindPlanner(each, state, pins, prune) for each in KINDS}
    cascade = _Cascade(pins)
    changes: list[Change] = []
    for manifest in graph.order(estate.manifests):
        if wanted is None or manifest.key in wanted:
            spec, depends_on = cascade.resolve(manifest)
            change = planners[manifest.kind].plan(manifest, spec, depends_on)
            cascade.moved(change)
            changes.append(change)
    notes: list[Note] = []
    drift: list[Drift] = []
    for each in KINDS:
        planner = planners[each.name]
        archives = Archives(each, state, pins, planner.matched, wanted, prune, prune_strays)
        changes.extend(archives.changes(estate.of_kind(each.name)))
        notes += planner.notes + archives.notes
        drift += planner.drift
    changes += moves.move_changes(pending, changes, wanted)
    return Plan(tuple(sorted(changes, key=lambda c: c.order)), tuple(notes), tuple(drift))


class _Cascade:
    """Resolves `{<kind>: <key>}` references to pins, in dependency order: a key whose
    pin this plan moves resolves to placeholders, and its dependents depend on it."""

    def __init__(self, pins: Pins) -> None:
        self.pins = pins
        self.moving: dict[tuple[str, str], Change] = {}

    def resolve(self, manifest: Manifest) -> tuple[dict[str, Any], tuple[str, ...]]:
        used: list[str] = []

        def lookup(kind_name: str, key: str) -> tuple[Any, Any] | None:
            change = self.moving.get((kind_name, key))
            if change is not None:
                used.append(f"{kind_name}:{key}")
                return _after_apply(change)
            pin = self.pins.get(BY_NAME[kind_name].plural, key)
            if pin is None:
                raise UserError(
                    f"{manifest.kind} {manifest.key} uses {kind_name} {key}, which has no pin "
                    "and is not part of this plan: apply it first (or drop --target)"
                )
            return pin.id, pin.version

        spec = refs.resolve(dict(manifest.spec), REFERABLE, lookup)
        return spec, tuple(dict.fromkeys(used))

    def moved(self, change: Change) -> None:
        if change.effective and change.action in ("create", "update", "replace", "pin"):
            self.moving[(change.kind, change.key)] = change


def _after_apply(change: Change) -> tuple[Any, Any]:
    """A moving dependency's (id, version): what is known now, placeholders for the rest."""
    if change.action == "pin":
        return change.id, change.from_version
    known_id = change.id if change.action == "update" else None
    ident = known_id or refs.placeholder(change.kind, change.key, "id")
    return ident, refs.placeholder(change.kind, change.key, "version")


def versions_needed(state: RemoteState, pins: Pins) -> list[VersionKey]:
    """The pinned versions a plan compares with that the list calls did not return
    (the list gives each object's latest version): one retrieve each, only for pins
    behind their latest (a rollback, a refused version, an interrupted apply)."""
    needed = []
    for each in KINDS:
        if not each.versioned:
            continue
        live = state.by_id(each.name)
        for pin in pins.section(each.plural).values():
            latest = live.get(pin.id)
            if latest is None or pin.version is None or latest.version is None:
                continue
            if behind(pin.version, latest.version):
                needed.append((each.name, pin.id, pin.version))
    return needed


def contents_needed(estate: Estate, state: RemoteState, pins: Pins) -> list[VersionKey]:
    """For kinds whose listing leaves the content out (skills, see `Kind.complete`): the
    latest versions whose content a plan reads, only where a manifest differs from its
    pin's digest (O(changed)). Where it equals it, the pin's digest stands for the
    pinned version's content (`pins check` verifies it against the server)."""
    needed = []
    for each in KINDS:
        live = state.by_id(each.name)
        for key, manifest in estate.of_kind(each.name).items():
            pin = pins.get(each.plural, key)
            latest = live.get(pin.id) if pin is not None else None
            if pin is None or latest is None or latest.version is None:
                continue
            if each.complete(latest.data) or pin.digest == digest(each.desired(manifest.spec)):
                continue
            needed.append((each.name, latest.id, latest.version))
    return needed


def histories_needed(estate: Estate, state: RemoteState, pins: Pins) -> list[tuple[str, str]]:
    """Versioned objects whose manifests use other managed resources: when what they use
    was rolled back, an older version of theirs may already be the right one."""
    needed = []
    for each in KINDS:
        if not each.versioned:
            continue
        for key, manifest in estate.of_kind(each.name).items():
            pin = pins.get(each.plural, key)
            if pin is not None and graph.references(manifest) and pin.id in state.by_id(each.name):
                needed.append((each.name, pin.id))
    return needed


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
    def __init__(self, of: Kind, state: RemoteState, pins: Pins, prune: bool = False) -> None:
        self.of = of
        self.prune = prune
        self.kind = of.name
        self.state = state
        self.pins: Mapping[str, Pin] = pins.section(of.plural)
        self.all_pins = pins
        self.live = state.by_id(of.name)
        self.marked = state.by_key(of.name)
        self.matched: set[str] = set()
        self.notes: list[Note] = []
        self.drift: list[Drift] = []

    def plan(
        self, manifest: Manifest, spec: Mapping[str, Any], depends_on: tuple[str, ...] = ()
    ) -> Change:
        """`spec` is the manifest with its references resolved (see _Cascade)."""
        obj = self._match(manifest.key)
        marker = digest(self.of.desired(spec))
        pin = self.pins.get(manifest.key)
        pending = dict(spec) if refs.has_placeholders(spec) else None
        if obj is None:
            created = self._create(manifest, spec, marker, pin)
            return replace(created, depends_on=depends_on, spec=pending)
        self.matched.add(obj.id)
        same = Change(
            kind=self.kind,
            key=manifest.key,
            action="noop",
            name=str(spec.get(self.of.name_field, "")),
            id=obj.id,
            from_version=obj.version,
            pinned_id=pin.id if pin else None,
            pinned_version=pin.version if pin else None,
            marker=marker,
            depends_on=depends_on,
            spec=pending,
        )
        baseline = self._baseline(manifest.key, obj, pin)
        if baseline is None:
            return same  # a broken pin: noted, nothing to plan against
        if not self.of.complete(baseline.data) and pin is not None and pin.digest == marker:
            return self._unchanged(same, obj, baseline, pin)  # the pin vouches for it
        actual = self.of.actual(baseline.data)
        desired = resolve_wildcards(self.of.desired(spec), actual)
        fields = field_changes(actual, desired, self.of.fields)
        fields = self.of.explain(fields, spec, baseline.data)
        self._note_drift(manifest.key, obj, marker, desired)
        why = self.of.replacement(desired, actual)
        if why is not None:
            body = create_body(self.kind, manifest.key, spec, marker)
            steps = self._steps(manifest.key, spec, None)
            fields += shown(steps)
            return replace(
                same, action="replace", fields=fields, body=body, reason=why, steps=steps
            )
        steps = self._steps(manifest.key, spec, obj.data)
        fields += shown(steps)
        if not fields:
            return self._unchanged(same, obj, baseline, pin)
        made = self._made_from_manifest(same, obj, pin, desired)
        if made is not None:
            return made
        older = self._older_version(same, obj, pin, desired)
        if older is not None:
            return older
        body = update_body(self.kind, manifest.key, spec, marker, obj.metadata, obj.version)
        moved = refs.moves(graph.references(manifest), actual, desired)
        because = reason(moved, depends_on, steps)
        return replace(same, action="update", fields=fields, body=body, reason=because, steps=steps)

    # -- the pieces of plan() -----------------------------------------------------------

    def _baseline(self, key: str, latest: ServerObject, pin: Pin | None) -> ServerObject | None:
        """The version callers run: the pinned one (the latest when none is pinned)."""
        if pin is None or pin.id != latest.id or pin.version is None:
            return latest
        if ahead(pin.version, latest.version):
            self._broken(
                key,
                pin,
                f"{label(pin.version)} does not exist (the latest is {label(latest.version)})",
            )
            return None
        found = self.state.version(self.kind, pin.id, pin.version)
        if found is None:
            self._broken(key, pin, f"{label(pin.version)} does not exist on the server")
        return found

    def _unchanged(
        self, same: Change, latest: ServerObject, baseline: ServerObject, pin: Pin | None
    ) -> Change:
        if pin is None or pin.id != latest.id:
            reason = "no pin yet" if pin is None else f"pinned {pin.id} is gone"
            spec_digest = digest(self.of.actual(baseline.data))
            return replace(same, action="pin", reason=reason, digest=spec_digest)
        if behind(pin.version, latest.version) and not moves.renamed_only(
            self.kind, latest, baseline
        ):
            data = {"pinned_version": pin.version, "latest_version": latest.version}
            if any(d.key == same.key for d in self.drift):
                message = (
                    f"{label(latest.version)} was changed outside agentform (see above) and is not "
                    f"pinned; callers run {label(pin.version)}, which matches the manifest"
                )
                self._note(same.key, "outside", message, data)
            else:
                message = f"held: pinned {label(pin.version)}, latest {label(latest.version)}"
                self._note(same.key, "held", message, data)
        return same

    def _made_from_manifest(
        self, same: Change, latest: ServerObject, pin: Pin | None, desired: object
    ) -> Change | None:
        """A newer, unpinned version that already is this manifest: finish or hold.

        Pinned by the next apply when pins.yaml records an intent to get there (an
        interrupted apply; a pin that follows what it uses); otherwise held: a rollback
        in effect, or a version made on the server whose content the manifest accepted.
        """
        if not self.of.versioned or pin is None or pin.id != latest.id:
            return None
        if latest.version == pin.version or latest.version is None:
            return None
        latest = self.state.version(self.kind, latest.id, latest.version) or latest  # content
        actual = self.of.actual(latest.data)
        if resolve_wildcards(desired, actual) != actual:
            return None
        data = {"pinned_version": pin.version, "latest_version": latest.version}
        intent = self.all_pins.intent(self.of.plural, same.key)
        ours = latest.applied_digest == same.marker
        if intent is None or not ours or intent.digest != same.marker or intent.base != pin.version:
            pinned, newer = label(pin.version), label(latest.version)
            message = f"held: pinned {pinned}; {newer} matches the manifest"
            if ours:
                message = f"held: rolled back to {pinned}; {newer} matches the manifest"
            self._note(same.key, "held", message, data)
            return same
        if intent.cause == "follows":
            reason = f"it follows what it uses: {label(latest.version)} uses today's pins"
            self._note(same.key, "follows", reason, data)
        else:
            reason = (
                f"{label(latest.version)} was made from this manifest by an apply that did not "
                "record its pin"
            )
            self._note(same.key, "unfinished", reason, data)
        return replace(same, action="pin", reason=reason, digest=digest(actual))

    def _older_version(
        self, same: Change, latest: ServerObject, pin: Pin | None, desired: object
    ) -> Change | None:
        """An existing version that already is this manifest (with today's pins of what it
        uses): a dependency rolled back, so the dependent goes back to the version that
        used it, rather than making a copy of it."""
        for version in reversed(self.state.history(self.kind, latest.id)):
            if version.version in (latest.version, pin.version if pin else None):
                continue
            if version.applied_digest != same.marker:
                continue
            actual = self.of.actual(version.data)
            if resolve_wildcards(desired, actual) == actual:
                reason = (
                    f"{label(version.version)} already is this manifest with today's pins "
                    "of what it uses"
                )
                return replace(
                    same, action="pin", from_version=version.version, reason=reason,
                    digest=digest(actual), follows=latest.applied_digest,
                )  # fmt: skip
        return None

    def _note_drift(self, key: str, latest: ServerObject, marker: str, desired: object) -> None:
        """The latest version changed outside agentform since it applied this manifest."""
        if latest.applied_digest != marker:
            return
        actual = self.of.actual(latest.data)
        resolved = resolve_wildcards(desired, actual)
        outside = field_changes(resolved, actual, self.of.fields)
        if outside:
            self.drift.append(Drift(self.kind, key, latest.id, outside))

    def _match(self, key: str) -> ServerObject | None:
        pin = self.pins.get(key)
        if pin is not None and pin.id in self.live:
            obj = self.live[pin.id]
            if obj.key not in (None, key):
                raise UserError(
                    f"{self.kind} {key}: pinned {pin.id} is marked agentform.key={obj.key}; "
                    f"fix pins.yaml, or finish a rename: agentform mv {self.kind}/{obj.key} {key}"
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

    def _create(
        self, manifest: Manifest, spec: Mapping[str, Any], marker: str, pin: Pin | None
    ) -> Change:
        steps = self._steps(manifest.key, spec, None)
        return Change(
            kind=self.kind,
            key=manifest.key,
            action="create",
            name=str(spec.get(self.of.name_field, "")),
            fields=additions(dict(spec), self.of.fields) + shown(steps),
            body=create_body(self.kind, manifest.key, spec, marker),
            pinned_id=pin.id if pin else None,
            pinned_version=pin.version if pin else None,
            marker=marker,
            steps=steps,
        )

    def _steps(
        self, key: str, spec: Mapping[str, Any], data: Mapping[str, Any] | None
    ) -> tuple[Step, ...]:
        """The kind's writes beyond the body (see kinds.base.Step); its notes are noted."""
        parts = self.of.steps(spec, data, self.prune)
        for code, message in parts.notes:
            self._note(key, code, message)
        return parts.steps

    def _broken(self, key: str, pin: Pin, problem: str) -> None:
        message = (
            f"broken pin: {self.of.plural}.{key} is {pin.id} {problem}; callers get an error. "
            f"Fix pins.yaml (agentform pin {_pin_args(self.kind, key)} VERSION)"
        )
        self._note(key, "broken", message, {"pinned_version": pin.version})

    def _note(
        self, key: str, code: str, message: str, data: Mapping[str, object] | None = None
    ) -> None:
        self.notes.append(Note(self.kind, key, code, message, dict(data or {})))


def _pin_args(kind_name: str, key: str) -> str:
    return key if kind_name == "agent" else f"{kind_name} {key}"
