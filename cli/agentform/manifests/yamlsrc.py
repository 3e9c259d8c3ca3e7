"""YAML that remembers where everything came from.

`load_yaml` parses one document into plain Python data plus a `Source`: the line and
column of every mapping key and value, so errors can say `path:line:col: field: ...`.
Duplicate keys (which PyYAML silently collapses) and unresolved git merge-conflict
markers are errors. Only PyYAML is imported: the caller API depends on this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from agentform.errors import ManifestError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)")
_MARKERS = ("<" * 7, "=" * 7, ">" * 7, "|" * 7)
_STR = "tag:yaml.org,2002:str"
FieldPath = tuple[str | int, ...]
NODE_BUDGET = 10_000  # nodes a file may build beyond one per character of its text


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


class _Mark(Protocol):
    """Where PyYAML saw a node start (0-based)."""

    line: int
    column: int


class _Positions(Mapping[FieldPath, Position]):
    """Field path -> Position, over the marks PyYAML already made (a Position is built
    only when asked for: most files are never asked)."""

    def __init__(self, marks: dict[FieldPath, _Mark]) -> None:
        self._marks = marks

    def __getitem__(self, at: FieldPath) -> Position:
        mark = self._marks[at]
        return Position(mark.line + 1, mark.column + 1)

    def __contains__(self, at: object) -> bool:
        return at in self._marks

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._marks)

    def __len__(self) -> int:
        return len(self._marks)


@dataclass
class Source:
    """Positions of every node of one parsed file, keyed by field path."""

    path: Path
    key_marks: dict[FieldPath, _Mark] = field(default_factory=dict, repr=False)
    value_marks: dict[FieldPath, _Mark] = field(default_factory=dict, repr=False)

    @property
    def keys(self) -> Mapping[FieldPath, Position]:
        return _Positions(self.key_marks)

    @property
    def values(self) -> Mapping[FieldPath, Position]:
        return _Positions(self.value_marks)

    def locate(self, at: FieldPath) -> Position | None:
        """The key's position (where a person looks), else the value's, else the parent's."""
        for depth in range(len(at), -1, -1):
            prefix = at[:depth]
            found = self.key_marks.get(prefix, self.value_marks.get(prefix))
            if found is not None:
                return Position(found.line + 1, found.column + 1)
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
    """The file as `Path.read_text` gives it (universal newlines), at 2/3 of its cost."""
    try:
        with path.open("rb") as file:
            text = file.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            path=path, message=f"not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    except OSError as exc:
        raise ManifestError(path=path, message=f"cannot read: {exc.strerror}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


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

    `validate` builds every manifest of an estate: a plain string (most nodes) is taken
    as it is, without PyYAML's constructor machinery, and a position is only the mark
    PyYAML made anyway.
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
        if at not in self._source.value_marks:
            self._source.value_marks[at] = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self._construct(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*at, index)) for index, item in enumerate(node.value)]
        return self._construct(node)

    def _mapping(self, node: yaml.MappingNode, at: FieldPath) -> dict[Any, Any]:
        if any(key_node.tag != _STR for key_node, _ in node.value):
            self._loader.flatten_mapping(node)  # merge keys (<<) and value keys (=)
        marks = self._source.key_marks
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, at)
            child = (*at, key)
            if key in result:
                raise ManifestError(
                    path=self._source.path,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    field=format_field(child),
                    message=f"duplicate key (first defined on line {marks[child].line + 1})",
                )
            marks[child] = key_node.start_mark
            result[key] = self.build(value_node, child)
        return result

    def _key(self, node: yaml.Node, at: FieldPath) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            return str(node.value)
        key = self._construct(node)
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise ManifestError(
                path=self._source.path,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                field=format_field(at) or None,
                message=f"mapping key {key!r} is not a string; quote it",
            )
        return str(key)

    def _construct(self, node: yaml.Node) -> Any:
        return self._loader.construct_object(node, deep=True)
