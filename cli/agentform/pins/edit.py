"""Single-entry edits of pins.yaml for commands other than apply (`forget`, `mv`).

Each goes through the one locked writer (pins.store), which re-reads the file as it is
now and changes one entry, so it does not undo what another writer did meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from agentform.pins.model import Pin
from agentform.pins.store import PinChange, PinStore


def drop_pin(path: Path, section: str, key: str) -> bool:
    """Remove the pin `section.key` (and any intent of it); False if there was none."""
    store = PinStore(path)
    if store.read().get(section, key) is None:
        return False
    store.change([PinChange(section, key, None, intent=None)])
    return store.written


def rename_pin(path: Path, section: str, key: str, to: str, expect: Pin | None) -> bool:
    """Move the entry `section.key` (pin and intent) to the key `to`, only if its pin is
    still `expect` and `to` has none; False when that did not hold (nothing changed)."""
    [done] = PinStore(path).change([PinChange(section, key, expect=expect, moved_to=to)])
    return done
