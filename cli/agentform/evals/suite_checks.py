"""What an eval suite's schema cannot say: the template, unique ids, what each grader needs
from the cases, regexes and JSON Schemas that compile, Python graders that exist, floors
on labels that exist, budgets that parse.

Reads the data defensively: it runs beside the schema check, which reports wrong shapes,
so that one pass reports every problem in the file.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.evals.suite_model import USES_EXPECTED
from agentform.manifests.yamlsrc import Source

At = tuple[str | int, ...]
_PLACEHOLDER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
OPTIONS: dict[str, frozenset[str]] = {
    "json": frozenset({"fields", "expected", "ignore_case"}),
    "equals": frozenset({"value", "ignore_case"}),
    "contains": frozenset({"value", "ignore_case"}),
    "regex": frozenset({"pattern", "ignore_case"}),
    "json_schema": frozenset({"schema"}),
    "python": frozenset({"function"}),
    "tool_called": frozenset({"name", "input"}),
    "tool_not_called": frozenset({"name", "input"}),
    "rubric": frozenset({"rubric"}),
}


def fraction(value: Any) -> float:
    """`20%` or 0.2 -> 0.2 (ValueError otherwise)."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match is None:
            raise ValueError(f"expected a percentage like '20%', got {value!r}")
        return float(match.group(1)) / 100
    return float(value)


