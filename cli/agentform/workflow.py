"""The two jobs the CLI runs: make a plan against the server, and apply one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentform.apply.run import ApplyOptions, ApplyResult, Outcome, apply_plan
from agentform.manifests.project import Project
from agentform.plan import saved as planfile
from agentform.plan.build import Plan, build_plan
from agentform.remote.client import Remote
from agentform.remote.state import RemoteState


@dataclass(frozen=True)
class Planned:
    project: Project
    state: RemoteState
    plan: Plan
    basis: dict[str, Any]


def make_plan(project: Project, remote: Remote, targets: Sequence[str] = ()) -> Planned:
    """Read the server (list calls only) and diff it with a validated project."""
    state = remote.read_state()
    plan = build_plan(project.estate, state, project.pins, targets=targets)
    return Planned(project, state, plan, planfile.basis_of(project, state))


def fresh_saved_plan(project: Project, remote: Remote, path: Path) -> Planned:
    """A saved plan, after checking that nothing it was made from has moved."""
    saved = planfile.load(path)
    current = make_plan(project, remote, saved.targets)
    planfile.check_fresh(saved, current.plan, current.basis)
    return Planned(current.project, current.state, saved.plan, current.basis)


def run_apply(
    planned: Planned, remote: Remote, options: ApplyOptions, report: Callable[[Outcome], None]
) -> ApplyResult:
    project = planned.project
    return apply_plan(planned.plan, remote, project.pins, project.pins_path, options, report)
