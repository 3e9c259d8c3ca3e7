"""pins.yaml: which version of each resource every caller uses, and the caller API.

    import anthropic
    from agentform import pins

    client = anthropic.Anthropic()
    session = client.beta.sessions.create(**pins.load().session_params("triage"), title="...")

Import-light on purpose (PyYAML only): services load pins at start-up. The modules of
this package: `model` (the Pins value), `fileformat` (the file's text and its reader),
`store` (the one, locked writer), `edit` (its single-entry edits for `forget` and
`mv`), `evidence` (eval evidence in a pin entry), `move` (`agentform pin`), `check`
(`pins check`), `log` (`pins log`).
"""

from __future__ import annotations

from agentform.pins.fileformat import SCHEMA_VERSION, dumps, load, load_or_empty, loads
from agentform.pins.model import SECTIONS, AgentPin, EnvironmentPin, Pending, Pin, Pins
from agentform.pins.store import write

__all__ = [
    "SCHEMA_VERSION",
    "SECTIONS",
    "AgentPin",
    "EnvironmentPin",
    "Pending",
    "Pin",
    "Pins",
    "dumps",
    "load",
    "load_or_empty",
    "loads",
    "write",
]
