"""YAML that remembers where everything came from.

`load_yaml` parses one document into plain Python data plus a `Source`: the line and
column of every mapping key and value, so errors can say `path:line:col: field: ...`.
Duplicate keys (which PyYAML silently collapses) and unresolved git merge-conflict
markers are errors. Only PyYAML is imported: the caller API depends on this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agentform.errors import ManifestError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)")
_MARKERS = ("<" * 7, "=" * 7, ">" * 7, "|" * 7)
FieldPath = tuple[str | int, ...]
NODE_BUDGET = 10_000  # nodes a file may build beyond one per character of its text


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Source:
    """Positions of every node of one parsed file, keyed by field path."""

    path: Path
    keys: dict[FieldPath, Position] = field(default_factory=dict)
    values: dict[FieldPath, Position] = field(default_factory=dict)

    def locate(self, at: FieldPath) -> Position | None:
        """The key's position (where a person looks), else the value's, else the parent's."""
        for depth in range(len(at), -1, -1):
            prefix = at[:depth]
            found = self.keys.get(prefix) or self.values.get(prefix)
            if found:
                return found
        return None

    def error(self, at: FieldPath, message: str) -> ManifestError:
        where = self.locate(at)
        return ManifestError(
            path=self.path,
            line=where.line if where else None,
            column=where.column if where else None,
            field=format_field(at) or None,
            message=message,
        )


def format_field(at: Iterable[str | int]) -> str:
    """('tools', 0, 'name') -> 'tools[0].name'"""
    text = ""
    for part in at:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def find_conflict_markers(text: str) -> int | None:
    """The 1-based line of the first git merge-conflict marker, if any."""
    if not any(marker in text for marker in _MARKERS):
        return None  # the common case, without splitting the text into lines
    for number, line in enumerate(text.splitlines(), start=1):
        if _CONFLICT.match(line):
            return number
    return None


def load_yaml(path: Path, text: str | None = None) -> tuple[Any, Source]:
    """Parse one YAML document; raise ManifestError (with line) on anything malformed."""
    if text is None:
        text = read_text(path)
    source = Source(path)
    marker = find_conflict_markers(text)
    if marker is not None:
        raise ManifestError(
            path=path,
            line=marker,
            column=1,
            message="unresolved git merge-conflict marker; resolve the conflict first",
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        budget = NODE_BUDGET + len(text)  # each node costs at least a character, unless aliased
        data = _Builder(loader, source, budget).build(node, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(path, exc) from None
    except yaml.YAMLError as exc:
        raise ManifestError(path=path, message=f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, source


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            path=path, message=f"not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    except OSError as exc:
        raise ManifestError(path=path, message=f"cannot read: {exc.strerror}") from None


def _yaml_error(path: Path, exc: yaml.MarkedYAMLError) -> ManifestError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "malformed YAML"
    if exc.context and exc.problem:
        problem = f"{exc.problem} ({exc.context})"
    return ManifestError(
        path=path,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        message=f"invalid YAML: {problem}",
    )


class _Builder:
    """Turns a composed node tree into data, recording positions and refusing duplicates.

    YAML aliases let a few bytes name the same subtree again and again (a "billion
    laughs" file of 338 bytes expands to gigabytes); the builder counts the nodes it
    makes and stops at a budget proportional to the file's size.
    """

    def __init__(self, loader: yaml.SafeLoader, source: Source, budget: int) -> None:
        self._loader = loader
        self._source = source
        self._budget = budget

    def build(self, node: yaml.Node, at: FieldPath) -> Any:
        self._budget -= 1
        if self._budget < 0:
            raise ManifestError(
                path=self._source.path,
                line=node.start_mark.line + 1,
                field=format_field(at) or None,
                message="YAML aliases expand this file beyond any sensible size; "
                "write the values out instead of using anchors (&) and aliases (*)",
            )
        self._source.values.setdefault(at, _position(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*at, index)) for index, item in enumerate(node.value)]
        return self._loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, at: FieldPath) -> dict[Any, Any]:
        self._loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._loader.construct_object(key_node, deep=True)
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise ManifestError(
                    path=self._source.path,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    field=format_field(at) or None,
                    message=f"mapping key {key!r} is not a string; quote it",
                )
            key = str(key)
            child = (*at, key)
            if key in result:
                first = self._source.keys[child].line
                raise ManifestError(
                    path=self._source.path,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    field=format_field(child),
                    message=f"duplicate key (first defined on line {first})",
                )
            self._source.keys[child] = _position(key_node)
            result[key] = self.build(value_node, child)
        return result


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)
