"""`agentform validate`: everything a later command would refuse, found in one pass.

Manifests, eval suites and pins.yaml (the project every command loads), and the
responder rules that `--local` sessions read. No server call, no SDK import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError, ManifestErrors
from agentform.manifests.project import Project, load_project
from agentform.manifests.responder import check_responder, responder_path


@dataclass(frozen=True)
class Validation:
    project: Project | None
    problems: tuple[ManifestError, ...]
    warnings: tuple[ManifestError, ...]
    responder: Path | None = None
    responder_rules: int | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def strict(self) -> Validation:
        """Warnings as problems (`validate --strict`)."""
        problems = sorted((*self.problems, *self.warnings), key=ManifestError.sort_key)
        return Validation(self.project, tuple(problems), (), self.responder, self.responder_rules)


def validate_estate(root: Path, pins_path: Path, workspace_id: str | None) -> Validation:
    problems: list[ManifestError] = []
    project = None
    try:
        project = load_project(root, pins_path, workspace_id)
    except ManifestErrors as exc:
        problems += exc.errors
    responder, rules = responder_path(root), None
    if responder is not None:
        rules, found = check_responder(responder)
        problems += found
    warnings = project.estate.warnings if project is not None else ()
    ordered = tuple(sorted(problems, key=ManifestError.sort_key))
    return Validation(project, ordered, tuple(warnings), responder, rules)


def validation_to_json(result: Validation, pins_path: Path) -> dict[str, Any]:
    """`validate --format json`: stable keys, one object per problem and per file."""
    return {
        "format_version": 1,
        "valid": result.valid,
        "problems": [_problem(p) for p in result.problems],
        "warnings": [_problem(w) for w in result.warnings],
        "files": _files(result, pins_path),
    }


def _problem(error: ManifestError) -> dict[str, Any]:
    return {
        "path": str(error.path),
        "line": error.line,
        "column": error.column,
        "field": error.field,
        "message": error.message,
    }


def _files(result: Validation, pins_path: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    if result.project is not None:
        project = result.project
        files += [{"kind": m.kind, "key": m.key, "path": str(m.path)} for m in project.estate]
        files += [
            {"kind": "eval", "key": s.name, "path": str(s.path), "cases": len(s.cases)}
            for s in project.suites.values()
        ]
        files.append({"kind": "pins", "path": str(pins_path), "exists": pins_path.exists()})
    if result.responder is not None and result.responder_rules is not None:
        files.append(
            {"kind": "responder", "path": str(result.responder), "rules": result.responder_rules}
        )
    return files
