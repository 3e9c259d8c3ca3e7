"""`agentform import`: adopt agents, environments, skills, deployments, vaults and memory
stores that exist on the server.

Writes a manifest per object (a long prompt to `<key>.prompt.md`; a skill's files, as
downloaded, to `skills/<key>/`), then marks the object with `agentform.key` (import is
the explicit consent to manage it; marking an agent makes a new version with identical
content; a skill has no metadata, so its pin alone says it is managed), then pins it.
The manifest is written so that `plan` shows no changes for it. Existing files are
never overwritten: every target is checked before anything is written, and files
written for an object whose marking failed are removed again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agentform.apply.runner import pin_of
from agentform.apply.writes import RetryPolicy, update
from agentform.errors import UserError
from agentform.kinds import KINDS, kind
from agentform.kinds.shape import digest
from agentform.manifests.estate import Manifest, load_manifest
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER, KEY_PATTERN, USER_METADATA_KEYS
from agentform.pins.model import Pins, Version
from agentform.pins.store import PinChange, PinStore
from agentform.remote.client import Remote
from agentform.remote.state import KindName, ServerObject


@dataclass(frozen=True)
class Imported:
    kind: KindName
    key: str
    id: str
    manifest: Path
    prompt: Path | None
    version: Version | None


@dataclass(frozen=True)
class _Target:
    obj: ServerObject
    key: str
    manifest: Path
    prompt: Path | None
    files: dict[Path, str | bytes]


def unmarked(
    remote: Remote, root: Path | None = None, pins: Pins | None = None
) -> list[ServerObject]:
    """Every live object agentform does not manage here (for `import --all`): unmarked
    ones, and strays (marked with a key that has neither a manifest nor a pin here)."""
    taken = _existing_keys(root, pins) if root is not None and pins is not None else {}
    pinned = {p.id for s in pins.sections.values() for p in s.values()} if pins else set()
    found = remote.read_state().all()
    return [
        o
        for o in found
        if (o.key is None and o.id not in pinned)
        or (o.key is not None and (o.kind, o.key) not in taken)
    ]


def import_objects(
    root: Path,
    pins_path: Path,
    pins: Pins,
    remote: Remote,
    objects: Iterable[tuple[ServerObject, str | None]],
    progress: Callable[[Imported], None] = lambda imported: None,
) -> list[Imported]:
    targets = _targets(root, pins, [(_complete(remote, o), k) for o, k in objects])
    store = PinStore(pins_path)
    store.check_writable()
    done = []
    for target in targets:
        done.append(_import_one(root, remote, target))
        store.change([_pinned(done[-1], target)])
        progress(done[-1])
    return done


def _targets(
    root: Path, pins: Pins, objects: list[tuple[ServerObject, str | None]]
) -> list[_Target]:
    """Decide keys and files for every object, refusing before any write. What others
    use by key comes first (an agent before the deployment that runs it)."""
    taken = _existing_keys(root, pins)
    known = _pinned_ids(pins)
    targets = []
    for obj, key in sorted(objects, key=lambda item: not kind(item[0].kind).referable):
        if obj.key is not None and (obj.kind, obj.key) in taken:
            raise UserError(
                f"{obj.kind} {obj.id} is already managed as {obj.key!r} (agentform.key)"
            )
        key = key or obj.key  # a stray keeps the key it is marked with
        if obj.data.get("archived_at"):
            raise UserError(f"{obj.kind} {obj.id} is archived; there is nothing to manage")
        key = key or _unique(_slug(obj.name, obj.kind), obj.kind, taken)
        if not re.match(KEY_PATTERN, key):
            raise UserError(
                f"--key {key!r} is not a valid key: lowercase letters, digits, '-' and '_'"
            )
        if (obj.kind, key) in taken:
            raise UserError(
                f"{obj.kind} key {key!r} is taken ({taken[(obj.kind, key)]}); pass another --key"
            )
        taken[(obj.kind, key)] = obj.id
        targets.append(_target(root, obj, key, known))
        known[(obj.kind, obj.id)] = (key, None)  # marking an agent makes a new version
    existing = [str(p) for t in targets for p in t.files if p.exists()]
    if existing:
        raise UserError(f"import never overwrites files; these exist: {', '.join(existing)}")
    _check_names(root, targets)
    return targets


def _complete(remote: Remote, obj: ServerObject) -> ServerObject:
    """The object with its content (a listed skill has no files: read its latest)."""
    return obj if kind(obj.kind).complete(obj.data) else remote.retrieve(obj.kind, obj.id)


def _check_names(root: Path, targets: list[_Target]) -> None:
    """Names must be unique per kind in an estate; the server does not insist on it."""
    owners: dict[tuple[KindName, str], str] = {}
    for each in KINDS:
        for path in each.discover(root):
            name = _name_in(path)
            if name is not None:
                owners[(each.name, name)] = str(path)
    for target in targets:
        slot = (target.obj.kind, target.obj.name)
        if slot in owners:
            raise UserError(
                f"{target.obj.kind} {target.obj.id} is named {target.obj.name!r}, like "
                f"{owners[slot]}; names must be unique per kind: rename one on the server first"
            )
        owners[slot] = target.obj.id


def _name_in(path: Path) -> str | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def _existing_keys(root: Path, pins: Pins) -> dict[tuple[KindName, str], str]:
    """Keys already in use: a manifest file, or a pin."""
    taken: dict[tuple[KindName, str], str] = {}
    for each in KINDS:
        for path in each.discover(root):
            taken[(each.name, each.key_of(path))] = f"manifest {path}"
        for key in pins.section(each.plural):
            taken.setdefault((each.name, key), f"pinned in {pins.path}")
    return taken


def _pinned_ids(pins: Pins) -> dict[tuple[KindName, str], tuple[str, Version | None]]:
    """(kind, id) -> (key, pinned version) for everything pinned here."""
    return {
        (each.name, pin.id): (key, pin.version)
        for each in KINDS
        for key, pin in pins.section(each.plural).items()
    }


def _target(
    root: Path,
    obj: ServerObject,
    key: str,
    known: Mapping[tuple[KindName, str], tuple[str, Version | None]],
) -> _Target:
    of = kind(obj.kind)
    manifest_path = of.manifest_path(root, key)
    as_is = of.import_files(obj.data, key, root)
    if as_is is not None:  # a skill: its files, as downloaded
        return _Target(obj, key, manifest_path, None, as_is)
    directory = manifest_path.parent
    spec, side_files = of.import_manifest(
        obj.data, key, lambda kind_name, object_id: known.get((kind_name, object_id))
    )
    files: dict[Path, str | bytes] = {manifest_path: _render(obj, spec, root)}
    prompt = None
    for name, text in side_files.items():
        prompt = directory / name
        files[prompt] = text
    metadata = spec.get("metadata") or {}
    if len(metadata) > USER_METADATA_KEYS:
        raise UserError(
            f"{obj.kind} {obj.id} has {len(metadata)} metadata keys; agentform needs 2 of the "
            f"API's 16 for its markers, so remove {len(metadata) - USER_METADATA_KEYS} first"
        )
    return _Target(obj, key, manifest_path, prompt, files)


def _import_one(root: Path, remote: Remote, target: _Target) -> Imported:
    for path, content in target.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    try:
        manifest = _reload(root, target)
        desired = kind(target.obj.kind).desired(manifest.spec)
        marked = target.obj  # a kind without metadata (skills): the pin is its identity
        if kind(target.obj.kind).marked:
            marked = _mark(remote, target.obj, target.key, digest(desired))
    except BaseException:
        for path in target.files:
            path.unlink(missing_ok=True)
        raise
    return Imported(
        target.obj.kind, target.key, marked.id, target.manifest, target.prompt, marked.version
    )


def _reload(root: Path, target: _Target) -> Manifest:
    """The manifest just written, through the normal loader (so it is valid as written)."""
    return load_manifest(target.obj.kind, target.manifest, root)


def _mark(remote: Remote, obj: ServerObject, key: str, marker: str) -> ServerObject:
    body: dict[str, Any] = {"metadata": {KEY_MARKER: key, DIGEST_MARKER: marker}}
    if kind(obj.kind).versioned:
        body["version"] = obj.version  # never overwrite a concurrent change
    return update(remote, obj.kind, obj.id, body, RetryPolicy())


def _pinned(done: Imported, target: _Target) -> PinChange:
    marked = ServerObject(done.kind, {**target.obj.data, "version": done.version})
    return PinChange(kind(done.kind).plural, done.key, pin_of(marked), expect=None)


def _render(obj: ServerObject, spec: dict[str, Any], root: Path) -> str:
    schema = kind(obj.kind).schema
    header = ""
    if schema and (root / "schemas" / f"{schema}.schema.json").exists():
        header = f"# yaml-language-server: $schema=../schemas/{schema}.schema.json\n"
    header += f"# Imported from {obj.kind} {obj.id} by `agentform import`.\n"
    return header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)


def _slug(name: str, kind_name: KindName) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug if slug and re.match(KEY_PATTERN, slug) else kind_name


def _unique(base: str, kind_name: KindName, taken: Mapping[tuple[KindName, str], str]) -> str:
    key, n = base, 2
    while (kind_name, key) in taken:
        key, n = f"{base}-{n}", n + 1
    return key
