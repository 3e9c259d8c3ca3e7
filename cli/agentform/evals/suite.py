"""Load and validate eval suites: `evals/<name>.yaml`, the file stem being the suite's name.

A suite names the agent and environment (by key), a prompt template with `{field}`
placeholders, how to score a reply, and labelled cases. Problems are collected as
ManifestErrors with file, line and field, like manifests. `evals/responder.yaml` is
not a suite: it is the emulator's rules file (see docs/emulator.md).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agentform.errors import ManifestError, ManifestErrors
from agentform.manifests.schemacheck import load_document
from agentform.manifests.schemas import KEY_PATTERN
from agentform.manifests.yamlsrc import Source

DIRECTORY = "evals"
RESPONDER_FILE = "responder.yaml"
SUFFIXES = (".yaml", ".yml")
Method = Literal["json", "exact", "contains", "regex"]
_KEY = re.compile(KEY_PATTERN)
_PLACEHOLDER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Scoring:
    method: Method
    fields: tuple[str, ...] = ()  # json: the fields compared; empty means every expected field
    ignore_case: bool = False


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    input: Mapping[str, str]
    expected: Any  # a mapping for json scoring, else a string


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    agent: str
    environment: str
    prompt: str
    scoring: Scoring
    cases: tuple[Case, ...]
    repeats: int = 1
    timeout_seconds: float = 120.0

    def message(self, case: Case) -> str:
        """The user message for one case: the prompt with its placeholders filled."""
        return self.prompt.format_map(case.input)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({case.label for case in self.cases}))


def suite_paths(root: Path) -> Iterator[tuple[str, Path]]:
    """(name, path) of every suite file under `root/evals/`, the responder rules excluded."""
    directory = root / DIRECTORY
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.suffix in SUFFIXES and path.is_file() and path.name != RESPONDER_FILE:
            yield path.stem, path


def load_suites(
    root: Path, agents: Mapping[str, object] | None, environments: Mapping[str, object] | None
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
        suite = _load_one(name, path, found, agents, environments)
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
) -> Suite | None:
    loaded = load_document(path, "eval", errors)
    if loaded is None:
        return None
    data, source, found = loaded
    errors.extend(found)
    errors.extend(_check_keys(data, source, "agent", agents))
    errors.extend(_check_keys(data, source, "environment", environments))
    errors.extend(_check(data, source))  # beside the schema's errors: one pass reports all
    if found:
        return None  # _build relies on the schema's shape
    return _build(name, path, data)


def _build(name: str, path: Path, data: dict[str, Any]) -> Suite:
    scoring = data["scoring"]
    return Suite(
        name=name,
        path=path,
        agent=data["agent"],
        environment=data["environment"],
        prompt=data["prompt"],
        scoring=Scoring(
            method=scoring["method"],
            fields=tuple(scoring.get("fields", ())),
            ignore_case=scoring.get("ignore_case", False),
        ),
        cases=tuple(_case(raw) for raw in data["cases"]),
        repeats=data.get("repeats", 1),
        timeout_seconds=float(data.get("timeout_seconds", 120)),
    )


def _case(raw: dict[str, Any]) -> Case:
    inputs = {key: _text(value) for key, value in (raw.get("input") or {}).items()}
    return Case(id=raw["id"], label=raw["label"], input=inputs, expected=raw["expected"])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check(data: dict[str, Any], source: Source) -> list[ManifestError]:
    """What the schema cannot say: the template, unique ids, fields, regexes.

    Reads the data defensively: it runs beside the schema check, which reports wrong
    shapes, so that one pass reports every problem in the file.
    """
    errors: list[ManifestError] = []
    prompt = data.get("prompt")
    placeholders = _placeholders(prompt, source, errors) if isinstance(prompt, str) else set()
    scoring = _dict(data.get("scoring"))
    if scoring.get("fields") and scoring.get("method", "json") != "json":
        errors.append(source.error(("scoring", "fields"), "only used with method: json"))
    first_line: dict[str, int] = {}
    cases = _list(data.get("cases"))
    for index, case in enumerate(cases):
        if isinstance(case, dict):
            errors.extend(
                _check_case(case, ("cases", index), placeholders, scoring, source, first_line)
            )
    return errors


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_case(
    case: dict[str, Any],
    at: tuple[str | int, ...],
    placeholders: set[str],
    scoring: dict[str, Any],
    source: Source,
    first_line: dict[str, int],
) -> Iterator[ManifestError]:
    if isinstance(case.get("id"), str):
        yield from _duplicate_id(case["id"], at, source, first_line)
    inputs = _dict(case.get("input"))
    for name in sorted(placeholders - set(inputs)):
        where = (*at, "input") if "input" in case else at
        yield source.error(where, f"missing input {name!r}: the prompt uses {{{name}}}")
    if "expected" in case:
        yield from _check_expected(scoring, case["expected"], (*at, "expected"), source)


def _placeholders(prompt: str, source: Source, errors: list[ManifestError]) -> set[str]:
    try:
        parts = list(string.Formatter().parse(prompt))
    except ValueError as exc:
        message = f"invalid template: {exc}; write {{{{ and }}}} for literal braces"
        errors.append(source.error(("prompt",), message))
        return set()
    names = {name for _, name, _, _ in parts if name is not None}
    for _, name, spec, conversion in parts:
        if name is not None and (not _PLACEHOLDER.match(name) or spec or conversion):
            message = f"placeholder {{{name}}} must be a plain {{name}} (letters, digits, _)"
            errors.append(source.error(("prompt",), message))
    return names


def _duplicate_id(
    case_id: str, at: tuple[str | int, ...], source: Source, first_line: dict[str, int]
) -> Iterator[ManifestError]:
    where = source.locate((*at, "id"))
    line = where.line if where else 0
    if case_id in first_line:
        message = f"duplicate case id {case_id!r} (first on line {first_line[case_id]})"
        yield source.error((*at, "id"), message)
    else:
        first_line[case_id] = line


def _check_expected(
    scoring: dict[str, Any], expected: Any, at: tuple[str | int, ...], source: Source
) -> Iterator[ManifestError]:
    method = scoring.get("method")
    if method == "json" and isinstance(expected, dict):
        fields = _list(scoring.get("fields"))
        for name in fields:
            if isinstance(name, str) and name not in expected:
                yield source.error(at, f"missing field {name!r} named in scoring.fields")
        if not expected:
            yield source.error(at, "expected no fields: give at least one field to compare")
    elif method == "regex" and isinstance(expected, str):
        try:
            re.compile(expected)
        except re.error as exc:
            yield source.error(at, f"invalid regular expression: {exc}")


def _check_keys(
    data: dict[str, Any], source: Source, kind: str, known: Mapping[str, object] | None
) -> Iterator[ManifestError]:
    if known is None or not isinstance(data.get(kind), str) or data[kind] in known:
        return
    listing = ", ".join(sorted(known)) or "none"
    yield source.error(
        (kind,), f"no {kind} manifest {data[kind]!r} ({kind}s/{data[kind]}.yaml; known: {listing})"
    )
