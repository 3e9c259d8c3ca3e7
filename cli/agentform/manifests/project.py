"""A project is an estate's manifests, eval suites and pins file: what every command starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from agentform.errors import LookupKeyError, ManifestError, ManifestErrors, PinsError, UserError
from agentform.evals.suite import Suite, load_suites
from agentform.manifests.estate import Estate, load_estate
from agentform.pins.fileformat import load_or_empty
from agentform.pins.model import Pins


@dataclass(frozen=True)
class Project:
    estate: Estate
    pins: Pins
    pins_path: Path
    suites: Mapping[str, Suite] = field(default_factory=dict)

    def suite(self, name: str) -> Suite:
        if name not in self.suites:
            where = str(self.estate.root / "evals")
            raise LookupKeyError(kind="eval suite", key=name, known=list(self.suites), where=where)
        return self.suites[name]

    def suite_for(self, agent: str) -> str:
        """The name of the one eval suite that scores `agent` (for `promote` without --eval)."""
        names = sorted(name for name, suite in self.suites.items() if suite.agent == agent)
        if len(names) == 1:
            return names[0]
        where = self.estate.root / "evals"
        if not names:
            raise UserError(f"no eval suite in {where} scores agent {agent!r}; pass --eval SUITE")
        raise UserError(
            f"agent {agent!r} has {len(names)} eval suites ({', '.join(names)}); "
            "pick one with --eval SUITE"
        )

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
    suites = _load_suites(root, estate, errors)
    if errors or estate is None or pins is None:
        raise ManifestErrors(errors)
    pins = in_workspace(pins, workspace_id)
    return Project(estate=estate, pins=pins, pins_path=pins_path, suites=suites)


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


def _load_suites(
    root: Path, estate: Estate | None, errors: list[ManifestError]
) -> dict[str, Suite]:
    """The suites; their agent and environment keys are checked when the manifests loaded."""
    agents = estate.agents if estate is not None else None
    environments = estate.environments if estate is not None else None
    vaults = estate.of_kind("vault") if estate is not None else None
    try:
        return load_suites(root, agents, environments, vaults)
    except ManifestErrors as exc:
        errors.extend(exc.errors)
        return {}
