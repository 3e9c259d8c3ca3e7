"""`agentform pins check`: is every pin something a caller can actually use?

Offline it checks the file alone: it parses, and every pinned key has a manifest.
Online it also checks, against the server, that every pinned id exists and is not
archived, that every pinned version exists, and that its digest matches that version's
spec. Reads: the list pages, plus one retrieve per pin that is not on its latest version.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from agentform.errors import ManifestError
from agentform.manifests.project import Project
from agentform.manifests.yamlsrc import FieldPath, Source, load_yaml
from agentform.pins.model import AgentPin
from agentform.plan.normalize import digest, server_spec
from agentform.remote.client import NotFoundError, Remote
from agentform.remote.state import RemoteState, ServerObject


@dataclass(frozen=True)
class Problem:
    at: FieldPath
    message: str


def check_offline(project: Project) -> list[Problem]:
    found = []
    for section, pinned, manifests in (
        ("agents", project.pins.agents, project.estate.agents),
        ("environments", project.pins.environments, project.estate.environments),
    ):
        for key in sorted(set(pinned) - set(manifests)):
            found.append(
                Problem((section, key), f"no manifest for {key}; remove the pin or restore it")
            )
    return found


def check_online(project: Project, remote: Remote) -> list[Problem]:
    state = remote.read_state()
    found = [*_agents(project, remote, state), *_environments(project, remote, state)]
    return sorted(found, key=lambda p: tuple(str(part) for part in p.at))


def locate(project: Project, problems: list[Problem]) -> list[ManifestError]:
    """Each problem as `pins.yaml:line:col: field: message`."""
    _, source = (
        load_yaml(project.pins_path)
        if project.pins_path.exists()
        else (None, Source(project.pins_path))
    )
    return [source.error(p.at, p.message) for p in problems]


def _agents(project: Project, remote: Remote, state: RemoteState) -> Iterator[Problem]:
    live = state.by_id("agent")
    for key, pin in sorted(project.pins.agents.items()):
        at = ("agents", key)
        latest = live.get(pin.id)
        if latest is None:
            yield Problem((*at, "id"), _gone(remote, "agent", pin.id))
            continue
        if latest.version is not None and pin.version > latest.version:
            yield Problem(
                (*at, "version"), f"v{pin.version} does not exist (latest is v{latest.version})"
            )
            continue
        yield from _digest(remote, key, pin, latest)


def _digest(remote: Remote, key: str, pin: AgentPin, latest: ServerObject) -> Iterator[Problem]:
    pinned = latest if pin.version == latest.version else _retrieve(remote, pin)
    if pinned is None:
        yield Problem(("agents", key, "version"), f"v{pin.version} does not exist on the server")
    elif digest(server_spec("agent", pinned.data)) != pin.digest:
        yield Problem(
            ("agents", key, "digest"),
            f"does not match v{pin.version} on the server: the pin was edited by hand, "
            f"or points at another version; re-pin with `agentform pin {key} {pin.version}`",
        )


def _environments(project: Project, remote: Remote, state: RemoteState) -> Iterator[Problem]:
    live = state.by_id("environment")
    for key, pin in sorted(project.pins.environments.items()):
        if pin.id not in live:
            yield Problem(("environments", key, "id"), _gone(remote, "environment", pin.id))


def _retrieve(remote: Remote, pin: AgentPin) -> ServerObject | None:
    try:
        return remote.retrieve("agent", pin.id, version=pin.version)
    except NotFoundError:
        return None


def _gone(remote: Remote, kind: str, object_id: str) -> str:
    try:
        obj = remote.retrieve("agent" if kind == "agent" else "environment", object_id)
    except NotFoundError:
        return f"{kind} {object_id} does not exist on the server"
    return (
        f"{kind} {object_id} was archived at {obj.data.get('archived_at')}; callers cannot use it"
    )
