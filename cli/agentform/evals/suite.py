"""Load and validate eval suites: `evals/<name>.yaml`, the file stem being the suite's name.

A suite names the agent and environment (by key), a prompt template with `{field}`
placeholders, how to grade a reply (`scoring` and/or `graders`), labelled cases, and
what the gate holds the candidate to (statistics, floors, budgets). Problems are
collected as ManifestErrors with file, line and field, like manifests (the checks a
schema cannot make are in suite_checks.py). `evals/responder.yaml` is not a suite: it is
the emulator's rules file (see docs/emulator.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError, ManifestErrors
from agentform.evals.costs import Price
from agentform.evals.stats import Settings
from agentform.evals.suite_checks import (
    check_keys,
    check_suite,
    check_vault_keys,
    fraction,
    seconds,
)
from agentform.evals.suite_model import (
    Budgets,
    Case,
    GraderSpec,
    Judge,
    Method,
    Scoring,
    Suite,
)
from agentform.manifests.schemacheck import load_document
from agentform.manifests.schemas import KEY_PATTERN

__all__ = ["Case", "Method", "Scoring", "Suite", "load_suites", "suite_paths"]

DIRECTORY = "evals"
RESPONDER_FILE = "responder.yaml"
SUFFIXES = (".yaml", ".yml")
_KEY = re.compile(KEY_PATTERN)


def suite_paths(root: Path) -> Iterator[tuple[str, Path]]:
    """(name, path) of every suite file under `root/evals/`, the responder rules excluded."""
    directory = root / DIRECTORY
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.suffix in SUFFIXES and path.is_file() and path.name != RESPONDER_FILE:
            yield path.stem, path


def load_suites(
    root: Path,
    agents: Mapping[str, object] | None,
    environments: Mapping[str, object] | None,
    vaults: Mapping[str, object] | None = None,
) -> dict[str, Suite]:
    """Every suite; raises ManifestErrors listing all problems. Keys are checked against
    the manifests given (None: not checked, because the manifests did not load)."""
    errors: list[ManifestError] = []
    suites: dict[str, Suite] = {}
    for name, path in suite_paths(root):
        if not _KEY.match(name):
            message = (
                f"file name {name!r} is not a valid suite name: use lowercase letters, "
                "digits, '-' and '_', starting with a letter or digit"
            )
            errors.append(ManifestError(path=path, message=message))
            continue
        found: list[ManifestError] = []
        suite = _load_one(name, path, found, agents, environments, vaults)
        errors.extend(found)
        if suite is not None and not found:
            suites[name] = suite
    if errors:
        raise ManifestErrors(errors)
    return suites


def _load_one(
    name: str,
    path: Path,
    errors: list[ManifestError],
    agents: Mapping[str, object] | None,
    environments: Mapping[str, object] | None,
    vaults: Mapping[str, object] | None,
) -> Suite | None:
    loaded = load_document(path, "eval", errors)
    if loaded is None:
        return None
    data, source, found = loaded
    errors.extend(found)
    errors.extend(check_keys(data, source, "agent", agents))
    errors.extend(check_keys(data, source, "environment", environments))
    errors.extend(check_vault_keys(data, source, vaults))
    errors.extend(check_suite(data, source, path.parent.parent))  # beside the schema's
    if found:
        return None  # _build relies on the schema's shape
    return _build(name, path, data)


def _build(name: str, path: Path, data: dict[str, Any]) -> Suite:
    return Suite(
        name=name,
        path=path,
        agent=data["agent"],
        environment=data["environment"],
        prompt=data["prompt"],
        scoring=_scoring(data.get("scoring")),
        cases=tuple(_case(raw) for raw in data["cases"]),
        repeats=data.get("repeats", 1),
        timeout_seconds=float(data.get("timeout_seconds", 120)),
        graders=_graders(data.get("graders")),
        judge=Judge(**(data.get("judge") or {})),
        min_accuracy=_floors(data.get("min_accuracy")),
        budgets=_budgets(data.get("budgets") or {}),
        statistics=Settings(**(data.get("statistics") or {})),
        prices={model: Price(**price) for model, price in (data.get("prices") or {}).items()},
        vaults=tuple(data.get("vaults") or ()),
    )


def _scoring(raw: dict[str, Any] | None) -> Scoring | None:
    if raw is None:
        return None
    return Scoring(
        method=raw["method"],
        fields=tuple(raw.get("fields", ())),
        ignore_case=raw.get("ignore_case", False),
    )


def _graders(raw: list[dict[str, Any]] | None) -> tuple[GraderSpec, ...]:
    return tuple(
        GraderSpec(item["type"], {k: v for k, v in item.items() if k != "type"})
        for item in raw or ()
    )


def _floors(raw: Any) -> dict[str, float]:
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {label: float(value) for label, value in raw.items()}
    return {"overall": float(raw)}


def _budgets(raw: dict[str, Any]) -> Budgets:
    cost = raw.get("max_cost_increase")
    latency = raw.get("max_latency_p95")
    return Budgets(
        max_cost_increase=None if cost is None else fraction(cost),
        max_latency_p95=None if latency is None else seconds(latency),
    )


def _case(raw: dict[str, Any]) -> Case:
    inputs = {key: _text(value) for key, value in (raw.get("input") or {}).items()}
    return Case(
        id=raw["id"],
        label=raw["label"],
        input=inputs,
        expected=raw.get("expected"),
        graders=_graders(raw.get("graders")),
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
