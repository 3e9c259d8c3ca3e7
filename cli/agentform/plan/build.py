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

from agentform.errors import UserError
from agentform.kinds import KINDS, Kind
from agentform.kinds.shape import digest, resolve_wildcards
from agentform.manifests.estate import Estate, Manifest
from agentform.pins.model import Pin, Pins
from agentform.plan.archives import Archives
from agentform.plan.fielddiff import additions, field_changes
from agentform.plan.model import Change, Drift, Note, Plan
from agentform.plan.requests import create_body, update_body
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
    """The plan; archives wait for `prune` (shown, not done), strays for `prune_strays`."""
    wanted = _targets(targets, estate, pins)
    changes: list[Change] = []
    notes: list[Note] = []
    drift: list[Drift] = []
    for each in KINDS:
        planner = _KindPlanner(each, state, pins)
        manifests = estate.of_kind(each.name)
        for manifest in manifests.values():
            if wanted is None or manifest.key in wanted:
                changes.append(planner.plan(manifest))
        archives = Archives(each, state, pins, planner.matched, wanted, prune, prune_strays)
        changes.extend(archives.changes(manifests))
        notes += planner.notes + archives.notes
        drift += planner.drift
    return Plan(tuple(sorted(changes, key=lambda c: c.order)), tuple(notes), tuple(drift))


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
            if pin.version < latest.version:
                needed.append((each.name, pin.id, pin.version))
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
    def __init__(self, of: Kind, state: RemoteState, pins: Pins) -> None:
        self.of = of
        self.kind = of.name
        self.state = state
        self.pins: Mapping[str, Pin] = pins.section(of.plural)
        self.all_pins = pins
        self.live = state.by_id(of.name)
        self.marked = state.by_key(of.name)
        self.matched: set[str] = set()
        self.notes: list[Note] = []
        self.drift: list[Drift] = []

    def plan(self, manifest: Manifest) -> Change:
        obj = self._match(manifest.key)
        marker = digest(self.of.desired(manifest.spec))
        pin = self.pins.get(manifest.key)
        if obj is None:
            return self._create(manifest, marker, pin)
        self.matched.add(obj.id)
        same = Change(
            kind=self.kind,
            key=manifest.key,
            action="noop",
            name=manifest.spec["name"],
            id=obj.id,
            from_version=obj.version,
            pinned_id=pin.id if pin else None,
            pinned_version=pin.version if pin else None,
            marker=marker,
        )
        baseline = self._baseline(manifest.key, obj, pin)
        if baseline is None:
            return same  # a broken pin: noted, nothing to plan against
        actual = self.of.actual(baseline.data)
        desired = resolve_wildcards(self.of.desired(manifest.spec), actual)
        fields = field_changes(actual, desired, self.of.fields)
        self._note_drift(manifest.key, obj, marker, desired)
        reason = self.of.replacement(desired, actual)
        if reason is not None:
            body = create_body(self.kind, manifest.key, manifest.spec, marker)
            return replace(same, action="replace", fields=fields, body=body, reason=reason)
        if not fields:
            return self._unchanged(same, obj, baseline, pin)
        made = self._made_from_manifest(same, obj, pin, desired)
        if made is not None:
            return made
        body = update_body(
            self.kind, manifest.key, manifest.spec, marker, obj.metadata, obj.version
        )
        return replace(same, action="update", fields=fields, body=body)

    # -- the pieces of plan() -----------------------------------------------------------

    def _baseline(self, key: str, latest: ServerObject, pin: Pin | None) -> ServerObject | None:
        """The version callers run: the pinned one (the latest when none is pinned)."""
        if pin is None or pin.id != latest.id or pin.version is None:
            return latest
        if latest.version is not None and pin.version > latest.version:
            self._broken(
                key, pin, f"v{pin.version} does not exist (the latest is v{latest.version})"
            )
            return None
        found = self.state.version(self.kind, pin.id, pin.version)
        if found is None:
            self._broken(key, pin, f"v{pin.version} does not exist on the server")
        return found

    def _unchanged(
        self, same: Change, latest: ServerObject, baseline: ServerObject, pin: Pin | None
    ) -> Change:
        if pin is None or pin.id != latest.id:
            reason = "no pin yet" if pin is None else f"pinned {pin.id} is gone"
            spec_digest = digest(self.of.actual(baseline.data))
            return replace(same, action="pin", reason=reason, digest=spec_digest)
        if pin.version is not None and latest.version is not None and pin.version < latest.version:
            data = {"pinned_version": pin.version, "latest_version": latest.version}
            if any(d.key == same.key for d in self.drift):
                message = (
                    f"v{latest.version} was changed outside agentform (see above) and is not "
                    f"pinned; callers run v{pin.version}, which matches the manifest"
                )
                self._note(same.key, "outside", message, data)
            else:
                message = f"held: pinned v{pin.version}, latest v{latest.version}"
                self._note(same.key, "held", message, data)
        return same

    def _made_from_manifest(
        self, same: Change, latest: ServerObject, pin: Pin | None, desired: object
    ) -> Change | None:
        """A newer, unpinned version made from exactly this manifest: finish it or hold."""
        if not self.of.versioned or pin is None or pin.id != latest.id:
            return None
        if latest.version == pin.version or latest.applied_digest != same.marker:
            return None
        actual = self.of.actual(latest.data)
        if resolve_wildcards(desired, actual) != actual:
            return None  # the marker says so, but its content changed since: not the same
        data = {"pinned_version": pin.version, "latest_version": latest.version}
        intent = self.all_pins.intent(self.of.plural, same.key)
        if intent is None or intent.digest != same.marker or intent.base != pin.version:
            message = f"held: rolled back to v{pin.version}; v{latest.version} matches the manifest"
            self._note(same.key, "held", message, data)
            return same
        reason = (
            f"v{latest.version} was made from this manifest by an apply that did not record its pin"
        )
        self._note(same.key, "unfinished", reason, data)
        return replace(same, action="pin", reason=reason, digest=digest(actual))

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

    def _create(self, manifest: Manifest, marker: str, pin: Pin | None) -> Change:
        return Change(
            kind=self.kind,
            key=manifest.key,
            action="create",
            name=manifest.spec["name"],
            fields=additions(dict(manifest.spec), self.of.fields),
            body=create_body(self.kind, manifest.key, manifest.spec, marker),
            pinned_id=pin.id if pin else None,
            pinned_version=pin.version if pin else None,
            marker=marker,
        )

    def _broken(self, key: str, pin: Pin, problem: str) -> None:
        message = (
            f"broken pin: {self.of.plural}.{key} is {pin.id} {problem}; callers get an error. "
            f"Fix pins.yaml (agentform pin {key} VERSION)"
        )
        self._note(key, "broken", message, {"pinned_version": pin.version})

    def _note(
        self, key: str, code: str, message: str, data: Mapping[str, object] | None = None
    ) -> None:
        self.notes.append(Note(self.kind, key, code, message, dict(data or {})))
