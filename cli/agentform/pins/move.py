"""`agentform pin`: move one agent's pin to a version that exists, on purpose."""

from __future__ import annotations

from dataclasses import dataclass

from agentform.errors import LookupKeyError, UserError
from agentform.kinds import server_spec
from agentform.kinds.shape import digest
from agentform.manifests.project import Project
from agentform.pins.model import AgentPin
from agentform.pins.store import PinChange, PinStore
from agentform.remote.client import NotFoundError, Remote
from agentform.remote.state import ServerObject


@dataclass(frozen=True)
class PinMove:
    key: str
    id: str
    from_version: int | None
    to_version: int
    latest_version: int
    written: bool


def move_pin(project: Project, remote: Remote, key: str, version: int | None) -> PinMove:
    """Pin `key` to `version` (None: the latest) after checking it exists and is live."""
    agent_id = _agent_id(project, remote, key)
    latest = remote.retrieve("agent", agent_id)
    if latest.data.get("archived_at"):
        raise UserError(f"agent {key} ({agent_id}) is archived: new sessions cannot use it")
    target = (
        latest if version in (None, latest.version) else _version(remote, key, agent_id, version)
    )
    assert target.version is not None
    pin = AgentPin(agent_id, target.version, digest(server_spec("agent", target.data)))
    previous = project.pins.agents.get(key)
    store = PinStore(project.pins_path)
    store.change([PinChange("agents", key, pin, intent=None)])  # deliberate: clears an intent
    written = store.written
    before = previous.version if previous and previous.id == agent_id else None
    return PinMove(key, agent_id, before, target.version, latest.version or target.version, written)


def _agent_id(project: Project, remote: Remote, key: str) -> str:
    pinned = project.pins.agents.get(key)
    if pinned is not None:
        return pinned.id
    if key not in project.estate.agents:
        if key in project.estate.environments or key in project.pins.environments:
            raise UserError(f"{key} is an environment: environments have no versions to pin")
        known = set(project.pins.agents) | set(project.estate.agents)
        raise LookupKeyError(kind="agent", key=key, known=sorted(known), where="pins or manifests")
    marked = [a for a in remote.objects("agent") if a.key == key]
    if len(marked) != 1:
        raise UserError(f"agent {key} has no pin and no single marked agent: run `agentform apply`")
    return marked[0].id


def _version(remote: Remote, key: str, agent_id: str, version: int) -> ServerObject:
    try:
        return remote.retrieve("agent", agent_id, version=version)
    except NotFoundError:
        versions = [v.version for v in remote.versions("agent", agent_id)]
        listing = ", ".join(f"v{v}" for v in versions)
        raise UserError(
            f"agent {key} ({agent_id}) has no version {version}; it has {listing}"
        ) from None
