"""What a new session references beyond its agent and environment, checked and resolved.

`vault_ids` must name unarchived vaults of the workspace, and memory-store resources
unarchived stores (404 `not_found_error` for an unknown id, 400 for an archived one);
each memory-store resource snapshots its store's name and description and gets its
mount path. Skills in `agent_with_overrides` resolve like an agent's (`skill_refs.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentform.emulator import memory_stores, skill_refs, vaults
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator


def apply(em: Emulator, ws: str, params: Json, session: Json) -> None:
    """Check `params`' references and fill them into the new `session` (in place)."""
    vaults.check_usable(em, ws, list(params.get("vault_ids") or []), "vault_ids")
    memory_stores.check_resources(em, ws, list(params.get("resources") or []), "resources")
    session["resources"] = [
        memory_stores.snapshot(em, ws, r) if r["type"] == "memory_store" else r
        for r in session["resources"]
    ]
    agent = params["agent"]
    if isinstance(agent, dict) and agent["type"] == "agent_with_overrides" and "skills" in agent:
        session["agent"]["skills"] = skill_refs.materialize(em, ws, agent["skills"], "agent.skills")
