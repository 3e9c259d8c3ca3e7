"""Check parsed YAML against a kind's JSON Schema; explain each failure at its line.

jsonschema reports a bad tool as "not valid under any of the given schemas". People
want "tools[2].description: required field is missing", so unions are resolved the way
the API does it: by the `type` discriminator (or the value's JSON type), and the errors
of the one branch that applies are explained instead.

jsonschema is slow (~60 µs a manifest), so a document first meets its schema compiled to
Python at build time (agentform._validators, see schemagen/fastcheck.py; ~3 µs), and only
one that fails it is checked, and explained, by jsonschema.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentform.errors import ManifestError
from agentform.manifests.schemas import load_schema
from agentform.manifests.yamlsrc import FieldPath, Source, load_yaml

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}
_SCHEMA_TYPES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


def load_document(
    path: Path, kind: str, errors: list[ManifestError], text: str | None = None
) -> tuple[dict[str, Any], Source, list[ManifestError]] | None:
    """Parse a YAML file (or its YAML `text`) that must be a mapping, and check it against
    its kind's schema.

    A file that cannot be parsed, or is not a mapping, is reported in `errors` and gives
    None; otherwise the data, its positions and its schema problems are returned.
    """
    try:
        data, source = load_yaml(path, text)
    except ManifestError as exc:
        errors.append(exc)
        return None
    if not isinstance(data, dict):
        errors.append(ManifestError(path=path, line=1, message="expected a mapping of fields"))
        return None
    return data, source, schema_errors(data, kind, source)


def schema_errors(data: Any, kind: str, source: Source) -> list[ManifestError]:
    if _passes_compiled_check(data, kind):
        return []
    validator = _validator(kind)
    found = []
    root: dict[str, Any] = load_schema(kind)
    for error in validator.iter_errors(data):
        for at, message in _explain(error, root):
            found.append(source.error(at, message))
    return found


def _passes_compiled_check(data: Any, kind: str) -> bool:
    """The schema compiled to Python (agentform._validators): ~20x faster than jsonschema,
    and valid there implies valid here. Invalid, or anything unexpected, is left to
    jsonschema, which explains each error."""
    try:
        _compiled_check(kind)(data)
    except Exception:
        return False
    return True


@cache
def _compiled_check(kind: str) -> Callable[[Any], object]:
    module = import_module(f"agentform._validators.{kind}")
    check: Callable[[Any], object] = module.validate
    return check


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


def _explain(error: ValidationError, root: dict[str, Any]) -> Iterator[tuple[FieldPath, str]]:
    at: FieldPath = tuple(error.absolute_path)
    keyword, expected, instance, schema = _parts(error)
    if "propertyNames" in error.relative_schema_path:
        yield (*at, str(error.instance)), "key " + _with_hint("", error)
    elif keyword in ("anyOf", "oneOf"):
        yield from _explain_union(error, root, at)
    elif keyword == "additionalProperties" and expected is False:
        allowed = sorted(schema.get("properties", {}))
        for extra in sorted(set(instance) - set(allowed)):
            yield (*at, extra), _unknown_field(extra, allowed)
    elif keyword == "required":
        for name in expected:
            if name not in instance:
                yield (*at, name), "required field is missing"
    else:
        yield at, _with_hint(_describe(error), error)


def _explain_union(
    error: ValidationError, root: dict[str, Any], at: FieldPath
) -> Iterator[tuple[FieldPath, str]]:
    if not error.context:
        yield at, "matches more than one of the allowed forms; make it unambiguous"
        return
    by_branch: dict[int, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        by_branch[int(sub.relative_schema_path[0])].append(sub)
    tags = _discriminators([_resolve(b, root) for b in _parts(error)[1]])
    fitting = [i for i in sorted(by_branch) if not any(_wrong_kind(e, tags) for e in by_branch[i])]
    if len(fitting) == 1:
        for sub in by_branch[fitting[0]]:
            yield from _explain(sub, root)
        return
    if fitting:
        from jsonschema.exceptions import best_match

        best = best_match(e for i in fitting for e in by_branch[i])
        if best is not None:
            yield from _explain(best, root)
            return
    yield from _no_branch_fits(error, root, at)


def _discriminators(branches: list[dict[str, Any]]) -> set[str]:
    """Properties every branch of a union pins to a constant: `type`, or `name` for the
    toolset's per-tool configs. A mismatch there means "another branch", not an error."""
    tags = {"type"}
    keyed = [b.get("properties", {}) for b in branches if b.get("type") == "object"]
    if keyed:
        shared = set.intersection(*(set(p) for p in keyed))
        tags |= {name for name in shared if all("const" in p[name] for p in keyed)}
    return tags


