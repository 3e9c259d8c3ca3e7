"""The jobs the CLI runs: make a plan against the server, and apply one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from agentform.apply.run import ApplyOptions, ApplyResult, Outcome, apply_plan
from agentform.kinds import KINDS
from agentform.manifests.project import Project
from agentform.pins.store import PinStore
from agentform.plan import saved as planfile
from agentform.plan.build import (
    build_plan,
    contents_needed,
    histories_needed,
    versions_needed,
)
from agentform.plan.model import Plan
from agentform.plan.moves import pins_as_moved
from agentform.plan.saved import Scope
from agentform.remote.client import Remote
from agentform.remote.state import RemoteState


@dataclass(frozen=True)
class Planned:
    project: Project
    state: RemoteState
    plan: Plan
    basis: dict[str, Any]
    scope: Scope


def read_state(project: Project, remote: Remote, *, detail: bool = False) -> RemoteState:
    """The server: one list call per page of each kind (and the parts of kinds that have
    them; with `detail` what `status` shows too), then the pinned versions that are not
    the latest (one retrieve each; only for pins behind their latest), and the content a
    listing leaves out where a manifest differs from its pin (skills)."""
    state = remote.read_state(kinds_to_read(project), detail=detail)
    pins = pins_as_moved(project.estate.moves, project.pins)  # keys as the planner sees them
    needed = versions_needed(state, pins)
    needed += contents_needed(project.estate, state, pins)
    state = state.with_versions(remote.fetch_versions(list(dict.fromkeys(needed))))
    wanted = histories_needed(project.estate, state, pins)
    return state.with_histories(remote.fetch_histories(wanted))


def kinds_to_read(project: Project) -> tuple[str, ...]:
    """Every kind whose objects carry markers (a stray can only be found by listing), and
    a kind without markers (skills) only when this estate has manifests or pins of it."""
    return tuple(
        k.name
        for k in KINDS
        if k.marked or project.estate.of_kind(k.name) or project.pins.section(k.plural)
    )


def make_plan(project: Project, remote: Remote, scope: Scope | None = None) -> Planned:
    """Read the server and diff it with a validated project."""
    scope = scope or Scope()
    state = read_state(project, remote)
    plan = build_plan(
        project.estate,
        state,
        project.pins,
        targets=scope.targets,
        prune=scope.prune,
        prune_strays=scope.prune_strays,
    )
    return Planned(project, state, plan, planfile.basis_of(project, state), scope)


def fresh_saved_plan(project: Project, remote: Remote, path: Path) -> Planned:
    """A saved plan, after checking that nothing it was made from has moved.

    The plan applied is the one computed now, which has the same checksum as the saved
    one: so a saved plan file never needs to hold a secret the manifests name.
    """
    saved = planfile.load(path)
    current = make_plan(project, remote, saved.scope)
    planfile.check_fresh(saved, current.plan, current.basis)
    return current


def run_apply(
    planned: Planned, remote: Remote, options: ApplyOptions, report: Callable[[Outcome], None]
) -> ApplyResult:
    project = planned.project
    store = PinStore(project.pins_path)
    options = replace(options, root=project.estate.root)  # skills' files are read again
    return apply_plan(planned.plan, remote, store, options, report, project.pins.workspace_id)
