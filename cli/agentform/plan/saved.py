"""Saved plans: `plan --out FILE` then `apply FILE` runs exactly what was reviewed.

The file holds the whole plan (request bodies included), a checksum of its canonical
JSON, and the basis it was made against: each managed server object's version and
update time, the digest of every manifest and prompt file, and of pins.yaml. Apply
re-plans from the current state; if that plan's checksum differs, it refuses before
any write and names what moved (like Terraform's "saved plan is stale").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentform import __version__
from agentform.errors import UserError
from agentform.manifests.moved import moved_path
from agentform.manifests.project import Project
from agentform.plan.fielddiff import ABSENT, FieldChange
from agentform.plan.model import Change, Drift, Note, Plan
from agentform.plan.secrets import redact
from agentform.plan.steps import from_data
from agentform.remote.state import RemoteState

FORMAT_VERSION = 1


class StalePlanError(UserError):
    """The manifests, pins or server moved since the plan was saved."""


@dataclass(frozen=True)
class Scope:
    """What a plan covers: its --target keys, and whether archives are done (--prune)."""

    targets: tuple[str, ...] = ()
    prune: bool = False
    prune_strays: bool = False


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    checksum: str
    basis: dict[str, Any]
    scope: Scope


def basis_of(project: Project, state: RemoteState) -> dict[str, Any]:
    """What the plan was made from, keyed so that a difference reads as a sentence."""
    managed_ids = {p.id for section in project.pins.sections.values() for p in section.values()}
    server = {
        f"{obj.kind} {obj.key or '-'} ({obj.id})": {
            "version": obj.version,
            "updated_at": obj.updated_at,
        }
        for obj in state.all()
        if obj.key is not None or obj.id in managed_ids
    }
    files = {}
    for manifest in project.estate:
        for path in (manifest.path, *manifest.files):
            files[str(path)] = _file_digest(path)
    files[str(project.pins_path)] = _file_digest(project.pins_path)
    moves = moved_path(project.estate.root)
    if moves.exists():
        files[str(moves)] = _file_digest(moves)
    return {"server": server, "files": files}


def plan_checksum(plan: Plan) -> str:
    text = json.dumps(plan_to_data(plan), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def save(path: Path, plan: Plan, basis: dict[str, Any], scope: Scope) -> None:
    document = {
        "format_version": FORMAT_VERSION,
        "agentform_version": __version__,
        "checksum": plan_checksum(plan),
        "targets": list(scope.targets),
        "prune": scope.prune,
        "prune_strays": scope.prune_strays,
        "basis": basis,
        "plan": plan_to_data(plan),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: Path) -> SavedPlan:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a saved plan ({exc})") from None
    if not isinstance(document, dict) or document.get("format_version") != FORMAT_VERSION:
        raise UserError(
            f"{path}: not a saved plan of format {FORMAT_VERSION}; make it again with `plan --out`"
        )
    plan = plan_from_data(document["plan"])
    if plan_checksum(plan) != document.get("checksum"):
        raise UserError(
            f"{path}: checksum mismatch: the file was edited or corrupted since `plan --out`"
        )
    scope = Scope(
        tuple(document.get("targets", [])),
        bool(document.get("prune")),
        bool(document.get("prune_strays")),
    )
    return SavedPlan(plan, document["checksum"], document["basis"], scope)


def check_fresh(saved: SavedPlan, current: Plan, basis: dict[str, Any]) -> None:
    """Refuse a saved plan that no longer matches what the manifests and server say."""
    if plan_checksum(current) == saved.checksum:
        return
    moved = _moved(saved.basis, basis) or ["the plan computed now differs from the saved one"]
    raise StalePlanError(
        "the saved plan is stale; nothing was applied. Since it was made:\n"
        + "\n".join(f"  - {line}" for line in moved)
        + "\nRun `agentform plan` again and review the new plan."
    )


def _moved(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    old, new = before.get("server", {}), after.get("server", {})
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            lines.append(f"{name} was archived or deleted on the server")
        elif name not in old:
            lines.append(f"{name} appeared on the server")
        elif old[name] != new[name]:
            lines.append(
                f"{name} changed on the server: {_describe(old[name])} -> {_describe(new[name])}"
            )
    old_files, new_files = before.get("files", {}), after.get("files", {})
    for name in sorted(old_files.keys() | new_files.keys()):
        if old_files.get(name) != new_files.get(name):
            lines.append(f"{name} changed")
    return lines


def _describe(entry: dict[str, Any]) -> str:
    version = f"v{entry['version']} " if entry.get("version") is not None else ""
    return f"{version}updated {entry.get('updated_at')}"


def _file_digest(path: Path) -> str | None:
    try:
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def plan_to_data(plan: Plan) -> dict[str, Any]:
    return {
        "changes": [_change_to_data(c) for c in plan.changes],
        "notes": [asdict(n) | {"data": dict(n.data)} for n in plan.notes],
        "drift": [d.to_json() for d in plan.drift],
    }


def plan_from_data(data: dict[str, Any]) -> Plan:
    changes = tuple(_change_from_data(c) for c in data["changes"])
    notes = tuple(Note(**n) for n in data["notes"])
    drift = tuple(
        Drift(d["kind"], d["key"], d["id"], _fields_from_data(d["fields"])) for d in data["drift"]
    )
    return Plan(changes, notes, drift)


def _change_to_data(change: Change) -> dict[str, Any]:
    data = asdict(change)
    data["fields"] = [f.to_json() for f in change.fields]
    data["body"] = redact(dict(change.body)) if change.body is not None else None
    data["steps"] = [redact(step) for step in data["steps"]]
    return data


def _change_from_data(data: dict[str, Any]) -> Change:
    fields, steps = _fields_from_data(data["fields"]), from_data(data.get("steps") or [])
    return Change(**{**data, "fields": fields, "steps": steps})


def _fields_from_data(fields: list[dict[str, Any]]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(f["path"], f.get("before", ABSENT), f.get("after", ABSENT)) for f in fields
    )
