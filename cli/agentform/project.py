"""A project is an estate's manifests plus its pins file: what every command starts from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentform.errors import ManifestError, ManifestErrors, PinsError
from agentform.manifests import Estate, load_estate
from agentform.pins import Pins, load_or_empty


@dataclass(frozen=True)
class Project:
    estate: Estate
    pins: Pins
    pins_path: Path


def load_project(root: Path, pins_path: Path) -> Project:
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
    return Project(estate=estate, pins=pins, pins_path=pins_path)
