"""A project is an estate's manifests plus its pins file: what every command starts from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from agentform.errors import ManifestError, ManifestErrors, PinsError, UserError
from agentform.manifests import Estate, load_estate
from agentform.pins import Pins, load_or_empty


@dataclass(frozen=True)
class Project:
    estate: Estate
    pins: Pins
    pins_path: Path

    @property
    def workspace_id(self) -> str | None:
        """The workspace every call goes to: --workspace-id, else the pins file's own."""
        return self.pins.workspace_id


def load_project(root: Path, pins_path: Path, workspace_id: str | None = None) -> Project:
    """Load and validate everything; report every problem at once, before any server call."""
    errors: list[ManifestError] = []
    estate = pins = None
    try:
        estate = load_estate(root)
    except ManifestErrors as exc:
        errors.extend(exc.errors)
    try:
        pins = load_or_empty(pins_path)
    except PinsError as exc:
        errors.append(exc)
    if errors or estate is None or pins is None:
        raise ManifestErrors(errors)
    return Project(estate=estate, pins=in_workspace(pins, workspace_id), pins_path=pins_path)


def in_workspace(pins: Pins, workspace_id: str | None) -> Pins:
    """A pins file belongs to one workspace: refuse to use it against another."""
    recorded = pins.workspace_id
    if workspace_id is None or recorded == workspace_id:
        return pins
    if recorded is not None:
        raise UserError(
            f"{pins.path} records workspace {recorded}, but --workspace-id is {workspace_id}: "
            "use the pins file of that workspace (--pins FILE), or leave --workspace-id off"
        )
    return replace(pins, workspace_id=workspace_id)  # recorded by the next write
