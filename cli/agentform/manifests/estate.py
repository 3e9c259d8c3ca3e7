"""Load and validate the estate's manifests into typed desired state.

One resource per file: `agents/<key>.yaml`, `environments/<key>.yaml`. The file stem is
the key. Every problem in every file is collected and raised together as
`ManifestErrors`, before anything talks to a server. No SDK import here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError, ManifestErrors, UserError
from agentform.manifests.schemacheck import load_document
from agentform.manifests.schemas import KEY_PATTERN
from agentform.manifests.semantics import (
    check_agent,
    check_environment,
    model_warnings,
    resolve_system_file,
)
from agentform.manifests.yamlsrc import Source
from agentform.remote.state import Kind

DIRECTORIES: dict[Kind, str] = {"agent": "agents", "environment": "environments"}
SUFFIXES = (".yaml", ".yml")
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Manifest:
    """One resource as the manifest wants it: `spec` is the API create body."""

    kind: Kind
    key: str
    path: Path
    spec: Mapping[str, Any]
    source: Source = field(repr=False, compare=False)
    system_file: Path | None = None


@dataclass(frozen=True)
class Estate:
    root: Path
    agents: Mapping[str, Manifest]
    environments: Mapping[str, Manifest]
    warnings: tuple[ManifestError, ...] = ()  # allowed, but probably a mistake

    def of_kind(self, kind: Kind) -> Mapping[str, Manifest]:
        return self.agents if kind == "agent" else self.environments

    def __iter__(self) -> Iterator[Manifest]:
        yield from self.agents.values()
        yield from self.environments.values()


def load_estate(root: Path) -> Estate:
    """Every manifest under `root`; raises ManifestErrors listing all problems."""
    if not root.is_dir():
        raise UserError(f"{root} is not a directory")
    errors: list[ManifestError] = []
    warnings: list[ManifestError] = []
    loaded: dict[Kind, dict[str, Manifest]] = {"agent": {}, "environment": {}}
    for kind, directory in DIRECTORIES.items():
        for key, path in _discover(root / directory, errors):
            manifest = _load_one(kind, key, path, errors, warnings)
            if manifest is not None:
                loaded[kind][key] = manifest
        errors.extend(_duplicate_names(loaded[kind]))
    if errors:
        raise ManifestErrors(errors)
    if not loaded["agent"] and not loaded["environment"]:
        raise UserError(
            f"no manifests in {root}: expected agents/<key>.yaml or environments/<key>.yaml "
            "(use --dir to point at the estate)"
        )
    return Estate(
        root=root,
        agents=loaded["agent"],
        environments=loaded["environment"],
        warnings=tuple(sorted(warnings, key=ManifestError.sort_key)),
    )


def load_manifest(kind: Kind, path: Path) -> Manifest:
    """One manifest file on its own; raises ManifestErrors listing its problems."""
    errors: list[ManifestError] = []
    manifest = _load_one(kind, path.stem, path, errors)
    if manifest is None:
        raise ManifestErrors(errors)
    return manifest


def _discover(directory: Path, errors: list[ManifestError]) -> Iterator[tuple[str, Path]]:
    if not directory.is_dir():
        return
    seen: dict[str, Path] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file()):
        key = path.stem
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
    errors: list[ManifestError],
    warnings: list[ManifestError] | None = None,
) -> Manifest | None:
    loaded = load_document(path, kind, errors)
    if loaded is None:
        return None
    data, source, found = loaded
    found += check_agent(data, source) if kind == "agent" else check_environment(data, source)
    if kind == "agent" and warnings is not None:
        warnings += model_warnings(data, source)
    spec, system_file = dict(data), None
    if kind == "agent" and "system_file" in data:
        system_file, text = resolve_system_file(data, source, found)
        spec.pop("system_file")
        spec["system"] = text
    errors.extend(found)
    if found:
        return None
    return Manifest(
        kind=kind, key=key, path=path, spec=spec, source=source, system_file=system_file
    )


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
