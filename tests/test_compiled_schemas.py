"""The schemas compiled to Python (agentform._validators) judge documents as jsonschema does.

`validate` passes a document on the compiled check alone and runs jsonschema only to
explain a failure, so compiled-valid must imply jsonschema-valid (issue 15). The two are
compared on every YAML mapping the repository holds (manifests, templates, the tests'
own documents), on documents sampled from every branch of every schema, and on
mutations of each valid one: wrong types, unknown and missing fields, bad enums and
patterns, strings and lists past their limits.
"""

from __future__ import annotations

import ast
import datetime
import json
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from schemagen.fastcheck import UnsupportedSchemaError, check_supported, compile_check

from agentform.manifests.schemacheck import _passes_compiled_check
from agentform.manifests.schemas import KINDS, load_schema

REPO = Path(__file__).resolve().parent.parent
CHECKS = REPO / "cli" / "agentform" / "_validators"
# A value for each pattern in the schemas (a new pattern needs one here).
PATTERN_EXAMPLES = {
    "^[a-z0-9][a-z0-9_-]*$": "triage",
    "^[A-Za-z0-9_-]{1,128}$": "get_weather",
    "^[A-Za-z_]\\w*(\\.[A-Za-z_]\\w*)*:[A-Za-z_]\\w*$": "graders.custom:score",
    "^\\s*\\d+(\\.\\d+)?\\s*%\\s*$": "5%",
    "^\\s*\\d+(\\.\\d+)?\\s*(ms|s)?\\s*$": "300ms",
    "^skill_[A-Za-z0-9]+$": "skill_01abc",
    "^env_[A-Za-z0-9]+$": "env_01abc",
    "^agent_[A-Za-z0-9]+$": "agent_01abc",
    "^depl_[A-Za-z0-9]+$": "depl_01abc",
    "^vlt_[A-Za-z0-9]+$": "vlt_01abc",
    "^memstore_[A-Za-z0-9]+$": "memstore_01abc",
    "^sha256:[0-9a-f]{64}$": "sha256:" + "0" * 64,
    "^[a-z0-9]+(-[a-z0-9]+)*$": "my-skill",
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": "notes.md",
    "^agentform[.]": "agentform.key",
}
PALETTE: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 1.5, 2.0, float("nan"), "", "x", "Not A Key", "agentform.x",
    *("x" * n for n in (65, 129, 257, 513, 1025, 2049, 100_001)),
    [], ["x"], [None], {}, {"type": "x"}, {"bogus": 1}, datetime.date(2026, 1, 1),
)  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_committed_checks_are_compiled_from_the_committed_schemas(kind: str) -> None:
    committed = (CHECKS / f"{kind}.py").read_text(encoding="utf-8")
    assert committed == compile_check(kind, load_schema(kind)), (
        f"cli/agentform/_validators/{kind}.py is stale: run `make schemas` and commit it"
    )


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"$ref": "#/$defs/A", "type": "string", "$defs": {"A": {}}}, "siblings"),
        ({"prefixItems": [{"type": "string"}]}, "'prefixItems'"),
        ({"unevaluatedProperties": False}, "'unevaluatedProperties'"),
        ({"items": [{"type": "string"}]}, "items must be one schema"),
        ({"properties": {"a": {"const": {"b": 1}}}}, "JSON scalars"),
        ({"anyOf": [{"pattern": "^a$|^b$"}]}, "'$' before its end"),
        ({"$ref": "other.json#/x"}, "not into this schema's $defs"),
        ({"$defs": {"A": {"dependentRequired": {}}}}, "'dependentRequired'"),
    ],
)
def test_schemas_the_compiled_check_could_misread_are_refused(
    schema: dict[str, Any], problem: str
) -> None:
    with pytest.raises(UnsupportedSchemaError, match=problem.replace("$", r"\$")):
        check_supported(schema)


@pytest.mark.parametrize("kind", KINDS)
def test_the_compiled_check_and_jsonschema_agree_on_every_document(kind: str) -> None:
    verdicts = [(doc, _jsonschema_valid(kind, doc)) for doc in _corpus(kind)]
    wrong = [(doc, valid) for doc, valid in verdicts if _passes_compiled_check(doc, kind) != valid]
    assert not wrong, f"{len(wrong)} disagreements, e.g. {_show(wrong[:3])}"
    valid = sum(v for _, v in verdicts)
    assert valid >= 5 and len(verdicts) - valid >= 200, (valid, len(verdicts))


