"""Load and validate the estate's manifests into typed desired state.

One resource per file, in the directory of its kind (`agents/<key>.yaml`,
`environments/<key>.yaml`, `skills/<key>/SKILL.md`, ...; see agentform.kinds). The file
stem (a skill: its directory) is the key; `moved.yaml` says which keys were renamed
(see manifests.moved). Every problem in every file is collected and raised together as
`ManifestErrors`, before anything talks to a server. No SDK import here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError, ManifestErrors, UserError
from agentform.kinds import BY_NAME, KINDS, Kind
from agentform.manifests.moved import Move, load_moves
from agentform.manifests.schemacheck import load_document
from agentform.manifests.schemas import KEY_PATTERN
from agentform.manifests.yamlsrc import Source

_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Manifest:
    """One resource as the manifest wants it: `spec` is the API create body."""

    kind: str
    key: str
    path: Path
    spec: Mapping[str, Any]
    source: Source = field(repr=False, compare=False)
    files: tuple[Path, ...] = ()  # files the manifest pulled in (a prompt, a skill's files)

    @property
    def system_file(self) -> Path | None:
        """An agent's prompt file, when it has one."""
        return self.files[0] if self.kind == "agent" and self.files else None


@dataclass(frozen=True)
class Estate:
    root: Path
    manifests: Mapping[str, Mapping[str, Manifest]]  # kind name -> key -> manifest
    warnings: tuple[ManifestError, ...] = ()  # allowed, but probably a mistake
    moves: tuple[Move, ...] = ()  # moved.yaml: keys renamed by renaming files

    def of_kind(self, kind: str) -> Mapping[str, Manifest]:
        return self.manifests.get(kind, {})

    @property
    def agents(self) -> Mapping[str, Manifest]:
        return self.of_kind("agent")

    @property
    def environments(self) -> Mapping[str, Manifest]:
        return self.of_kind("environment")

    def __iter__(self) -> Iterator[Manifest]:
        for kind in KINDS:
            yield from self.of_kind(kind.name).values()


def load_estate(root: Path) -> Estate:
    """Every manifest under `root`; raises ManifestErrors listing all problems."""
    if not root.is_dir():
        raise UserError(f"{root} is not a directory")
    errors: list[ManifestError] = []
    warnings: list[ManifestError] = []
    loaded: dict[str, dict[str, Manifest]] = {}
    for kind in KINDS:
        found = loaded.setdefault(kind.name, {})
        for key, path in _discover(kind, root, errors):
            manifest = _load_one(kind, key, path, root, errors, warnings)
            if manifest is not None:
                found[key] = manifest
        errors.extend(_duplicate_names(found))
    moves: tuple[Move, ...] = ()
    if not errors:
        from agentform.manifests import graph

        errors.extend(graph.check(loaded))
        moves = load_moves(root, loaded, errors)
    if errors:
        raise ManifestErrors(errors)
    if not any(loaded.values()):
        dirs = " or ".join(f"{k.plural}/<key>.yaml" for k in KINDS[:2])
        raise UserError(
            f"no manifests in {root}: expected {dirs} (use --dir to point at the estate)"
        )
    ordered = tuple(sorted(warnings, key=ManifestError.sort_key))
    return Estate(root=root, manifests=loaded, warnings=ordered, moves=moves)


def load_manifest(kind: str, path: Path, root: Path) -> Manifest:
    """One manifest file on its own; raises ManifestErrors listing its problems."""
    errors: list[ManifestError] = []
    manifest = _load_one(BY_NAME[kind], BY_NAME[kind].key_of(path), path, root, errors)
    if manifest is None:
        raise ManifestErrors(errors)
    return manifest


def _discover(kind: Kind, root: Path, errors: list[ManifestError]) -> Iterator[tuple[str, Path]]:
    seen: dict[str, Path] = {}
    for path in kind.discover(root):
        key = kind.key_of(path)
        if not path.is_file():
            continue
        if not _KEY.match(key):
            errors.append(ManifestError(path=path, message=_bad_key(key)))
        elif key in seen:
            errors.append(
                ManifestError(path=path, message=f"key {key!r} also defined by {seen[key]}")
            )
        else:
            seen[key] = path
            yield key, path


def _bad_key(key: str) -> str:
    return (
        f"file name {key!r} is not a valid key: use lowercase letters, digits, '-' and '_', "
        "starting with a letter or digit"
    )


def _load_one(
    kind: Kind,
    key: str,
    path: Path,
    root: Path,
    errors: list[ManifestError],
    warnings: list[ManifestError] | None = None,
) -> Manifest | None:
    try:
        text = kind.document(path)
    except ManifestError as exc:
        errors.append(exc)
        return None
    loaded = load_document(path, kind.schema or kind.name, errors, text)
    if loaded is None:
        return None
    data, source, found = loaded
    found += kind.check(data, source)
    if warnings is not None:
        warnings += kind.warnings(data, source)
    spec, files = kind.read_files(data, source, root, found)
    errors.extend(found)
    if found:
        return None
    paths = tuple(f.path for f in files)
    return Manifest(kind=kind.name, key=key, path=path, spec=spec, source=source, files=paths)


def _duplicate_names(manifests: Mapping[str, Manifest]) -> Iterator[ManifestError]:
    owners: dict[str, Manifest] = {}
    for manifest in manifests.values():
        name = manifest.spec.get("name")
        if not isinstance(name, str):
            continue
        first = owners.setdefault(name, manifest)
        if first is not manifest:
            yield manifest.source.error(
                ("name",),
                f"{name!r} is also the name of {first.path}; names must be unique per kind",
            )
