"""What the global options resolve to, handed to every command as `ctx.obj`."""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentform.manifests.project import Project
    from agentform.pins.model import Pins
    from agentform.pins.store import PinStore
    from agentform.remote.client import Remote


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

    def project(self) -> Project:
        """Manifests and pins, validated (no server call), in the workspace to act on.

        Warnings (allowed, but probably a mistake: an unknown model id) go to stderr.
        """
        import click

        from agentform.manifests.project import load_project

        project = load_project(self.root, self.pins_path, self.workspace_id)
        for warning in project.estate.warnings:
            click.echo(f"warning: {warning.describe()}", err=True)
        return project

    def reread_pins(self, store: PinStore) -> Pins:
        """The pins file as it is now (under an apply lock), in the workspace to act on."""
        from agentform.manifests.project import in_workspace

        return in_workspace(store.read(), self.workspace_id)

    def remote(self, workspace_id: str | None) -> AbstractContextManager[Remote]:
        """The API (or the embedded emulator with --local), for the duration of a command.

        `workspace_id` is required on purpose: pass the project's (or the pins file's),
        which already reconciles --workspace-id with the workspace the pins record.
        """
        from agentform.remote.client import connect

        local_dir = self.state_dir if self.local else None
        return connect(
            local_dir=local_dir,
            workspace_id=workspace_id or self.workspace_id,
            responder=self.responder_file,
        )

    @property
    def responder_file(self) -> Path | None:
        """With --local: evals/responder.yaml, when the estate has one, scripts the replies."""
        path = self.root / "evals" / "responder.yaml"
        return path if self.local and path.is_file() else None

    @property
    def color(self) -> bool:
        """Colours on a terminal, unless NO_COLOR is set (https://no-color.org)."""
        return sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    @property
    def interactive(self) -> bool:
        return sys.stdin.isatty()
