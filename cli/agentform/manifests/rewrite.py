"""Writing new values into a manifest file, keeping its comments and layout.

Used by `apply --refresh-only`. A field that exists is replaced in place; a new one is
inserted where `fmt` would put it; a removed one is deleted. Written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentform.manifests.fmt import ORDER, format_text, round_trip_yaml
from agentform.plan.fielddiff import ABSENT


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
