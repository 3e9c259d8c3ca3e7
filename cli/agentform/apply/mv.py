"""`agentform mv OLD NEW`: rename a resource without recreating it (`terraform state mv`,
and the files too).

Everything that holds the key is renamed, nothing else: its files (`agents/<old>.yaml`,
a skill's directory, a memory store's seed directory: see `Kind.key_paths`) and every
place that names it (`{agent: old}` in a roster, `{skill: old}`, a deployment's `agent:
old`, an eval suite's `agent:`, a moved.yaml `to:`); then its pin in pins.yaml (id,
version and digest unchanged: one conditional change through the one writer); then the
marker (`agentform.key`) of the server objects marked with it or pinned under it.

Files first: after them the estate is what a rename in a pull request makes, which
`mv` finishes too. So when a later step fails (the server, say), the same `mv` again
does the rest; and `mv old new` after renaming the files by hand renames the pin and
the marker (as a moved.yaml entry and `apply` would).

An agent's marker update makes a new version with the same content (its metadata is
versioned); the pin stays on the version callers run (see plan.moves). `plan_move`
finds all this and writes nothing (`mv --dry-run` shows it); `run_move` does it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from agentform.apply.writes import RetryPolicy, update
from agentform.catalog import each_with_article
from agentform.errors import LookupKeyError, UserError
from agentform.kinds import KINDS, Kind, kind
from agentform.manifests import graph
from agentform.manifests.estate import Manifest
from agentform.manifests.moved import address_problem, moved_path, parse_address
from agentform.manifests.project import Project
from agentform.manifests.rewrite import names_key, replace_key
from agentform.manifests.yamlsrc import FieldPath, Source, format_field, load_yaml
from agentform.pins.edit import rename_pin
from agentform.pins.model import Pin
from agentform.pins.store import PinStore
from agentform.plan.moves import marker_body
from agentform.remote.client import Remote
from agentform.remote.state import ServerObject


@dataclass(frozen=True)
class Edit:
    """A place that names the key: the scalar at `line`:`column` of `path`."""

    path: Path
    line: int
    column: int
    field: str


@dataclass(frozen=True)
class Rename:
    """What `mv` does: found by `plan_move`, done by `run_move`."""

    kind: str
    old: str
    new: str
    objects: tuple[ServerObject, ...]  # whose marker becomes `new`
    pin: Pin | None  # the old key's pin, renamed as it is (None: none, or renamed already)
    paths: tuple[tuple[Path, Path], ...]  # files and directories renamed
    edits: tuple[Edit, ...]  # references rewritten


def plan_move(
    project: Project, remote: Remote, old: str, new: str, kind_name: str | None = None
) -> Rename:
    """Everything `mv` will do, or a UserError saying why it cannot; writes nothing."""
    of, old_key, new_key = _addresses(project, old, new, kind_name)
    manifest = project.estate.of_kind(of.name).get(old_key)
    renamed = manifest is None and new_key in project.estate.of_kind(of.name)
    if manifest is not None:
        _refuse_taken(project, of, new_key)
    pin = project.pins.get(of.plural, old_key)
    objects = _objects(remote, of, old_key, new_key, pin, renamed)
    if manifest is None and pin is None and not objects:
        known = set(project.estate.of_kind(of.name)) | set(project.pins.section(of.plural))
        raise LookupKeyError(kind=of.name, key=old_key, known=sorted(known), where="this estate")
    if pin is not None and project.pins.get(of.plural, new_key) is not None:
        raise UserError(f"{project.pins_path} pins both {of.name} {old_key} and {new_key}")
    paths = _paths(of, manifest.path if manifest else None, old_key, new_key)
    edits = tuple(_edits(project, of, old_key))
    if manifest is not None:
        own = _own_files(project, manifest, old_key, paths)
        paths += _paths_for(own, old_key, new_key)
        edits += tuple(_naming(manifest.path, own))
    _check_edits(edits, old_key)
    return Rename(of.name, old_key, new_key, tuple(objects), pin, paths, edits)


def run_move(project: Project, remote: Remote, rename: Rename) -> Rename:
    """Do it: the files, the pin, the markers. Returns the rename with the objects as
    the server marked them."""
    of = kind(rename.kind)
    PinStore(project.pins_path).check_writable()  # before the first write
    for path, edits in _by_file(rename.edits):
        replace_key(path, [(e.line, e.column) for e in edits], rename.old, rename.new)
    for source, target in rename.paths:
        source.rename(target)
    again = f"run `agentform mv {rename.kind}/{rename.old} {rename.new}` again to finish"
    if rename.pin is not None:
        expect = Pin(rename.pin.id, rename.pin.version)
        if not rename_pin(project.pins_path, of.plural, rename.old, rename.new, expect):
            raise UserError(
                f"{project.pins_path} changed meanwhile (the pin of {rename.old} or "
                f"{rename.new}); the files are renamed, the pin and marker not: check the "
                f"file, then {again}"
            )
    try:
        marked = tuple(_mark(remote, obj, rename.new) for obj in rename.objects)
    except UserError as exc:
        message = f"{exc}\nThe files and the pin are renamed, the marker not: {again}"
        raise UserError(message) from exc
    return replace(rename, objects=marked)


# -- what to rename ---------------------------------------------------------------------


def _addresses(
    project: Project, old: str, new: str, kind_name: str | None
) -> tuple[Kind, str, str]:
    """The kind and both keys, from `KIND/KEY` or `KEY` arguments and --kind."""
    for text in (old, new):
        problem = address_problem(text)
        if problem is not None:
            raise UserError(f"{text}: {problem}")
    (old_kind, old_key), (new_kind, new_key) = parse_address(old), parse_address(new)
    named = {k for k in (kind_name, old_kind, new_kind) if k is not None}
    if len(named) > 1:
        raise UserError(f"a resource keeps its kind when renamed ({', '.join(sorted(named))})")
    of = kind(named.pop()) if named else _kind_of(project, old_key, new_key)
    if old_key == new_key:
        raise UserError(f"{of.name} {old_key} already has that key")
    return of, old_key, new_key


def _kind_of(project: Project, key: str, new: str) -> Kind:
    """The kind that has `key` here; else (files renamed already) the one that has `new`."""
    found = [k for k in KINDS if _known_locally(project, k, key)]
    if not found:
        found = [k for k in KINDS if new in project.estate.of_kind(k.name)][:1]
    if len(found) > 1:
        names = each_with_article(k.name for k in found)
        raise UserError(
            f"{key} is both {names}: say which, as {found[0].name}/{key} or with --kind"
        )
    return found[0] if found else kind("agent")


def _known_locally(project: Project, of: Kind, key: str) -> bool:
    return key in project.estate.of_kind(of.name) or project.pins.get(of.plural, key) is not None


def _refuse_taken(project: Project, of: Kind, key: str) -> None:
    manifest = project.estate.of_kind(of.name).get(key)
    if manifest is not None:
        raise UserError(f"{of.name} {key} already exists ({manifest.path}); pick another key")
    if project.pins.get(of.plural, key) is not None:
        raise UserError(
            f"{project.pins_path} already pins {of.name} {key} (with no manifest: `plan` "
            f"archives it with --prune); pick another key, or `agentform forget` {key} first"
        )


def _objects(
    remote: Remote, of: Kind, old: str, new: str, pin: Pin | None, renamed: bool
) -> list[ServerObject]:
    """The live objects whose marker says `old`, and the one `pin` (the old key's) names:
    they get `new`. Refused when another object already carries `new`. (`renamed`: the
    files already say `new`; the pin may be renamed too, by a `mv` that stopped.)"""
    if not of.marked:
        return []  # a skill has no marker: its pin is its identity
    objects = remote.objects(of.name)
    moving = [o for o in objects if o.key == old or (pin is not None and o.id == pin.id)]
    if renamed and not any(o.key == old for o in moving):
        return []  # nothing marked with the old key: no rename left to finish here
    ids = {o.id for o in moving}
    taken = [o.id for o in objects if o.key == new and o.id not in ids]
    if taken:
        raise UserError(
            f"{', '.join(taken)} on the server already carries agentform.key={new}: pick "
            "another key, or adopt it (`agentform import`) or archive it first"
        )
    return moving


def _paths(of: Kind, manifest: Path | None, old: str, new: str) -> tuple[tuple[Path, Path], ...]:
    if manifest is None:
        return ()
    return _paths_for(of.key_paths(manifest), old, new)


def _paths_for(paths: Iterable[Path], old: str, new: str) -> tuple[tuple[Path, Path], ...]:
    pairs = tuple((p, p.with_name(new + p.name[len(old) :])) for p in paths)
    for _, target in pairs:
        if target.exists():
            raise UserError(f"{target} already exists; move it away or pick another key")
    return pairs


def _own_files(
    project: Project, manifest: Manifest, old: str, moving: tuple[tuple[Path, Path], ...]
) -> tuple[Path, ...]:
    """Files the manifest pulls in that are named after its key, beside it
    (`agents/triage.prompt.md`), and used by no other manifest: they are renamed with it.
    Files inside a directory that is renamed anyway (a skill's) are not."""
    directory = manifest.path.parent.resolve()
    renamed = [source.resolve() for source, _ in moving]
    shared = {f for m in project.estate if m is not manifest for f in m.files}
    return tuple(
        f
        for f in manifest.files
        if f.parent == directory
        and f.name.startswith(f"{old}.")
        and f not in shared
        and not any(d == f or d in f.parents for d in renamed)
    )


def _naming(manifest: Path, files: tuple[Path, ...]) -> Iterator[Edit]:
    """The manifest's fields that name one of `files` (`system_file: triage.prompt.md`)."""
    if not files:
        return
    data, source = load_yaml(manifest)
    for at, value in _strings(data, ()):
        if (manifest.parent / value).resolve() in files:
            yield _edit(source, at)


def _strings(data: Any, at: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(data, str):
        yield at, data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _strings(value, (*at, name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*at, index))


def _edits(project: Project, of: Kind, old: str) -> Iterator[Edit]:
    """Every place that names `of old`: other manifests' references, eval suites, and
    moved.yaml targets."""
    for manifest in project.estate:
        for ref in graph.references(manifest):
            if (ref.kind, ref.key) == (of.name, old):
                yield _edit(manifest.source, (*ref.at, ref.kind), (*ref.at, "key"), ref.at)
    for suite in project.suites.values():
        if getattr(suite, of.name, None) == old and of.name in ("agent", "environment"):
            yield _edit(load_yaml(suite.path)[1], (of.name,))
    yield from _moved_targets(project, of, old)


def _moved_targets(project: Project, of: Kind, old: str) -> Iterator[Edit]:
    path = moved_path(project.estate.root)
    if not project.estate.moves:
        return
    data, source = load_yaml(path)  # every entry is valid: the project loaded
    rows = path.read_text(encoding="utf-8").splitlines()
    for index, (entry, move) in enumerate(zip(data, project.estate.moves, strict=True)):
        if (move.kind, move.new) == (of.name, old):
            edit = _edit(source, (index, "to"))
            quoted = rows[edit.line - 1][edit.column - 1] in "'\""
            skip = quoted + len(entry["to"]) - len(old)  # `agent/old`: the key after the /
            yield Edit(edit.path, edit.line, edit.column + skip, edit.field)


def _edit(source: Source, *candidates: FieldPath) -> Edit:
    """The first of `candidates` whose value in the file is the key: where to write."""
    for at in candidates:
        where = source.values.get(at)
        if where is not None:
            return Edit(source.path, where.line, where.column, format_field(at))
    raise UserError(f"{source.path}: cannot find {format_field(candidates[0])}")


def _by_file(edits: tuple[Edit, ...]) -> Iterator[tuple[Path, list[Edit]]]:
    files: dict[Path, list[Edit]] = {}
    for edit in edits:
        files.setdefault(edit.path, []).append(edit)
    yield from files.items()


def _mark(remote: Remote, obj: ServerObject, key: str) -> ServerObject:
    body = marker_body(obj.kind, obj, key)
    if body is None:
        return obj  # already marked (a previous mv stopped after the server step)
    marked = update(remote, obj.kind, obj.id, body, RetryPolicy())
    if marked.key != key:
        raise UserError(f"{obj.kind} {obj.id}: the server did not keep agentform.key={key}")
    return marked


def _check_edits(edits: tuple[Edit, ...], old: str) -> None:
    """Each place to rewrite holds the key as a plain or quoted scalar."""
    odd = [
        f"{e.path}:{e.line}:{e.column} {e.field}"
        for e in edits
        if not names_key(e.path.read_text(encoding="utf-8"), e.line, e.column, old)
    ]
    if odd:
        raise UserError(
            f"cannot rewrite {old} where it is written as {', '.join(odd)}; write it as a "
            "plain key there, then run mv again (nothing was changed)"
        )
