"""The eval evidence `agentform promote` records in an agent's pin entry.

    evidence:
      suite: triage                      # evals/<suite>.yaml
      evaluated_at: '2026-11-21T10:04:05Z'
      tolerance: 0.0
      repeats: 1
      candidate: {version: 3, accuracy: 1.0, labels: {billing: 1.0, ...}}
      baseline: {version: 1, accuracy: 1.0, labels: {billing: 1.0, ...}}

Checked by hand and written with `yaml.safe_dump(sort_keys=True)`, so pins.yaml stays
deterministic and the caller API stays import-light (PyYAML only). The JSON Schema
(`schemagen.pins_schema`) says the same; a test checks that they agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

Fail = Callable[[tuple[str | int, ...], str], Exception]
FIELDS = ("suite", "evaluated_at", "tolerance", "repeats", "candidate", "baseline")
SCORE_FIELDS = ("version", "accuracy", "labels")
_SUITE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def dump_evidence(evidence: Mapping[str, Any], indent: int) -> str:
    """`evidence:` and its block, every line indented by `indent` spaces."""
    body = yaml.safe_dump(
        {"evidence": dict(evidence)}, sort_keys=True, default_flow_style=False, allow_unicode=True
    )
    pad = " " * indent
    return "".join(pad + line for line in body.splitlines(keepends=True))


def check_evidence(value: Any, at: tuple[str | int, ...], fail: Fail) -> dict[str, Any]:
    """The evidence mapping, or `fail(field path, message)` raised for the first problem."""
    _fields(value, at, FIELDS, fail)
    if not isinstance(value["suite"], str) or not _SUITE.match(value["suite"]):
        raise fail((*at, "suite"), f"expected a suite name, got {value['suite']!r}")
    if not isinstance(value["evaluated_at"], str):
        raise fail((*at, "evaluated_at"), "expected a quoted timestamp string")
    _fraction(value["tolerance"], (*at, "tolerance"), fail)
    repeats = value["repeats"]
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise fail((*at, "repeats"), f"expected an integer >= 1, got {repeats!r}")
    for side in ("candidate", "baseline"):
        _score(value[side], (*at, side), fail)
    return dict(value)


def _score(value: Any, at: tuple[str | int, ...], fail: Fail) -> None:
    _fields(value, at, SCORE_FIELDS, fail)
    version = value["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail((*at, "version"), f"expected a version number >= 1, got {version!r}")
    _fraction(value["accuracy"], (*at, "accuracy"), fail)
    labels = value["labels"]
    if not isinstance(labels, dict):
        raise fail((*at, "labels"), "expected a mapping of label -> accuracy")
    for label, accuracy in labels.items():
        _fraction(accuracy, (*at, "labels", label), fail)


def _fields(value: Any, at: tuple[str | int, ...], names: tuple[str, ...], fail: Fail) -> None:
    if not isinstance(value, dict):
        raise fail(at, f"expected a mapping with {', '.join(names)}")
    for name in names:
        if name not in value:
            raise fail((*at, name), "required field is missing")
    for name in value:
        if name not in names:
            raise fail((*at, name), f"unknown field; expected {', '.join(names)}")


def _fraction(value: Any, at: tuple[str | int, ...], fail: Fail) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise fail(at, f"expected a number from 0 to 1, got {value!r}")
