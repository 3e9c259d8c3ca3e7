"""Writing new values into a manifest file, keeping its comments and layout.

Used by `apply --refresh-only`. A field that exists is replaced in place; a new one is
inserted where `fmt` would put it; a removed one is deleted. Written atomically.
`replace_key` changes one key where a file names it (`agentform mv`), every other
byte left as it is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from agentform.errors import UserError
from agentform.manifests.fmt import ORDER, format_text, round_trip_yaml
from agentform.plan.fielddiff import ABSENT

_KEY_CHAR = re.compile(r"[a-z0-9_-]")  # a key continues: `triage` is not `triage-v2`


def rewrite_manifest(path: Path, kind: str, updates: Mapping[str, Any]) -> None:
    yaml = round_trip_yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    for name, value in updates.items():
        if value is ABSENT:
            data.pop(name, None)
        elif name in data:
            data[name] = _styled(value)
        else:
            data.insert(_position(data, kind, name), name, _styled(value))
    out = io.StringIO()
    yaml.dump(data, out)
    write_text(path, format_text(out.getvalue(), kind))


def names_key(text: str, line: int, column: int, key: str) -> bool:
    """Whether the YAML scalar at 1-based `line`:`column` of `text` is `key` (plain or
    quoted)."""
    return _span(text, line, column, key) is not None


def replace_key(path: Path, spots: Iterable[tuple[int, int]], old: str, new: str) -> None:
    """Write `new` for the scalar `old` at each (line, column) of the file; a spot that
    does not hold `old` is an error (the file changed), and nothing is written then."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for line, column in sorted(set(spots), reverse=True):  # right to left: columns hold
        span = _span(text, line, column, old)
        if span is None:
            raise UserError(f"{path}:{line}:{column} no longer says {old!r}; nothing written")
        start, end = span
        row = lines[line - 1]
        lines[line - 1] = row[:start] + new + row[end:]
    write_text(path, "".join(lines))


def _span(text: str, line: int, column: int, key: str) -> tuple[int, int] | None:
    """Where `key` is in its line (without quotes), if the scalar at the spot is it."""
    rows = text.splitlines()
    if not 0 < line <= len(rows):
        return None
    row, start = rows[line - 1], column - 1
    quote = row[start : start + 1]
    if quote in ("'", '"'):
        inner = start + 1
        return (inner, inner + len(key)) if row[inner:].startswith(key + quote) else None
    end = start + len(key)
    if row[start:end] != key or _KEY_CHAR.match(row[end : end + 1]):
        return None
    return start, end


def write_text(path: Path, text: str) -> None:
    """Temp file + rename; a file that exists keeps its mode."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    if path.exists():
        temp.chmod(path.stat().st_mode & 0o777)
    temp.replace(path)


def _position(data: Any, kind: str, name: str) -> int:
    order = ORDER.get(kind, ())
    if name not in order:
        return len(data)
    before = set(order[: order.index(name)])
    keys = list(data)
    last = max((i for i, key in enumerate(keys) if key in before), default=-1)
    return last + 1


def _styled(value: Any) -> Any:
    """Multi-line strings as `|` blocks; everything else as ruamel writes it."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, dict):
        return {k: _styled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_styled(v) for v in value]
    return value
