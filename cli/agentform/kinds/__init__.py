"""Resource kinds, each one module: the registry, in display and pins.yaml order.

    from agentform.kinds import KINDS, kind
    kind("agent").desired(spec)

`base` defines what a kind is; `shape` the normalisation every kind shares; `files`
how a file a manifest names is read safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentform.kinds.agent import AGENT
from agentform.kinds.base import Kind
from agentform.kinds.deployment import DEPLOYMENT
from agentform.kinds.environment import ENVIRONMENT
from agentform.kinds.memory_store import MEMORY_STORE
from agentform.kinds.skill import SKILL
from agentform.kinds.vault import VAULT

KINDS: tuple[Kind, ...] = (AGENT, ENVIRONMENT, SKILL, DEPLOYMENT, VAULT, MEMORY_STORE)
BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
BY_PLURAL: dict[str, Kind] = {k.plural: k for k in KINDS}
# `{<kind>: <key>}` in a manifest: kind name -> how the pinned (id, version) is written.
REFERABLE: dict[str, Any] = {k.name: k.reference for k in KINDS if k.referable}


def kind(name: str) -> Kind:
    """The kind called `name` ("agent"); KeyError for an unknown one."""
    return BY_NAME[name]


def rank(name: str) -> int:
    """Display order of a kind."""
    return KINDS.index(BY_NAME[name])


def desired_spec(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    return BY_NAME[name].desired(spec)


def server_spec(name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return BY_NAME[name].actual(data)


__all__ = ["BY_NAME", "BY_PLURAL", "KINDS", "REFERABLE", "Kind", "kind", "rank"]
