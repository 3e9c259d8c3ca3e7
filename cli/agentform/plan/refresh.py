"""`--refresh-only`: accept the server's values into the manifests. Pure: no I/O.

For every manifest whose server object differs, the fields that differ are taken from
the server, written the way `import` writes them (the kind's `to_manifest`), into the
manifest; a prompt kept in a `system_file` stays in its file, which gets the server's
text. Nothing is sent to the server, and pins do not move.

A manifest edited since it was last applied (its digest is not the one the server
object carries) is skipped: accepting the server's values would throw the edit away.
Each refresh is checked: with it written, the manifest must plan as no change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentform.kinds import KINDS, Kind
from agentform.kinds.shape import digest, resolve_wildcards
from agentform.manifests import graph
from agentform.manifests.estate import Estate, Manifest
from agentform.pins.model import Pins, Version
from agentform.plan.fielddiff import ABSENT, FieldChange, field_changes
from agentform.remote.state import RemoteState, ServerObject

SYSTEM = "system"


@dataclass(frozen=True)
class Refresh:
    """One manifest brought in line with its server object."""

    kind: str
    key: str
    name: str
    id: str
    version: Version | None
    path: Path
    fields: tuple[FieldChange, ...]  # before: the manifest, after: the server
    updates: Mapping[str, Any]  # top-level manifest field -> value (ABSENT: remove it)
    files: Mapping[Path, str] = field(default_factory=dict)  # a prompt file's new text


@dataclass(frozen=True)
class Skipped:
    kind: str
    key: str
    message: str


@dataclass(frozen=True)
class RefreshPlan:
    refreshes: tuple[Refresh, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.refreshes)


def build_refresh(
    estate: Estate, state: RemoteState, pins: Pins, *, targets: Iterable[str] = ()
) -> RefreshPlan:
    wanted = set(targets)
    refreshes: list[Refresh] = []
    skipped: list[Skipped] = []
    for each in KINDS:
        for manifest in estate.of_kind(each.name).values():
            if wanted and manifest.key not in wanted:
                continue
            outcome = _refresh(each, manifest, baseline(each, manifest.key, state, pins))
            if isinstance(outcome, Refresh):
                refreshes.append(outcome)
            elif outcome is not None:
                skipped.append(outcome)
    return RefreshPlan(tuple(refreshes), tuple(skipped))


def baseline(of: Kind, key: str, state: RemoteState, pins: Pins) -> ServerObject | None:
    """The server object a manifest is compared with: the pinned one, else the one marked
    with its key (as `plan` matches them)."""
    pin = pins.get(of.plural, key)
    live = state.by_id(of.name)
    if pin is not None and pin.id in live:
        return live[pin.id]
    marked = state.by_key(of.name).get(key, [])
    return marked[0] if len(marked) == 1 else None


def _refresh(of: Kind, manifest: Manifest, obj: ServerObject | None) -> Refresh | Skipped | None:
    if obj is None:
        return Skipped(of.name, manifest.key, "not on the server (yet): nothing to accept")
    if not of.complete(obj.data):
        return None  # a skill: its pinned version is immutable, a newer one shows in `plan`
    if graph.references(manifest):
        return Skipped(
            of.name,
            manifest.key,
            "it names other resources by key; the server holds their ids, which cannot be "
            "written back as keys: edit the manifest by hand",
        )
    actual = of.actual(obj.data)
    desired = resolve_wildcards(of.desired(manifest.spec), actual)
    if desired == actual:
        return None
    marker = digest(of.desired(manifest.spec))
    if obj.applied_digest not in (None, marker):
        return Skipped(
            of.name,
            manifest.key,
            "the manifest changed since it was last applied; accepting the server's values "
            "would discard that edit (apply it, or revert it, first)",
        )
    written, files = _updates(of, manifest, obj, desired, actual)
    spec = _respec(manifest, written, files)
    after = resolve_wildcards(of.desired(spec), actual)
    if after != actual:
        return Skipped(of.name, manifest.key, "the server's values cannot be written as a manifest")
    return Refresh(
        kind=of.name,
        key=manifest.key,
        name=str(obj.name),
        id=obj.id,
        version=obj.version,
        path=manifest.path,
        fields=field_changes(desired, actual, of.fields),
        updates=written,
        files=files,
    )


def _updates(
    of: Kind,
    manifest: Manifest,
    obj: ServerObject,
    desired: Mapping[str, Any],
    actual: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[Path, str]]:
    written, _ = of.to_manifest(obj.data, manifest.key)
    updates: dict[str, Any] = {}
    files: dict[Path, str] = {}
    for name in of.fields:
        if desired.get(name, ABSENT) == actual.get(name, ABSENT):
            continue
        if name == SYSTEM:
            text = str(obj.data.get(SYSTEM) or "")
            if manifest.system_file is not None:
                files[manifest.system_file] = text
            else:
                updates[SYSTEM] = text
            continue
        updates[name] = written.get(name, ABSENT)
    return updates, files


def _respec(manifest: Manifest, updates: Mapping[str, Any], files: Mapping[Path, str]) -> Any:
    """The manifest's spec as it will read once the refresh is written."""
    spec = {k: v for k, v in manifest.spec.items() if updates.get(k, None) is not ABSENT}
    spec.update({k: v for k, v in updates.items() if v is not ABSENT})
    if manifest.system_file is not None and manifest.system_file in files:
        spec[SYSTEM] = files[manifest.system_file]
    return spec
