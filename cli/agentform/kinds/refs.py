"""Manifests name other managed resources by key; apply resolves a key to its pin.

Anywhere a manifest takes the id of a managed kind, it may write `{<kind>: <key>}`
instead: a sub-agent `{agent: researcher}` in a roster or `predefined_agents`, a skill
`{skill: lookup}`. The key resolves to the **pinned** id and version (never "latest"),
in the shape the API wants there (`Kind.reference`). When this plan moves that pin (a
new version, a create), the value is not known yet: it becomes a placeholder,
`{"$after_apply": {"kind": "agent", "key": "researcher", "field": "version"}}`, which
apply fills in once the dependency is done (apply runs dependencies first). JSON all
the way, so placeholders survive saved plans and render as what they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from agentform.manifests.yamlsrc import FieldPath

AFTER_APPLY = "$after_apply"
# User data: `{agent: x}` there is just data (a skill's `files` and `texts` map paths).
FREE_FORM = frozenset({"metadata", "files", "texts"})


@dataclass(frozen=True)
class Ref:
    """`{<kind>: <key>}` found in a manifest, at `at`."""

    kind: str
    key: str
    at: FieldPath


Target = tuple[str, str]  # (kind, key)
# What a key resolves to: its pin's (id, version), either of which may be a placeholder.
Resolved = tuple[Any, Any]
Lookup = Callable[[str, str], Resolved | None]


def find(value: Any, kinds: Mapping[str, object], at: FieldPath = ()) -> Iterator[Ref]:
    """Every `{<kind>: <key>}` in `value` whose kind is in `kinds`."""
    if isinstance(value, dict):
        ref = _as_ref(value, kinds)
        if ref is not None:
            yield Ref(ref[0], ref[1], at)
            return
        for name, child in value.items():
            if not (at == () and name in FREE_FORM):
                yield from find(child, kinds, (*at, name))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from find(child, kinds, (*at, index))


def resolve(
    value: Any,
    kinds: Mapping[str, Callable[[Any, Any], dict[str, Any]]],
    lookup: Lookup,
    top: bool = True,
) -> Any:
    """`value` with each reference replaced by `kinds[kind](id, version)`; a reference
    `lookup` cannot resolve is left as written (validate reports it)."""
    if isinstance(value, dict):
        ref = _as_ref(value, kinds)
        if ref is not None:
            found = lookup(*ref)
            return value if found is None else kinds[ref[0]](*found)
        return {
            name: child if top and name in FREE_FORM else resolve(child, kinds, lookup, False)
            for name, child in value.items()
        }
    if isinstance(value, list):
        return [resolve(child, kinds, lookup, False) for child in value]
    return value


def placeholder(kind: str, key: str, field: str) -> dict[str, Any]:
    return {AFTER_APPLY: {"kind": kind, "key": key, "field": field}}


def is_placeholder(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {AFTER_APPLY}


def has_placeholders(value: Any) -> bool:
    if is_placeholder(value):
        return True
    if isinstance(value, dict):
        return any(has_placeholders(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholders(v) for v in value)
    return False


def fill(value: Any, known: Callable[[str, str, str], Any]) -> Any:
    """`value` with every placeholder replaced by `known(kind, key, field)`."""
    if is_placeholder(value):
        spec = value[AFTER_APPLY]
        return known(spec["kind"], spec["key"], spec["field"])
    if isinstance(value, dict):
        return {name: fill(child, known) for name, child in value.items()}
    if isinstance(value, list):
        return [fill(child, known) for child in value]
    return value


def describe(value: Any) -> str | None:
    """How a placeholder reads in a plan: `(researcher's new version)`."""
    if not is_placeholder(value):
        return None
    spec = value[AFTER_APPLY]
    what = "id" if spec["field"] == "id" else "version"
    return f"({spec['kind']} {spec['key']}'s new {what}, after apply)"


def _as_ref(value: Mapping[str, Any], kinds: Mapping[str, object]) -> Target | None:
    if len(value) != 1:
        return None
    ((name, key),) = value.items()
    if name in kinds and isinstance(key, str):
        return name, key
    return None


def readable(value: Any) -> Any:
    """`value` with each placeholder replaced by the sentence `describe` gives it."""
    text = describe(value)
    if text is not None:
        return text
    if isinstance(value, dict):
        return {name: readable(child) for name, child in value.items()}
    if isinstance(value, list):
        return [readable(child) for child in value]
    return value


def moves(found: list[Ref], before: Any, after: Any) -> list[str]:
    """How each reference moves between two specs of the same manifest (the server's and
    the desired one): `agent triage v4 -> v3 (follows pins)`, for references that resolve
    to a version (an id alone moving shows as a field change)."""
    lines = []
    for ref in found:
        old, new = _at(before, ref.at), _at(after, ref.at)
        if not (isinstance(old, dict) and isinstance(new, dict)) or old == new:
            continue
        if "version" not in old or "version" not in new:
            continue
        target = "a new version" if is_placeholder(new["version"]) else f"v{new['version']}"
        if old.get("id") != new.get("id") and not is_placeholder(new.get("id")):
            target = f"{new.get('id')} {target}"
        lines.append(f"{ref.kind} {ref.key} v{old['version']} -> {target} (follows pins)")
    return lines


def _at(value: Any, at: FieldPath) -> Any:
    for part in at:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value
