"""Evals that move pins: `promote` (eval-gated pin move) and the hook of `apply --gate`.

Both score a new version against the pinned one. Only `promote` moves a pin, through
pins.store (the one locked writer of pins.yaml), and records its evidence there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from agentform.apply.run import Gate, GateVerdict
from agentform.errors import UserError
from agentform.evals.compare import Comparison
from agentform.evals.results import VersionScore
from agentform.evals.workflow import (
    Callbacks,
    EvalOptions,
    agent_pin,
    compare,
    number,
    pinned_version,
    placement,
    resolve,
    subject,
)
from agentform.kinds import server_spec
from agentform.kinds.shape import digest
from agentform.manifests.project import Project
from agentform.pins.model import AgentPin
from agentform.pins.store import PinChange, PinStore
from agentform.plan.model import Change
from agentform.remote.client import Remote
from agentform.remote.state import ServerObject


@dataclass(frozen=True)
class Promotion:
    key: str
    pinned: int  # the version pinned before
    candidate: int
    comparison: Comparison | None  # None: the candidate was already pinned

    @property
    def moved(self) -> bool:
        return self.comparison is not None and self.comparison.decision.passed


def promote(
    project: Project,
    remote: Remote,
    key: str,
    to: str,
    suite_name: str,
    options: EvalOptions,
    callbacks: Callbacks | None = None,
) -> Promotion:
    """Move `key`'s pin to version `to` only if the gate passes against the pinned one."""
    suite = project.suite(suite_name)
    if suite.agent != key:
        raise UserError(f"suite {suite_name!r} evaluates agent {suite.agent!r}, not {key!r}")
    pin = agent_pin(project, key)
    pinned = pinned_version(pin)
    target = resolve(remote, pin, to, key)
    version = number(target.version)
    if version == pinned:
        return Promotion(key, pinned, version, None)
    comparison = _versus_pinned(project, remote, suite_name, pin, target, options, callbacks)
    if comparison.decision.passed:
        moved = AgentPin(
            pin.id, version, digest(server_spec("agent", target.data)), evidence(comparison)
        )
        _write_pin(project, key, pin, moved)
    return Promotion(key, pinned, version, comparison)


def _versus_pinned(
    project: Project,
    remote: Remote,
    suite_name: str,
    pin: AgentPin,
    target: ServerObject,
    options: EvalOptions,
    callbacks: Callbacks | None,
) -> Comparison:
    suite = project.suite(suite_name)
    place = placement(project, suite)
    pinned = resolve(remote, pin, "pinned", suite.agent)
    subjects = [
        subject(f"v{pinned.version}", pinned, place),
        subject(f"v{target.version}", target, place),
    ]
    return compare(remote, suite, subjects, place, options, callbacks or Callbacks())


def make_gate(project: Project, remote: Remote, options: EvalOptions) -> Gate:
    """For `apply --gate`: score an updated agent's new version against its pinned one."""

    def gate(change: Change, created: ServerObject) -> GateVerdict:
        names = sorted(n for n, s in project.suites.items() if s.agent == change.key)
        pin = project.pins.agents.get(change.key)
        if not names:
            return GateVerdict(True, f"no eval suite for {change.key}")
        if pin is None or pin.id != change.id:
            return GateVerdict(True, "no pinned version to compare with")
        found = tuple(
            _versus_pinned(project, remote, name, pin, created, options, None) for name in names
        )
        refused = [c for c in found if not c.decision.passed]
        message = "; ".join(f"{c.suite}: {c.decision.reason}" for c in refused or found)
        return GateVerdict(not refused, message, found)

    return gate


def evidence(comparison: Comparison, now: datetime | None = None) -> dict[str, Any]:
    """What promote records in the pin entry (see agentform.pins.evidence)."""
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "suite": comparison.suite,
        "evaluated_at": when,
        "tolerance": comparison.settings.min_effect,
        "repeats": comparison.repeats,
        "candidate": _scores(comparison.candidate),
        "baseline": _scores(comparison.baseline),
    }


def _scores(score: VersionScore) -> Mapping[str, Any]:
    labels = {label: round(t.accuracy, 4) for label, t in score.labels.items()}
    return {
        "version": score.subject.version,
        "accuracy": round(score.overall.accuracy, 4),
        "labels": labels,
    }


def _write_pin(project: Project, key: str, before: AgentPin, after: AgentPin) -> None:
    """Write the move, unless pins.yaml changed under the eval (then say so, move nothing)."""
    change = PinChange("agents", key, after, intent=None, expect=before)
    if not PinStore(project.pins_path).change([change])[0]:
        raise UserError(f"{project.pins_path} changed during the eval ({key}); run promote again")
