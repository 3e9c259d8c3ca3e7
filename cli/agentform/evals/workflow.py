"""The eval jobs the CLI runs: compare subjects, promote a pin, gate `apply`.

Subjects are named `latest`, `pinned`, a version number, or `manifest` (the working
tree's manifest on a scratch agent, see candidate.py). The first is the baseline the
others are compared with. Sessions use the suite's pinned environment. The baseline of
`promote` and of the apply gate is the version pinned now. Only `promote` moves a pin,
and records its evidence there.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from agentform.errors import LookupKeyError, UserError
from agentform.evals.cache import Cache, key
from agentform.evals.candidate import scratch_agent
from agentform.evals.compare import Comparison, build
from agentform.evals.gate import OnInconclusive, Policy
from agentform.evals.judge import JudgeProgress
from agentform.evals.results import RunResult, Subject, score_version
from agentform.evals.runner import Placement, Progress, RunOptions, RunOutput, run_suite
from agentform.evals.stats import Settings
from agentform.evals.suite_model import Budgets, Suite, canonical
from agentform.kinds import server_spec
from agentform.manifests.project import Project
from agentform.pins.model import AgentPin, Version
from agentform.remote.client import NotFoundError, Remote
from agentform.remote.state import ServerObject

# Sessions at once. Eval work is waiting on the server (a turn takes seconds on the real
# API), not client CPU: 32 sessions in flight cost 32 coroutines, keep a latency-bound run
# 8x shorter than the old default of 4, and stay well inside the API's rate limits (429s
# are retried by the SDK after their retry-after).
DEFAULT_CONCURRENCY = 32
MANIFEST = "manifest"
PLACEHOLDER = "[emulator] "


@dataclass(frozen=True)
class EvalOptions:
    concurrency: int = DEFAULT_CONCURRENCY
    repeats: int | None = None  # None: the suite's own
    confidence: float | None = None  # None: the suite's (statistics.confidence)
    seed: int | None = None  # None: the suite's (statistics.seed)
    min_effect: float | None = None  # None: the suite's (statistics.min_effect)
    on_inconclusive: OnInconclusive = "pass"
    max_cost_increase: float | None = None  # None: the suite's budget
    max_latency_p95: float | None = None
    cache_path: Path | None = None  # None: no cache
    read_cache: bool = True  # False: --no-cache (results are still written)
    rerun_failed: bool = False
    scope: str | None = None  # the server, for cache keys; None: the remote's URL


@dataclass(frozen=True)
class Callbacks:
    progress: Progress = lambda done, total, result: None
    judging: JudgeProgress = lambda done, total: None


def evaluate(
    project: Project,
    remote: Remote,
    suite_name: str,
    refs: Sequence[str],
    options: EvalOptions,
    callbacks: Callbacks | None = None,
) -> Comparison:
    """Score the subjects `refs` (baseline first: `latest`, `pinned`, N or `manifest`)."""
    suite = project.suite(suite_name)
    pin = agent_pin(project, suite.agent)
    place = placement(project, suite)
    with ExitStack() as stack:
        subjects: list[Subject] = []
        for ref in dict.fromkeys(refs):
            if ref == MANIFEST:
                scratch = stack.enter_context(scratch_agent(project, remote, suite.agent))
                subjects.append(subject(MANIFEST, scratch, place))
            else:
                found = resolve(remote, pin, ref, suite.agent)
                subjects.append(subject(f"v{found.version}", found, place))
        unique = list({s.name: s for s in subjects}.values())
        return compare(remote, suite, unique, place, options, callbacks or Callbacks())


def subject(name: str, agent: ServerObject, place: Placement) -> Subject:
    spec = server_spec("agent", agent.data)
    model = agent.data.get("model")
    model_id = model.get("id", "") if isinstance(model, dict) else str(model or "")
    return Subject(
        name=name,
        agent_id=agent.id,
        version=number(agent.version) or 1,
        spec_digest=key(canonical(spec), place.environment_id, *place.vault_ids),
        model=model_id,
    )


def compare(
    remote: Remote,
    suite: Suite,
    subjects: Sequence[Subject],
    place: Placement,
    options: EvalOptions,
    callbacks: Callbacks,
) -> Comparison:
    """Run the suite on every subject and compare each with the first."""
    settings = _settings(suite, options)
    repeats = options.repeats or suite.repeats
    scope = options.scope or f"{remote.base_url}|{remote.workspace_id or ''}"
    run = RunOptions(repeats, options.concurrency, place, scope, options.rerun_failed)
    started = time.monotonic()
    with _cache(options) as cache:
        output = run_suite(remote, suite, subjects, run, cache, *_callbacks(callbacks))
    _check_measured(suite, output)
    order = [(case.id, case.label) for case in suite.cases]
    scores = tuple(score_version(s, order, output.results) for s in subjects)
    policy = _policy(suite, options)
    contrasts, decisions = build(scores, settings, policy)
    return Comparison(
        suite=suite.name,
        agent=suite.agent,
        repeats=repeats,
        settings=settings,
        policy=policy,
        scores=scores,
        contrasts=contrasts,
        decisions=decisions,
        judge=output.judge,
        sessions=output.sessions,
        seconds=round(time.monotonic() - started, 2),
        inputs={case.id: suite.message(case) for case in suite.cases},
    )


def _callbacks(callbacks: Callbacks) -> tuple[Progress, JudgeProgress]:
    return callbacks.progress, callbacks.judging


@contextmanager
def _cache(options: EvalOptions) -> Iterator[Cache]:
    with Cache(options.cache_path, read=options.read_cache) as cache:
        yield cache


def _settings(suite: Suite, options: EvalOptions) -> Settings:
    settings = suite.statistics
    if options.confidence is not None:
        settings = replace(settings, confidence=options.confidence)
    if options.min_effect is not None:
        settings = replace(settings, min_effect=options.min_effect)
    if options.seed is not None:
        settings = replace(settings, seed=options.seed)
    return settings


def _policy(suite: Suite, options: EvalOptions) -> Policy:
    budgets = Budgets(
        max_cost_increase=_first(options.max_cost_increase, suite.budgets.max_cost_increase),
        max_latency_p95=_first(options.max_latency_p95, suite.budgets.max_latency_p95),
    )
    return Policy(options.on_inconclusive, suite.min_accuracy, budgets)


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def _check_measured(suite: Suite, output: RunOutput) -> None:
    """Refuse to compare nothing: every run failed, or every reply of a subject is the
    emulator's placeholder (its responder has no rule for it)."""
    results: tuple[RunResult, ...] = output.results
    if results and all(r.status == "error" for r in results):
        raise UserError(
            f"eval {suite.name}: every run failed, nothing was measured: {results[0].detail}"
        )
    for name in dict.fromkeys(r.subject for r in results):
        replies = [r.reply for r in results if r.subject == name and r.reply]
        if replies and all(reply.startswith(PLACEHOLDER) for reply in replies):
            raise UserError(
                f"eval {suite.name}: every reply of {name} is the emulator's placeholder "
                f"({replies[0]!r}): its responder has no rules for this agent, so nothing "
                "was measured. Add rules to evals/responder.yaml (docs/emulator.md), or "
                "run against the real API"
            )


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


def placement(project: Project, suite: Suite) -> Placement:
    """The suite's environment and vaults, as pinned (sessions use what callers use)."""
    try:
        environment = project.pins.environment(suite.environment).id
        vaults = tuple(project.pins.vault(key).id for key in suite.vaults)
    except LookupKeyError as exc:
        raise UserError(f"{exc}; run `agentform apply` first") from None
    return Placement(environment, vaults)


def quiet(done: int, total: int, result: object) -> None:
    return None
