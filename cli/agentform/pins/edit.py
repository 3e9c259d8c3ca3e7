"""Single-entry edits of pins.yaml for commands other than apply (`forget`).

Each edit reads the file as it is now and changes one entry, so it does not undo what
another writer did meanwhile. The one place to route them through pins.yaml's locked
writer.
"""

from __future__ import annotations

from pathlib import Path

from agentform.pins.model import load_or_empty, write


def drop_pin(path: Path, section: str, key: str) -> bool:
    """Remove the pin `section.key` from the pins file; False if there was none."""
    pins = load_or_empty(path)
    if pins.get(section, key) is None:
        return False
    return write(path, pins.with_pin(section, key, None))
