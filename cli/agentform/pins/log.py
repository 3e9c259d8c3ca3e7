"""`agentform pins log`: the history of pin moves, from git's history of the pins file.

Each commit that touched the file is compared with its first parent: a pin that moved
shows as `v1 -> v2`, a rollback as a move back (`v2 -> v1`), a new pin as `new -> v1`,
a removed one as `v3 -> removed`. Blobs are read in one `git cat-file --batch`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agentform import pins as pinsfile
from agentform.errors import AgentformError, UserError
from agentform.pins.model import SECTIONS, Pin, Pins, Version, label

_SEP = "\x1f"


@dataclass(frozen=True)
class Move:
    commit: str
    date: str
    author: str
    subject: str
    kind: str
    key: str
    before: str  # "v1", an env id, or "new"
    after: str  # "v2", an env id, or "removed"
    back: bool  # a rollback: the version went down


def pin_log(pins_path: Path, key: str | None = None) -> list[Move]:
    """Every pin move in the file's git history, newest first."""
    root = _git_root(pins_path)
    relative = pins_path.resolve().relative_to(root).as_posix()
    commits = _commits(root, relative)
    blobs = _blobs(
        root, [f"{c[0]}:{relative}" for c in commits] + [f"{c[0]}^:{relative}" for c in commits]
    )
    moves = []
    for sha, date, author, subject in commits:
        after, before = (
            _parse(blobs.get(f"{sha}:{relative}")),
            _parse(blobs.get(f"{sha}^:{relative}")),
        )
        for move in _moves(before, after):
            if key is None or move[1] == key:
                moves.append(Move(sha[:10], date, author, subject, *move))
    return moves


def _git(root: Path, *args: str, stdin: str | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], input=stdin, capture_output=True, text=True, check=True
        )
    except FileNotFoundError:
        raise UserError("pins log needs git, and git is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise UserError(f"git {args[0]} failed: {exc.stderr.strip()}") from None
    return done.stdout


def _git_root(path: Path) -> Path:
    directory = path.resolve().parent
    if not directory.exists():
        raise UserError(f"{path.parent} does not exist")
    try:
        return Path(_git(directory, "rev-parse", "--show-toplevel").strip())
    except UserError:
        raise UserError(
            f"{path} is not in a git repository: pins log reads its git history"
        ) from None


def _commits(root: Path, relative: str) -> list[tuple[str, str, str, str]]:
    fmt = _SEP.join(("%H", "%ad", "%an", "%s"))
    text = _git(root, "log", f"--format={fmt}", "--date=format:%Y-%m-%d %H:%M", "--", relative)
    return [tuple(line.split(_SEP, 3)) for line in text.splitlines() if line]  # type: ignore[misc]


def _blobs(root: Path, specs: list[str]) -> dict[str, str]:
    """Contents of `<rev>:<path>` for each spec, in one git process; absent ones omitted."""
    if not specs:
        return {}
    raw = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input="\n".join(specs).encode() + b"\n",
        capture_output=True,
        check=True,
    ).stdout
    found, offset = {}, 0
    for spec in specs:
        header_end = raw.index(b"\n", offset)
        header = raw[offset:header_end].decode()
        offset = header_end + 1
        if header.endswith("missing"):
            continue
        size = int(header.rsplit(" ", 1)[1])
        found[spec] = raw[offset : offset + size].decode("utf-8", errors="replace")
        offset += size + 1
    return found


def _parse(text: str | None) -> Pins:
    if text is None:
        return Pins()
    try:
        return pinsfile.loads(text)
    except AgentformError:
        return Pins()  # an unparsable revision (e.g. a committed conflict): nothing to compare


def _moves(before: Pins, after: Pins) -> Iterator[tuple[str, str, str, str, bool]]:
    for section in SECTIONS:
        kind = section.removesuffix("s")
        olds, news = before.section(section), after.section(section)
        for key in sorted(set(olds) | set(news)):
            moved = _move(olds.get(key), news.get(key))
            if moved is not None:
                yield (kind, key, *moved)


def _move(old: Pin | None, new: Pin | None) -> tuple[str, str, bool] | None:
    if old == new or (old and new and (old.id, old.version) == (new.id, new.version)):
        return None
    if (old or new) and (old or new).version is None:  # type: ignore[union-attr]
        return (old.id if old else "new", new.id if new else "removed", False)
    was = label(old.version) if old else "new"
    now = label(new.version) if new else "removed"
    if old and new and old.id != new.id:
        was, now = f"{old.id} {label(old.version)}", f"{new.id} {label(new.version)}"
    back = bool(old and new and old.id == new.id and _older(new.version, old.version))
    return was, now, back


def _older(new: Version | None, old: Version | None) -> bool:
    """A move to a lower version number; version ids (skills) have no order to read."""
    return isinstance(new, int) and isinstance(old, int) and new < old
