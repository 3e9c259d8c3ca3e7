"""One error hierarchy; the CLI maps it to exit codes in one place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class AgentformError(Exception):
    """Base for every error agentform raises on purpose."""

    exit_code = 1

    def render(self) -> str:
        """What the CLI prints for this error."""
        return f"Error: {self}"


class UserError(AgentformError):
    """Something a person can fix: the message says what and how. Exit 1, no traceback."""


class EmulatorStartError(UserError):
    """The emulator could not start (the port is taken, the database unreadable, ...)."""


class ManifestError(UserError):
    """One problem in one file, located as precisely as the source allows."""

    def __init__(
        self,
        *,
        path: Path | str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        """`path:line:col: field: message`, the form editors and CI problem matchers read."""
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def sort_key(self) -> tuple[str, int, int]:
        return (str(self.path), self.line or 0, self.column or 0)


class ManifestErrors(UserError):
    """Every problem found in a pass, reported together (not only the first)."""

    def __init__(self, errors: Sequence[ManifestError]) -> None:
        self.errors = sorted(errors, key=ManifestError.sort_key)
        count = len(self.errors)
        self.summary = f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([*(e.describe() for e in self.errors), self.summary]))

    def render(self) -> str:
        # Location lines stay at the start of a line, where problem matchers look.
        return "\n".join([*(e.describe() for e in self.errors), f"Error: {self.summary}"])


class PinsError(ManifestError):
    """pins.yaml is missing, malformed, or does not hold what the caller asked for."""


class LookupKeyError(UserError):
    """An unknown resource key; the message lists the keys that exist."""

    def __init__(self, *, kind: str, key: str, known: Sequence[str], where: str) -> None:
        self.kind = kind
        self.key = key
        listing = ", ".join(sorted(known)) if known else "none"
        super().__init__(f"no {kind} {key!r} in {where} (known: {listing})")


class BrokenPinsError(UserError):
    """pins.yaml points at a version or object callers cannot use; fix it first."""

    def __init__(self, plan: object) -> None:
        errors = getattr(plan, "errors", ())
        lines = [f"  {note.kind} {note.key}: {note.message}" for note in errors]
        super().__init__("\n".join(["pins.yaml points at what does not exist:", *lines]))


class GateRefusedError(AgentformError):
    """An eval gate found a regression and refused to move a pin. Exit 3."""

    exit_code = 3


class EvalInconclusiveError(AgentformError):
    """An eval could not tell better from worse, and `--on-inconclusive fail` was asked. Exit 4."""

    exit_code = 4
