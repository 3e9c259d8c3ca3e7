"""`agentform forget`: stop managing a resource without archiving it (`terraform state rm`).

The object stays on the server, live, as it is; agentform lets go of it: its markers
(`agentform.key`, `agentform.digest`) are removed, then its pin, then its manifest
(and the prompt file only it uses). In that order, so a failure halfway leaves a state
the next `forget` finishes and `plan` still understands. Nothing is archived.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agentform.apply.writes import RetryPolicy, update
from agentform.catalog import each_with_article
from agentform.errors import LookupKeyError, UserError
from agentform.kinds import KINDS, Kind, kind
from agentform.manifests import graph
from agentform.manifests.project import Project
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.pins.edit import drop_pin
from agentform.remote.client import Remote
from agentform.remote.state import ServerObject


@dataclass(frozen=True)
class Forgotten:
    kind: str
    key: str
    unmarked: tuple[str, ...]  # ids whose markers were removed
    unpinned: bool
    removed: tuple[Path, ...]  # files deleted


def forget(project: Project, remote: Remote, key: str, kind_name: str | None) -> Forgotten:
    of = _kind_of(project, key, kind_name)
    _refuse_if_used(project, of, key)
    objects = _managed(project, remote, of, key)
    if not objects and not _known_locally(project, of, key):
        raise LookupKeyError(kind=of.name, key=key, known=_keys(project, of), where="this estate")
    unmarked = tuple(_unmark(remote, obj).id for obj in objects)
    unpinned = drop_pin(project.pins_path, of.plural, key)
    removed = tuple(_remove_files(project, of, key))
    return Forgotten(of.name, key, unmarked, unpinned, removed)


def _kind_of(project: Project, key: str, kind_name: str | None) -> Kind:
    if kind_name is not None:
        return kind(kind_name)
    found = [k for k in KINDS if _known_locally(project, k, key)]
    if len(found) > 1:
        names = each_with_article(k.name for k in found)
        raise UserError(f"{key} is both {names}: pass --kind")
    return found[0] if found else kind("agent")


def _known_locally(project: Project, of: Kind, key: str) -> bool:
    return key in project.estate.of_kind(of.name) or project.pins.get(of.plural, key) is not None


def _keys(project: Project, of: Kind) -> list[str]:
    return sorted(set(project.estate.of_kind(of.name)) | set(project.pins.section(of.plural)))


def _refuse_if_used(project: Project, of: Kind, key: str) -> None:
    """An eval suite or a manifest that names the resource would stop validating."""
    field = of.name if of.name in ("agent", "environment") else None
    users = [str(s.path) for s in project.suites.values() if field and getattr(s, field) == key]
    users += [
        str(m.path)
        for m in project.estate
        if any((r.kind, r.key) == (of.name, key) for r in graph.references(m))
    ]
    if users:
        raise UserError(
            f"{', '.join(users)} uses {of.name} {key}; change or remove it first (nothing "
            "was changed)"
        )


def _managed(project: Project, remote: Remote, of: Kind, key: str) -> list[ServerObject]:
    """The live objects agentform holds for `key`: the pinned one and any marked with it."""
    pin = project.pins.get(of.plural, key)
    found = {}
    for obj in remote.objects(of.name):
        if obj.key == key or (pin is not None and obj.id == pin.id):
            found[obj.id] = obj
    return list(found.values())


def _unmark(remote: Remote, obj: ServerObject) -> ServerObject:
    if obj.key is None and obj.applied_digest is None:
        return obj  # already let go of (a previous forget stopped halfway)
    body: dict[str, object] = {"metadata": {KEY_MARKER: None, DIGEST_MARKER: None}}
    if kind(obj.kind).versioned:
        body["version"] = obj.version  # never overwrite a concurrent change
    return update(remote, obj.kind, obj.id, dict(body), RetryPolicy())


def _remove_files(project: Project, of: Kind, key: str) -> Iterator[Path]:
    manifest = project.estate.of_kind(of.name).get(key)
    if manifest is None:
        return
    shared = {f for m in project.estate if m is not manifest for f in m.files}
    for path in (manifest.path, *(f for f in manifest.files if f not in shared)):
        path.unlink(missing_ok=True)
        yield path
