"""`moved.yaml`: resources renamed by renaming their files (Terraform's `moved` blocks).

A pull request that renames `agents/triage.yaml` to `agents/support.yaml` would plan as
archive triage + create support. An entry in the estate's top-level `moved.yaml` says it
is the same resource under a new key::

    - from: agent/triage        # KIND/KEY, or KEY when `to` names one kind's manifest
      to: agent/support

`plan` then shows `> agent support: moved from triage`, and `apply` renames the pin and
the server marker (`agentform.key`) instead: same id, same versions. An entry whose move
is done is inert (delete it when you like). Every problem is a `path:line` error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentform.catalog import each_with_article
from agentform.errors import ManifestError
from agentform.kinds import BY_NAME
from agentform.manifests.schemas import KEY_PATTERN
from agentform.manifests.yamlsrc import FieldPath, Source, load_yaml

FILE_NAME = "moved.yaml"
FIELDS = ("from", "to")
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Move:
    """The resource of `kind` once called `old` is now called `new`."""

    kind: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.kind} {self.old} -> {self.new}"


Manifests = Mapping[str, Mapping[str, Any]]  # kind -> key -> manifest


def moved_path(root: Path) -> Path:
    return root / FILE_NAME


def load_moves(root: Path, manifests: Manifests, errors: list[ManifestError]) -> tuple[Move, ...]:
    """The entries of `root/moved.yaml` (none when there is no such file); problems are
    appended to `errors`, each at its line."""
    path = moved_path(root)
    if not path.is_file():
        return ()
    try:
        data, source = load_yaml(path)
    except ManifestError as exc:
        errors.append(exc)
        return ()
    if data is None:
        return ()
    if not isinstance(data, list):
        errors.append(source.error((), "expected a list of {from: KIND/KEY, to: KIND/KEY}"))
        return ()
    found: list[tuple[int, Move]] = []
    for index, entry in enumerate(data):
        move = _entry(entry, (index,), source, manifests, errors)
        if move is not None:
            found.append((index, move))
    errors.extend(_conflicts(found, source))
    return tuple(move for _, move in found)


def parse_address(text: str) -> tuple[str | None, str]:
    """`agent/triage` -> ("agent", "triage"); `triage` -> (None, "triage")."""
    kind_name, _, key = text.rpartition("/")
    return (kind_name or None), key


def address_problem(text: str) -> str | None:
    """Why `text` is not `KIND/KEY` or `KEY`, or None."""
    kind_name, key = parse_address(text)
    if kind_name is not None and kind_name not in BY_NAME:
        return f"unknown kind {kind_name!r} (one of {', '.join(BY_NAME)})"
    if not _KEY.match(key):
        return (
            f"{key!r} is not a valid key: use lowercase letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    return None


def _entry(
    entry: Any, at: FieldPath, source: Source, manifests: Manifests, errors: list[ManifestError]
) -> Move | None:
    if not isinstance(entry, dict) or set(FIELDS) - set(entry):
        errors.append(source.error(at, "expected {from: KIND/KEY, to: KIND/KEY}"))
        return None
    problems = [
        source.error((*at, name), f"unknown field {name!r} (expected from and to)")
        for name in entry
        if name not in FIELDS
    ]
    for name in FIELDS:
        value = entry[name]
        problem = address_problem(value) if isinstance(value, str) else "expected KIND/KEY"
        if problem is not None:
            problems.append(source.error((*at, name), problem))
    if problems:
        errors.extend(problems)
        return None
    return _resolved(entry["from"], entry["to"], at, source, manifests, errors)


def _resolved(
    old: str, new: str, at: FieldPath, source: Source, manifests: Manifests, errors: list[Any]
) -> Move | None:
    (old_kind, old_key), (new_kind, new_key) = parse_address(old), parse_address(new)
    if old_kind and new_kind and old_kind != new_kind:
        errors.append(source.error((*at, "to"), f"a move keeps its kind ({old_kind} here)"))
        return None
    kind_name = old_kind or new_kind or _kind_of(new_key, manifests)
    if kind_name is None:
        owners = [k for k in BY_NAME if new_key in manifests.get(k, {})]
        errors.append(source.error((*at, "to"), _no_kind(new_key, owners)))
        return None
    problem = _problem(kind_name, old_key, new_key, manifests)
    if problem is not None:
        errors.append(source.error((*at, problem[0]), problem[1]))
        return None
    return Move(kind_name, old_key, new_key)


def _kind_of(key: str, manifests: Manifests) -> str | None:
    owners = [k for k in BY_NAME if key in manifests.get(k, {})]
    return owners[0] if len(owners) == 1 else None


def _no_kind(key: str, owners: list[str]) -> str:
    if owners:
        both = each_with_article(owners)
        return f"{key} is both {both} manifest: write KIND/{key} (e.g. {owners[0]}/{key})"
    return f"no manifest has the key {key!r}: rename the file first, then say where it came from"


def _problem(kind_name: str, old: str, new: str, manifests: Manifests) -> tuple[str, str] | None:
    of = BY_NAME[kind_name]
    here = manifests.get(kind_name, {})
    if old == new:
        return "to", f"{kind_name} {old} moves to itself"
    if new not in here:
        return "to", f"no {kind_name} manifest {new!r} ({of.plural}/{new}): the move's target"
    if old in here:
        return "from", (
            f"{here[old].path} still exists: a moved resource has one manifest, under its new "
            "key (rename the file, or drop this entry)"
        )
    return None


def _conflicts(moves: list[tuple[int, Move]], source: Source) -> Iterator[ManifestError]:
    """Each key moves at most once, and two keys never move to one. (A chain, a -> b and
    b -> c, cannot pass: b would need a manifest as a target and none as a source.)"""
    olds: set[tuple[str, str]] = set()
    news: set[tuple[str, str]] = set()
    for index, move in moves:
        if (move.kind, move.old) in olds:
            yield source.error((index, "from"), f"{move.kind} {move.old} already moves above")
        if (move.kind, move.new) in news:
            yield source.error((index, "to"), f"{move.kind} {move.new} is already a target above")
        olds.add((move.kind, move.old))
        news.add((move.kind, move.new))
