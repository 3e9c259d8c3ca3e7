"""What a new session references beyond its agent and environment, checked and resolved.

Skills in `agent_with_overrides` resolve like an agent's (`skill_refs.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentform.emulator import skill_refs
from agentform.emulator.wire import Json

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator


def apply(em: Emulator, ws: str, params: Json, session: Json) -> None:
    """Check `params`' references and fill them into the new `session` (in place)."""
    agent = params["agent"]
    if isinstance(agent, dict) and agent["type"] == "agent_with_overrides" and "skills" in agent:
        session["agent"]["skills"] = skill_refs.materialize(em, ws, agent["skills"], "agent.skills")