def test_a_valid_estate_never_imports_jsonschema(tmp_path: Path) -> None:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "a.yaml").write_text("name: a\nmodel: m\nsystem: hi\n")
    script = (
        "import sys; from pathlib import Path; from agentform.manifests.estate import "
        f"load_estate; load_estate(Path({str(tmp_path)!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jsonschema'))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _corpus(kind: str) -> list[Any]:
    seeds = [*_documents(), *_samples(load_schema(kind), kind)]
    valid = [doc for doc in seeds if _jsonschema_valid(kind, doc)]
    seen: set[Any] = set()
    return seeds + [bad for doc in valid for bad in _mutations(doc, seen)]


@cache
def _documents() -> tuple[Any, ...]:
    """Every YAML mapping in the repository's files and in the tests' string literals."""
    texts = [p.read_text(encoding="utf-8") for p in _yaml_files()]
    texts += [s for p in sorted((REPO / "tests").glob("*.py")) for s in _strings(p)]
    found = []
    for text in texts:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            found.append(data)
    return tuple(found)


def _yaml_files() -> Iterator[Path]:
    for path in sorted(REPO.rglob("*.yaml")):
        parts = path.relative_to(REPO).parts
        if not any(p.startswith(".") for p in parts):
            yield path


def _strings(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ":" in node.value:
            yield node.value


def _samples(schema: Any, kind: str, depth: int = 0) -> list[Any]:
    """Documents built from the schema: each branch of each union, each enum value, each
    optional field; most are valid, some break a rule the sampler does not read."""
    if not isinstance(schema, dict) or depth > 8:
        return []
    if "$ref" in schema:
        return _samples(_resolve(kind, schema["$ref"]), kind, depth + 1)
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return [s for branch in schema[union] for s in _samples(branch, kind, depth + 1)]
    return _samples_of_type(schema, kind, depth)


def _samples_of_type(schema: dict[str, Any], kind: str, depth: int) -> list[Any]:
    of_type = schema.get("type", "object")
    if isinstance(of_type, list):
        return [s for t in of_type for s in _samples_of_type({**schema, "type": t}, kind, depth)]
    if of_type == "object":
        return _objects(schema, kind, depth)
    if of_type == "array":
        return [[]] + [[item] for item in _samples(schema.get("items"), kind, depth + 1)[:20]]
    if of_type == "string":
        pattern = schema.get("pattern")
        if pattern is not None:
            return [PATTERN_EXAMPLES[pattern]]
        return ["x" * max(1, schema.get("minLength", 1))]
    if of_type in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        return [int(low) + 1]
    return {"boolean": [True, False], "null": [None]}.get(of_type, [])


def _objects(schema: dict[str, Any], kind: str, depth: int) -> list[Any]:
    props = schema.get("properties", {})
    options = {name: _samples(prop, kind, depth + 1)[:40] for name, prop in props.items()}
    base = {n: options[n][0] for n in schema.get("required", []) if options.get(n)}
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not props:
        return [base] + [{**base, "k": value} for value in _samples(extra, kind, depth + 1)]
    return [base] + [{**base, n: value} for n, values in options.items() for value in values]


def _mutations(doc: Any, seen: set[Any]) -> Iterator[Any]:
    """`doc` with one thing changed, at every place in it not `seen` in another document
    (a place: where it is, without list indexes, and what is there)."""
    for at, value in _places(doc, ()):
        place = (tuple(0 if isinstance(p, int) else p for p in at), _shape(value))
        if place in seen:
            continue
        seen.add(place)
        for new in _changes(value):
            yield _replace(doc, at, new)
        if at:
            parent = _get(doc, at[:-1])
            if isinstance(parent, dict):
                yield _replace(doc, at[:-1], {k: v for k, v in parent.items() if k != at[-1]})


def _changes(value: Any) -> Iterator[Any]:
    yield from (v for v in PALETTE if type(v) is not type(value) or v != value)
    if isinstance(value, dict):
        yield {**value, "bogus": 1}
        yield {**value, "agentform.x": "v"}
        yield {**value, "x" * 65: "v"}
        yield {**value, **{f"k{i}": "v" for i in range(17)}}
    elif isinstance(value, list) and value:
        yield [*value, value[0]]
        yield value * 21
        if not isinstance(value[0], dict | list):  # long lists of objects: too slow to check
            yield value * 257
    elif isinstance(value, str):
        yield value + "!"
        yield value.upper()


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, repr(v) if k == "type" else None) for k, v in value.items()))
    return type(value).__name__


def _places(value: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield at, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, (*at, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _places(child, (*at, index))


def _get(doc: Any, at: tuple[Any, ...]) -> Any:
    for part in at:
        doc = doc[part]
    return doc


def _replace(doc: Any, at: tuple[Any, ...], new: Any) -> Any:
    if not at:
        return new
    head, rest = at[0], at[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], rest, new)}
    return [_replace(v, rest, new) if i == head else v for i, v in enumerate(doc)]


def _resolve(kind: str, ref: str) -> Any:
    node: Any = load_schema(kind)
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _jsonschema_valid(kind: str, doc: Any) -> bool:
    return bool(_jsonschema(kind).is_valid(doc))


@cache
def _jsonschema(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


def _show(cases: list[tuple[Any, bool]]) -> str:
    return "; ".join(
        f"jsonschema-valid={valid}: {json.dumps(doc, default=str)[:300]}" for doc, valid in cases
    )
