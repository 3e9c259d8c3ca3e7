"""What the global options resolve to, handed to every command as `ctx.obj`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class App:
    root: Path
    pins_path: Path
    workspace_id: str | None
    local: bool
    debug: bool

    @property
    def state_dir(self) -> Path:
        """Where --local keeps the embedded emulator's database."""
        return self.root / ".agentform"
