"""`agentform pins check`: is every pin something a caller can actually use?

Offline it checks the file alone: it parses, and every pinned key has a manifest (or
moves to one: moved.yaml).
Online it also checks, against the server, that every pinned id exists and is not
archived, that every pinned version exists, and that its digest matches that version's
spec. Reads: the list pages, plus one retrieve per pin that is not on its latest version.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentform.errors import ManifestError
from agentform.kinds import KINDS, Kind
from agentform.kinds.shape import digest
from agentform.manifests.project import Project
from agentform.manifests.yamlsrc import FieldPath, Source, load_yaml
from agentform.pins.model import Pin, ahead, label
from agentform.remote.state import RemoteState, ServerObject

if TYPE_CHECKING:  # the SDK is imported only for the online check
    from agentform.remote.client import Remote


@dataclass(frozen=True)
class Problem:
    at: FieldPath
    message: str


def check_offline(project: Project) -> list[Problem]:
    found = []
    for each in KINDS:
        pinned, manifests = project.pins.section(each.plural), project.estate.of_kind(each.name)
        moving = {m.old for m in project.estate.moves if m.kind == each.name}  # apply renames
        for key in sorted(set(pinned) - set(manifests) - moving):
            found.append(
                Problem((each.plural, key), f"no manifest for {key}; remove the pin or restore it")
            )
    return found


def check_online(project: Project, remote: Remote) -> list[Problem]:
    state = remote.read_state()
    found = [p for each in KINDS for p in _section(each, project, remote, state)]
    return sorted(found, key=lambda p: tuple(str(part) for part in p.at))


def locate(project: Project, problems: list[Problem]) -> list[ManifestError]:
    """Each problem as `pins.yaml:line:col: field: message`."""
    _, source = (
        load_yaml(project.pins_path)
        if project.pins_path.exists()
        else (None, Source(project.pins_path))
    )
    return [source.error(p.at, p.message) for p in problems]


def _section(of: Kind, project: Project, remote: Remote, state: RemoteState) -> Iterator[Problem]:
    live = state.by_id(of.name)
    for key, pin in sorted(project.pins.section(of.plural).items()):
        at = (of.plural, key)
        latest = live.get(pin.id)
        if latest is None:
            yield Problem((*at, "id"), _gone(remote, of.name, pin.id))
            continue
        if not of.versioned or pin.version is None:
            continue
        if ahead(pin.version, latest.version):
            yield Problem(
                (*at, "version"),
                f"{label(pin.version)} does not exist (latest is {label(latest.version)})",
            )
            continue
        yield from _digest(of, remote, key, pin, latest)


def _digest(
    of: Kind, remote: Remote, key: str, pin: Pin, latest: ServerObject
) -> Iterator[Problem]:
    on_latest = pin.version == latest.version and of.complete(latest.data)
    pinned = latest if on_latest else _retrieve(of, remote, pin)  # skills: read the files
    if pinned is None:
        yield Problem(
            (of.plural, key, "version"), f"{label(pin.version)} does not exist on the server"
        )
    elif digest(of.actual(pinned.data)) != pin.digest:
        yield Problem(
            (of.plural, key, "digest"),
            f"does not match {label(pin.version)} on the server: the pin was edited by hand, "
            f"or points at another version; re-pin with `agentform pin {_args(of, key)} "
            f"{pin.version}`",
        )


def _retrieve(of: Kind, remote: Remote, pin: Pin) -> ServerObject | None:
    from agentform.remote.client import NotFoundError

    try:
        return remote.retrieve(of.name, pin.id, version=pin.version)
    except NotFoundError:
        return None


def _gone(remote: Remote, kind: str, object_id: str) -> str:
    from agentform.remote.client import NotFoundError

    try:
        obj = remote.retrieve(kind, object_id)
    except NotFoundError:
        return f"{kind} {object_id} does not exist on the server"
    return (
        f"{kind} {object_id} was archived at {obj.data.get('archived_at')}; callers cannot use it"
    )


def _args(of: Kind, key: str) -> str:
    return key if of.name == "agent" else f"{of.name} {key}"
