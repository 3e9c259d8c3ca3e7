"""What the global options resolve to, handed to every command as `ctx.obj`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

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
    no_color: bool = False

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
            click.echo(f"{self.paint_err('warning:', 'yellow')} {warning.describe()}", err=True)
        return project

    def reread_pins(self, store: PinStore) -> Pins:
        """The pins file as it is now (under an apply lock), in the workspace to act on."""
        from agentform.manifests.project import in_workspace

        return in_workspace(store.read(), self.workspace_id)

    def remote(
        self, workspace_id: str | None, *, sessions: bool = False
    ) -> AbstractContextManager[Remote]:
        """The API (or the embedded emulator with --local), for the duration of a command.

        `workspace_id` is required on purpose: pass the project's (or the pins file's),
        which already reconciles --workspace-id with the workspace the pins record.
        `sessions`: the command runs sessions, so --local loads the responder rules
        (commands that only read and write agents never depend on that file).
        Missing credentials are reported before the SDK is imported.
        """
        return self._remote(workspace_id or self.workspace_id, sessions)

    @contextmanager
    def _remote(self, workspace_id: str | None, sessions: bool) -> Iterator[Remote]:
        from agentform.remote.credentials import require_credentials

        if not self.local:
            require_credentials()
            from agentform.remote.client import connect

            with connect(workspace_id=workspace_id) as remote:
                yield remote
            return
        from agentform.emulator.beside import Beside

        self.state_dir.mkdir(parents=True, exist_ok=True)
        responder = self.responder_file if sessions else None
        with closing(Beside.start(self.state_dir / "emulator.db", responder)) as beside:
            from agentform.remote.client import connect  # overlaps the emulator's start

            with connect(workspace_id=workspace_id, local_url=beside.url()) as remote:
                yield remote

    @property
    def responder_file(self) -> Path | None:
        """With --local: evals/responder.yaml, when the estate has one, scripts the replies."""
        path = self.root / "evals" / "responder.yaml"
        return path if self.local and path.is_file() else None

    def color_on(self, stream: TextIO) -> bool:
        """Colours on a terminal, unless --no-color or NO_COLOR (https://no-color.org)."""
        if self.no_color or os.environ.get("NO_COLOR"):
            return False
        return stream.isatty()

    @property
    def color(self) -> bool:
        return self.color_on(sys.stdout)

    def paint(self, text: str, *styles: str) -> str:
        """`text` in a style of the shared palette, on stdout when it is a colour terminal."""
        from agentform.render.style import Paint

        return Paint(self.color)(text, *styles)

    def paint_err(self, text: str, *styles: str) -> str:
        from agentform.render.style import Paint

        return Paint(self.color_on(sys.stderr))(text, *styles)

    @property
    def interactive(self) -> bool:
        return sys.stdin.isatty()
