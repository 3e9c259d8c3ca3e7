"""The eval jobs the CLI runs: compare two versions, promote a pin, gate `apply`.

Versions are named `latest`, `pinned` or a number; sessions use the pinned agent id
and the suite's pinned environment. The baseline of `promote` and of the apply gate is
the version pinned now. Only `promote` moves a pin, and records its evidence there.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from agentform.apply.run import Gate, GateVerdict
from agentform.errors import LookupKeyError, UserError
from agentform.evals.results import Comparison, VersionScore, decide, score_version
from agentform.evals.runner import Progress, Target, run_suite
from agentform.evals.suite import Suite
from agentform.kinds import server_spec
from agentform.kinds.shape import digest
from agentform.manifests.project import Project
from agentform.pins.model import AgentPin, Version
from agentform.pins.store import PinChange, PinStore
from agentform.plan.model import Change
from agentform.remote.client import NotFoundError, Remote
from agentform.remote.state import ServerObject


@dataclass(frozen=True)
class EvalOptions:
    tolerance: float = 0.0
    concurrency: int = 4
    repeats: int | None = None  # None: the suite's own


@dataclass(frozen=True)
class Promotion:
    key: str
    pinned: int  # the version pinned before
    candidate: int
    comparison: Comparison | None  # None: the candidate was already pinned

    @property
    def moved(self) -> bool:
        return self.comparison is not None and self.comparison.decision.passed


def evaluate(
    project: Project,
    remote: Remote,
    suite_name: str,
    candidate: str,
    baseline: str,
    options: EvalOptions,
    progress: Progress,
) -> Comparison:
    """Score the candidate and baseline versions (`latest`, `pinned` or N) on a suite."""
    suite = project.suite(suite_name)
    pin = agent_pin(project, suite.agent)
    versions = [
        number(resolve(remote, pin, ref, suite.agent).version) for ref in (candidate, baseline)
    ]
    return compare(project, remote, suite, versions[0], versions[1], options, progress)


def compare(
    project: Project,
    remote: Remote,
    suite: Suite,
    candidate: int,
    baseline: int,
    options: EvalOptions,
    progress: Progress,
) -> Comparison:
    target = Target(agent_pin(project, suite.agent).id, _environment_id(project, suite))
    repeats = options.repeats or suite.repeats
    started = time.monotonic()
    results = run_suite(
        remote,
        suite,
        target,
        sorted({candidate, baseline}),
        repeats=repeats,
        concurrency=options.concurrency,
        progress=progress,
    )
    if all(r.status == "error" for r in results):
        raise UserError(
            f"eval {suite.name}: every run failed, nothing was measured: {results[0].detail}"
        )
    order = [(case.id, case.label) for case in suite.cases]
    scores = {v: score_version(v, order, results) for v in {candidate, baseline}}
    return Comparison(
        suite=suite.name,
        agent=suite.agent,
        candidate=scores[candidate],
        baseline=scores[baseline],
        tolerance=options.tolerance,
        repeats=repeats,
        decision=decide(scores[candidate], scores[baseline], options.tolerance),
        seconds=round(time.monotonic() - started, 2),
    )


def promote(
    project: Project,
    remote: Remote,
    key: str,
    to: str,
    suite_name: str,
    options: EvalOptions,
    progress: Progress,
) -> Promotion:
    """Move `key`'s pin to version `to` only if the suite finds no regression against it."""
    suite = project.suite(suite_name)
    if suite.agent != key:
        raise UserError(f"suite {suite_name!r} evaluates agent {suite.agent!r}, not {key!r}")
    pin = agent_pin(project, key)
    pinned = pinned_version(pin)
    target = resolve(remote, pin, to, key)
    version = number(target.version)
    if version == pinned:
        return Promotion(key, pinned, version, None)
    comparison = compare(project, remote, suite, version, pinned, options, progress)
    if comparison.decision.passed:
        moved = AgentPin(
            pin.id, version, digest(server_spec("agent", target.data)), evidence(comparison)
        )
        _write_pin(project, key, pin, moved)
    return Promotion(key, pinned, version, comparison)


def make_gate(project: Project, remote: Remote, options: EvalOptions) -> Gate:
    """For `apply --gate`: score an updated agent's new version against its pinned one."""

    def gate(change: Change, created: ServerObject) -> GateVerdict:
        suites = [s for s in project.suites.values() if s.agent == change.key]
        pin = project.pins.agents.get(change.key)
        if not suites:
            return GateVerdict(True, f"no eval suite for {change.key}")
        if pin is None or pin.id != change.id:
            return GateVerdict(True, "no pinned version to compare with")
        version = number(created.version)
        found = tuple(
            compare(project, remote, s, version, pinned_version(pin), options, _quiet)
            for s in suites
        )
        refused = [c for c in found if not c.decision.passed]
        message = "; ".join(f"{c.suite}: {c.decision.reason}" for c in refused or found)
        return GateVerdict(not refused, message, found)

    return gate


def resolve(remote: Remote, pin: AgentPin, ref: str, key: str) -> ServerObject:
    """The agent version `ref` names (`latest`, `pinned` or a number), checked to exist."""
    version = None if ref == "latest" else pin.version if ref == "pinned" else int(ref)
    try:
        found = remote.retrieve("agent", pin.id, version)
    except NotFoundError:
        latest = remote.retrieve("agent", pin.id).version
        raise UserError(
            f"agent {key} ({pin.id}) has no version {ref}; the latest is v{latest}"
        ) from None
    if found.data.get("archived_at"):
        raise UserError(f"agent {key} ({pin.id}) is archived; sessions cannot use it")
    return found


def agent_pin(project: Project, key: str) -> AgentPin:
    try:
        pin = project.pins.agent(key)
    except LookupKeyError as exc:
        raise UserError(f"{exc}; evals run pinned agents: run `agentform apply` first") from None
    return pin


def pinned_version(pin: AgentPin) -> int:
    """An agent pin's version (the pins reader requires one for every agent)."""
    if not isinstance(pin.version, int):
        raise UserError(f"the pin of {pin.id} has no version number")
    return pin.version


def number(version: Version | None) -> int:
    """An agent version's number (agents' versions are numbers; skills' are ids)."""
    return version if isinstance(version, int) else 0


def evidence(comparison: Comparison, now: datetime | None = None) -> dict[str, Any]:
    """What promote records in the pin entry (see agentform.pins.evidence)."""
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "suite": comparison.suite,
        "evaluated_at": when,
        "tolerance": comparison.tolerance,
        "repeats": comparison.repeats,
        "candidate": _scores(comparison.candidate),
        "baseline": _scores(comparison.baseline),
    }


def _scores(score: VersionScore) -> Mapping[str, Any]:
    labels = {label: round(t.accuracy, 4) for label, t in score.labels.items()}
    return {
        "version": score.version,
        "accuracy": round(score.overall.accuracy, 4),
        "labels": labels,
    }


def _environment_id(project: Project, suite: Suite) -> str:
    try:
        return project.pins.environment(suite.environment).id
    except LookupKeyError as exc:
        raise UserError(f"{exc}; run `agentform apply` first") from None


def _write_pin(project: Project, key: str, before: AgentPin, after: AgentPin) -> None:
    """Write the move, unless pins.yaml changed under the eval (then say so, move nothing)."""
    change = PinChange("agents", key, after, intent=None, expect=before)
    if not PinStore(project.pins_path).change([change])[0]:
        raise UserError(f"{project.pins_path} changed during the eval ({key}); run promote again")


def _quiet(done: int, total: int, result: object) -> None:
    return None
