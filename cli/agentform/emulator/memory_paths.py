"""Memory paths: validation, and the tree view `memories.list` gives with `depth`.

A path (SDK docstring) starts with `/`, has 1 to 20 non-empty segments, none `.` or
`..`, no control or format characters and no U+2028 / U+2029, is in Unicode NFC and at
most 1,024 bytes. A `path_prefix` starts and ends with `/` and matches whole segments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from agentform.emulator.errors import invalid_request

MAX_PATH_BYTES = 1024
MAX_SEGMENTS = 20


class Item(NamedTuple):
    """One list entry: a memory row, or a `memory_prefix` marker (`row` is None)."""

    path: str
    row: tuple[str, str] | None  # (basic body, content)


def check_path(path: str, field: str = "path") -> None:
    problem = _path_problem(path)
    if problem:
        raise invalid_request(f"{field}: {problem}")


def check_prefix(prefix: str) -> None:
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise invalid_request("path_prefix: must start and end with '/' (e.g. '/notes/')")
    if prefix != "/" and _path_problem(prefix[:-1]):
        raise invalid_request(f"path_prefix: {_path_problem(prefix[:-1])}")


def tree(rows: Iterable[tuple[str, str, str]], prefix: str, depth: int) -> list[Item]:
    """Items under `prefix`, in path order; with `depth` > 0, deeper memories roll up into
    one `memory_prefix` per directory at that depth. `rows`: (path, body, content) sorted."""
    items: list[Item] = []
    for path, body, content in rows:
        segments = path[len(prefix) :].split("/")
        if depth == 0 or len(segments) <= depth:
            items.append(Item(path, (body, content)))
            continue
        marker = prefix + "/".join(segments[:depth]) + "/"
        if not items or items[-1].path != marker:
            items.append(Item(marker, None))
    return items


def after(items: list[Item], cursor: str) -> list[Item]:
    """The items a page resumes with after the item at `cursor` (a path or a marker)."""
    return [
        item
        for item in items
        if item.path > cursor and not (cursor.endswith("/") and item.path.startswith(cursor))
    ]


def _path_problem(path: str) -> str | None:
    if not path.startswith("/"):
        return "must start with '/'"
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        return f"must be at most {MAX_PATH_BYTES} bytes"
    segments = path[1:].split("/")
    if len(segments) > MAX_SEGMENTS:
        return f"must have at most {MAX_SEGMENTS} segments"
    if any(s in ("", ".", "..") for s in segments):
        return "segments must be non-empty and not '.' or '..'"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in path):
        return "must not contain control, format or line/paragraph separator characters"
    if not unicodedata.is_normalized("NFC", path):
        return "must be in Unicode Normalization Form C"
    return None
