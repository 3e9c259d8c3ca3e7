"""One palette and one set of symbols for everything agentform shows a person.

The renderers and the CLI colour through `Paint`; whether colour is on is the CLI's
decision (a terminal, no NO_COLOR, no --no-color), never a file's or a pipe's.
Plans, apply, status, validate and errors use the same words in the same colours:
green for what is fine or created, yellow for what changes or warns, red for what
fails or is destroyed, magenta for drift and replacements, cyan for pins.
"""

from __future__ import annotations

CODES = {
    "green": 32,
    "red": 31,
    "yellow": 33,
    "magenta": 35,
    "cyan": 36,
    "bold": 1,
    "dim": 2,
}
ACTION_COLORS = {
    "create": "green",
    "update": "yellow",
    "replace": "magenta",
    "pin": "cyan",
    "move": "cyan",
    "archive": "red",
}
STATE_COLORS = {
    "synced": "green",
    "held": "cyan",
    "pending": "yellow",
    "drifted": "magenta",
    "missing": "red",
    "unmanaged": "dim",
}
OUTCOME_MARKS = {
    "done": ("ok", "green"),
    "unchanged": ("ok", "green"),
    "skipped": ("skip", "dim"),
    "failed": ("FAIL", "red"),
    "refused": ("GATE", "yellow"),
    "stopped": ("STOP", "red"),
    "kept": ("KEPT", "yellow"),
}


class Paint:
    """`paint(text, "red", "bold")`: ANSI styles when enabled, the bare text otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not text or not styles:
            return text
        codes = ";".join(str(CODES[s]) for s in styles)
        return f"\033[{codes}m{text}\033[0m"