def seconds(value: Any) -> float:
    """`30`, `30s`, `1500ms` -> seconds (ValueError otherwise)."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise ValueError(f"expected seconds like 30, '30s' or '1500ms', got {value!r}")
        number = float(match.group(1))
        return number / 1000 if match.group(2) == "ms" else number
    return float(value)


def check_suite(data: dict[str, Any], source: Source, root: Path) -> list[ManifestError]:
    errors: list[ManifestError] = []
    prompt = data.get("prompt")
    placeholders = _placeholders(prompt, source, errors) if isinstance(prompt, str) else set()
    scoring = _dict(data.get("scoring"))
    if scoring.get("fields") and scoring.get("method", "json") != "json":
        errors.append(source.error(("scoring", "fields"), "only used with method: json"))
    suite_graders = _graders(data.get("graders"), ("graders",), source, root, errors)
    cases = _list(data.get("cases"))
    first_line: dict[str, int] = {}
    for index, case in enumerate(cases):
        if not isinstance(case, dict):
            continue
        at: At = ("cases", index)
        own = _graders(case.get("graders"), (*at, "graders"), source, root, errors)
        errors.extend(_check_case(case, at, placeholders, source, first_line))
        graders = [*_classic(scoring), *suite_graders, *own]
        errors.extend(_check_expected(case, at, graders, source))
    errors.extend(_check_floors(data.get("min_accuracy"), cases, source))
    errors.extend(_check_budgets(_dict(data.get("budgets")), source))
    return errors


def check_keys(
    data: dict[str, Any], source: Source, kind: str, known: Mapping[str, object] | None
) -> Iterator[ManifestError]:
    if known is None or not isinstance(data.get(kind), str) or data[kind] in known:
        return
    listing = ", ".join(sorted(known)) or "none"
    yield source.error(
        (kind,), f"no {kind} manifest {data[kind]!r} ({kind}s/{data[kind]}.yaml; known: {listing})"
    )


def check_vault_keys(
    data: dict[str, Any], source: Source, known: Mapping[str, object] | None
) -> Iterator[ManifestError]:
    """Each key of `vaults:` names a vault manifest (the sessions use its pinned id)."""
    if known is None:
        return
    listing = ", ".join(sorted(known)) or "none"
    for index, key in enumerate(_list(data.get("vaults"))):
        if isinstance(key, str) and key not in known:
            message = f"no vault manifest {key!r} (vaults/{key}.yaml; known: {listing})"
            yield source.error(("vaults", index), message)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _classic(scoring: dict[str, Any]) -> list[dict[str, Any]]:
    """`scoring` as the grader it is (its value comes from each case's expected)."""
    method = scoring.get("method")
    if method not in ("json", "exact", "contains", "regex"):
        return []
    kind = "equals" if method == "exact" else method
    return [{"type": kind, "fields": scoring.get("fields") or [], "classic": True}]


def _graders(
    value: Any, at: At, source: Source, root: Path, errors: list[ManifestError]
) -> list[dict[str, Any]]:
    graders = [g for g in _list(value) if isinstance(g, dict) and g.get("type") in OPTIONS]
    for index, grader in enumerate(_list(value)):
        if isinstance(grader, dict) and grader.get("type") in OPTIONS:
            errors.extend(_check_grader(grader, (*at, index), source, root))
    return graders


def _check_grader(grader: dict[str, Any], at: At, source: Source, root: Path) -> Iterator[Any]:
    kind = grader["type"]
    for name in sorted(set(grader) - OPTIONS[kind] - {"type"}):
        known = ", ".join(sorted(OPTIONS[kind]))
        yield source.error((*at, name), f"not an option of a {kind} grader (its options: {known})")
    if kind == "regex" and isinstance(grader.get("pattern"), str):
        yield from _regex(grader["pattern"], (*at, "pattern"), source)
    if kind == "json_schema" and isinstance(grader.get("schema"), dict):
        yield from _json_schema(grader["schema"], (*at, "schema"), source)
    if kind == "python" and isinstance(grader.get("function"), str):
        module = grader["function"].partition(":")[0]
        path = root.joinpath(*module.split(".")).with_suffix(".py")
        if not path.is_file():
            yield source.error((*at, "function"), f"no grader module {path} in the estate")


def _regex(pattern: str, at: At, source: Source) -> Iterator[ManifestError]:
    try:
        re.compile(pattern)
    except re.error as exc:
        yield source.error(at, f"invalid regular expression: {exc}")


def _json_schema(schema: dict[str, Any], at: At, source: Source) -> Iterator[ManifestError]:
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        yield source.error(at, f"not a valid JSON Schema: {exc.message}")


def _check_case(
    case: dict[str, Any],
    at: At,
    placeholders: set[str],
    source: Source,
    first_line: dict[str, int],
) -> Iterator[ManifestError]:
    if isinstance(case.get("id"), str):
        yield from _duplicate_id(case["id"], at, source, first_line)
    inputs = _dict(case.get("input"))
    for name in sorted(placeholders - set(inputs)):
        where = (*at, "input") if "input" in case else at
        yield source.error(where, f"missing input {name!r}: the prompt uses {{{name}}}")


def _check_expected(
    case: dict[str, Any], at: At, graders: list[dict[str, Any]], source: Source
) -> Iterator[ManifestError]:
    """Each grader without a value of its own grades against the case's `expected`."""
    if not graders:
        yield source.error(at, "nothing grades this case: give `scoring` or `graders`")
    needing = [
        g for g in graders if g["type"] in USES_EXPECTED and USES_EXPECTED[g["type"]] not in g
    ]
    if not needing:
        return
    if "expected" not in case:
        kinds = ", ".join(sorted({g["type"] for g in needing}))
        yield source.error(at, f"missing expected: the {kinds} grader compares with it")
        return
    expected, where = case["expected"], (*at, "expected")
    for grader in needing:  # `scoring`'s types are the schema's to report
        classic = grader.get("classic", False)
        if grader["type"] == "json":
            if isinstance(expected, dict) or not classic:
                yield from _check_json_expected(expected, grader.get("fields") or [], where, source)
        elif not isinstance(expected, str):
            if not classic:
                yield source.error(where, f"the {grader['type']} grader needs a string")
        elif grader["type"] == "regex":
            yield from _regex(expected, where, source)


def _check_json_expected(
    expected: Any, fields: list[Any], at: At, source: Source
) -> Iterator[ManifestError]:
    if not isinstance(expected, dict):
        yield source.error(at, "the json grader needs a mapping of field -> expected value")
        return
    for name in fields:
        if isinstance(name, str) and name not in expected:
            yield source.error(at, f"missing field {name!r} named in scoring.fields")
    if not expected:
        yield source.error(at, "expected no fields: give at least one field to compare")


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
    case_id: str, at: At, source: Source, first_line: dict[str, int]
) -> Iterator[ManifestError]:
    where = source.locate((*at, "id"))
    line = where.line if where else 0
    if case_id in first_line:
        message = f"duplicate case id {case_id!r} (first on line {first_line[case_id]})"
        yield source.error((*at, "id"), message)
    else:
        first_line[case_id] = line


def _check_floors(value: Any, cases: list[Any], source: Source) -> Iterator[ManifestError]:
    labels = {c.get("label") for c in cases if isinstance(c, dict)}
    for label in sorted(_dict(value)):
        if label != "overall" and label not in labels:
            known = ", ".join(sorted(str(x) for x in labels if x)) or "none"
            yield source.error(("min_accuracy", label), f"no case has label {label!r} ({known})")


def _check_budgets(budgets: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    for name, parse in (("max_cost_increase", fraction), ("max_latency_p95", seconds)):
        if name in budgets:
            try:
                parse(budgets[name])
            except (TypeError, ValueError) as exc:
                yield source.error(("budgets", name), str(exc))
