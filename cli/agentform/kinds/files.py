"""Files a manifest names (a prompt, a skill's files): read safely, or not at all.

A manifest is reviewed text, but the file it names is read by every command and its
content ends up in plans that CI posts publicly. So before anything is read, the path
must resolve (after symlinks) inside the estate, be a regular file (not a FIFO that
hangs, not /dev/zero that never ends) and be no larger than its limit; and a text file
must be UTF-8 (a skill's files may be binary: `read_estate_bytes`).
"""

from __future__ import annotations

import stat
from pathlib import Path


class FileProblem(Exception):
    """Why a named file cannot be used; the message is for a person."""


def read_estate_file(
    root: Path, base: Path, name: str, *, limit: int, what: str
) -> tuple[Path, str]:
    """Read `name` (relative to `base`) as UTF-8 text, only if it is safe to.

    `limit` is in bytes; `what` names the file in messages ("prompt file").
    """
    path, raw = read_estate_bytes(root, base, name, limit=limit, what=what)
    try:
        return path, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"{what} {name} is not UTF-8 (bad byte at offset {exc.start})") from None


def read_estate_bytes(
    root: Path, base: Path, name: str, *, limit: int, what: str
) -> tuple[Path, bytes]:
    """Read `name` (relative to `base`) as bytes, only if it is safe to (see above)."""
    path = (base / name).resolve()
    estate = root.resolve()
    if not path.is_relative_to(estate):
        raise FileProblem(
            f"{what} {name} resolves to {path}, outside the estate {estate}; "
            "files a manifest names must live in the estate"
        )
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileProblem(f"{what} {name} not found (looked in {path})") from None
    except OSError as exc:
        raise FileProblem(f"cannot read {what} {name}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"{what} {name} is {_describe(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        raise FileProblem(f"{what} {name} is {info.st_size:,} bytes; the limit is {limit:,}")
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise FileProblem(f"cannot read {what} {name}: {exc.strerror}") from None
    if len(raw) > limit:
        raise FileProblem(f"{what} {name} is larger than the limit of {limit:,} bytes")
    return path, raw


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"