def _tag_in(instance: Any, tags: set[str]) -> str:
    """The discriminator to talk about: `type`, unless the value names another one."""
    given = sorted(t for t in tags if isinstance(instance, dict) and t in instance)
    return "type" if "type" in given or not given else given[0]


def _wrong_kind(error: ValidationError, tags: set[str]) -> bool:
    """True when the error says the value is a different kind of thing than this branch."""
    path = list(error.relative_path)
    if not path and error.validator in ("type", "const", "enum"):
        return True
    return len(path) == 1 and path[0] in tags and error.validator in ("const", "enum")


def _no_branch_fits(
    error: ValidationError, root: dict[str, Any], at: FieldPath
) -> Iterator[tuple[FieldPath, str]]:
    _, alternatives, instance, _ = _parts(error)
    branches = [_resolve(b, root) for b in alternatives]
    tag = _tag_in(instance, _discriminators(branches))
    tags = [b.get("properties", {}).get(tag, {}).get("const") for b in branches]
    if isinstance(instance, dict) and all(tags):
        got = instance.get(tag)
        expected = ", ".join(repr(t) for t in tags)
        if got is None:
            yield (*at, tag), f"required field is missing (one of {expected})"
        else:
            yield (*at, tag), f"unknown {tag} {got!r}; expected one of {expected}"
        return
    allowed = [v for b in branches if _same_type(b, instance) for v in _values(b)]
    if allowed:
        expected = ", ".join(repr(v) for v in allowed)
        yield at, f"expected one of {expected}, got {_short(instance)}"
        return
    kinds = _dedupe(_SCHEMA_TYPES.get(str(b.get("type")), "an object") for b in branches)
    yield at, f"expected {' or '.join(kinds)}, got {_json_type(instance)}"


def _same_type(branch: dict[str, Any], instance: Any) -> bool:
    return _SCHEMA_TYPES.get(str(branch.get("type"))) == _json_type(instance)


def _values(branch: dict[str, Any]) -> list[Any]:
    if "enum" in branch:
        return list(branch["enum"])
    return [branch["const"]] if "const" in branch else []


def _describe(error: ValidationError) -> str:
    keyword, expected, instance, _ = _parts(error)
    if keyword == "type":
        names = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(_SCHEMA_TYPES.get(n, n) for n in names)
        hint = "; quote it" if "string" in names and not isinstance(instance, dict | list) else ""
        return f"expected {wanted}, got {_json_type(instance)}{hint}"
    if keyword == "const":
        return f"expected {expected!r}, got {_short(instance)}"
    if keyword == "enum":
        return f"expected one of {', '.join(repr(v) for v in expected)}, got {_short(instance)}"
    if keyword in ("maxLength", "minLength"):
        bound = "at most" if keyword == "maxLength" else "at least"
        return f"is {len(instance):,} characters long; {bound} {expected:,} allowed"
    if keyword in ("maxItems", "minItems", "maxProperties", "minProperties"):
        bound = "at most" if keyword.startswith("max") else "at least"
        return f"has {len(instance)} entries; {bound} {expected} allowed"
    if keyword == "pattern":
        return f"{_short(instance)} does not match the pattern {expected}"
    if keyword == "not":
        return "is not allowed"
    return _clip(error.message, 200)


def _with_hint(message: str, error: ValidationError) -> str:
    """Append the schema's `x-hint` (agentform's explanation of a limit), if any."""
    schema = _parts(error)[3]
    hint = schema.get("x-hint") if isinstance(schema, dict) else None
    if not message:
        return hint or _describe(error)
    return f"{message} ({hint})" if hint else message


def _parts(error: ValidationError) -> tuple[str, Any, Any, Any]:
    """keyword, the keyword's value, the failing instance, the failing (sub)schema."""
    return str(error.validator), error.validator_value, error.instance, error.schema


def _unknown_field(name: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    suggestion = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field; {suggestion}expected one of: {', '.join(allowed)}"


def _resolve(branch: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = branch.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return branch
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return dict(node)


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    return _clip(repr(value), 60)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dedupe(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))
