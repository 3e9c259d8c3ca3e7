"""The deployment calls outside plan and apply: a manual run, and an unpause.

`run` is sent once (a lost response is not retried: a second run would start a second
session); `unpause` changes nothing on an active deployment, so the SDK may retry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentform.errors import LookupKeyError
from agentform.pins.model import Pins
from agentform.remote.client import Remote


@dataclass(frozen=True)
class Run:
    """A deployment run: the session it started, or the error that stopped it."""

    id: str
    deployment_id: str
    agent_version: int | None
    session_id: str | None
    error: str | None


def deployment_id(pins: Pins, key: str) -> str:
    """The pinned id of deployment `key` (what apply created or adopted)."""
    pin = pins.get("deployments", key)
    if pin is None:
        known = list(pins.section("deployments"))
        raise LookupKeyError(kind="deployment", key=key, known=known, where=str(pins.path))
    return pin.id


def run(remote: Remote, object_id: str) -> Run:
    api = remote.writer.beta.deployments
    data = remote.call(lambda: api.run(object_id, **remote.scope), f"run deployment {object_id}")
    return _run(data.to_dict(mode="json"))


def unpause(remote: Remote, object_id: str) -> dict[str, Any]:
    api = remote.client.beta.deployments
    done = remote.call(
        lambda: api.unpause(object_id, **remote.scope), f"unpause deployment {object_id}"
    )
    found: dict[str, Any] = done.to_dict(mode="json")
    return found


def _run(data: dict[str, Any]) -> Run:
    error = data.get("error")
    said = None
    if error:
        said = str(error.get("type")) + (f": {error['message']}" if error.get("message") else "")
    return Run(
        id=data["id"],
        deployment_id=data["deployment_id"],
        agent_version=(data.get("agent") or {}).get("version"),
        session_id=data.get("session_id"),
        error=said,
    )
