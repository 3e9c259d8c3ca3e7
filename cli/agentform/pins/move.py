"""`agentform pin`: move one pin of a versioned kind (an agent, a skill) to a version
that exists, on purpose."""

from __future__ import annotations

from dataclasses import dataclass

from agentform.errors import LookupKeyError, UserError
from agentform.kinds import BY_NAME, KINDS, Kind
from agentform.kinds.shape import digest
from agentform.manifests.project import Project
from agentform.pins.model import Pin, Version, label
from agentform.pins.store import PinChange, PinStore
from agentform.remote.client import NotFoundError, Remote
from agentform.remote.state import ServerObject


@dataclass(frozen=True)
class PinMove:
    key: str
    id: str
    from_version: Version | None
    to_version: Version
    latest_version: Version
    written: bool
    kind: str = "agent"


def move_pin(
    project: Project, remote: Remote, key: str, version: Version | None, kind_name: str = "agent"
) -> PinMove:
    """Pin `key` to `version` (None: the latest) after checking it exists and is live."""
    of = BY_NAME[kind_name]
    object_id = _object_id(project, remote, of, key)
    latest = remote.retrieve(of.name, object_id)
    if latest.data.get("archived_at"):
        raise UserError(f"{of.name} {key} ({object_id}) is archived: new sessions cannot use it")
    target = (
        latest
        if version in (None, latest.version)
        else _version(remote, of, key, object_id, version)
    )
    assert target.version is not None and latest.version is not None
    pin = Pin(object_id, target.version, digest(of.actual(target.data)))
    previous = project.pins.get(of.plural, key)
    store = PinStore(project.pins_path)
    store.change([PinChange(of.plural, key, pin, intent=None)])  # deliberate: clears an intent
    before = previous.version if previous and previous.id == object_id else None
    return PinMove(key, object_id, before, target.version, latest.version, store.written, of.name)


def _object_id(project: Project, remote: Remote, of: Kind, key: str) -> str:
    pinned = project.pins.get(of.plural, key)
    if pinned is not None:
        return pinned.id
    if key not in project.estate.of_kind(of.name):
        for other in KINDS:
            local = key in project.estate.of_kind(other.name) or project.pins.get(other.plural, key)
            if not other.versioned and local:
                raise UserError(f"{key} is an {other.name}: {other.plural} have no versions to pin")
        known = set(project.pins.section(of.plural)) | set(project.estate.of_kind(of.name))
        raise LookupKeyError(kind=of.name, key=key, known=sorted(known), where="pins or manifests")
    marked = [o for o in remote.objects(of.name) if o.key == key]
    if len(marked) != 1:
        raise UserError(
            f"{of.name} {key} has no pin and no single marked {of.name}: run `agentform apply`"
        )
    return marked[0].id


def _version(remote: Remote, of: Kind, key: str, object_id: str, version: Version) -> ServerObject:
    try:
        return remote.retrieve(of.name, object_id, version=version)
    except NotFoundError:
        versions = [label(v.version) for v in remote.versions(of.name, object_id)]
        raise UserError(
            f"{of.name} {key} ({object_id}) has no version {version}; it has {', '.join(versions)}"
        ) from None
