"""`agentform eval`, `promote` and `run`: score versions, move a pin on evidence, talk to one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agentform.cli.app import App
from agentform.cli.eval_options import (
    SUBJECT,
    VERSION,
    eval_options,
    gate_options,
    gate_values,
    progress_callbacks,
)
from agentform.errors import EvalInconclusiveError, GateRefusedError, UserError

if TYPE_CHECKING:
    from agentform.evals.compare import Comparison
    from agentform.evals.plan_eval import PlanEval
    from agentform.manifests.project import Project
    from agentform.plan.model import Plan
    from agentform.remote.client import Remote
    from agentform.remote.sessions import SessionEvent

REPORT_FORMATS = ("text", "markdown", "json", "html")


@click.command("eval")
@click.argument("suite")
@click.option(
    "--candidate",
    type=SUBJECT,
    metavar="latest|pinned|N|manifest",
    default="latest",
    show_default=True,
    help="What to score: a version, or `manifest`: the manifest as it is in the working "
    "tree, on a scratch agent (no new version of the agent; archived afterwards).",
)
@click.option(
    "--baseline",
    type=VERSION,
    metavar="latest|pinned|N",
    default="pinned",
    show_default=True,
    help="Version to compare with.",
)
@click.option(
    "--versions",
    metavar="A,B,...",
    help="Several at once (columns), e.g. 3,4,5 or pinned,latest,manifest: the first is the "
    "baseline the others are compared with. Replaces --candidate and --baseline.",
)
@gate_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull request, json for machines, html for "
    "people (one self-contained file).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report in --format to FILE (the terminal then gets the text report).",
)
@click.pass_obj
def eval_cmd(
    app: App,
    /,
    suite: str,
    candidate: str,
    baseline: str,
    versions: str | None,
    fmt: str,
    out: Path | None,
    **values: Any,
) -> None:
    """Score versions of an agent on the eval suite evals/SUITE.yaml, and compare them.

    Every case runs in its own session pinned to the version (or, with
    `--candidate manifest`, on a scratch agent holding the manifest as it is in
    the working tree), on the suite's pinned environment; the reply is graded
    and the session archived. Results are cached (.agentform/eval-cache.sqlite3):
    a rerun makes only the sessions it has not made before.

    The candidate is compared with the baseline case by case: per label and
    overall, the accuracy difference with a bootstrap interval and a verdict,
    better, worse or inconclusive. Exits 3 when the gate refuses (a label or
    overall is worse, below the suite's min_accuracy, or over a cost or latency
    budget), 4 when it is inconclusive and --on-inconclusive is fail.

    \b
    Example:
      agentform eval triage
      agentform eval triage --candidate manifest          # before merge
      agentform eval triage --versions 3,4,5 --repeat 5
      agentform eval triage --format html --out report.html
    """
    project = app.project()
    refs = _refs(candidate, baseline, versions)
    shared = gate_values(values)
    with (
        app.remote(project.workspace_id, sessions=True) as remote,  # credentials checked first
        progress_callbacks(app) as callbacks,
    ):
        from agentform.evals.workflow import evaluate

        options = eval_options(app, shared)
        comparison = evaluate(project, remote, suite, refs, options, callbacks)
    _report(comparison, fmt, out)
    raise_for_gate(comparison, f"eval {suite}")


def _refs(candidate: str, baseline: str, versions: str | None) -> list[str]:
    if not versions:
        return [baseline, candidate]
    refs = [SUBJECT.convert(part, None, None) for part in versions.split(",") if part.strip()]
    if len(refs) < 2:
        raise UserError("--versions: give at least two, the baseline first (e.g. 3,4,5)")
    return refs


def _report(comparison: Comparison, fmt: str, out: Path | None) -> None:
    from agentform.evals.render import render_comparison

    if out is not None:
        out.write_text(render_comparison(comparison, fmt), encoding="utf-8")  # type: ignore[arg-type]
        click.echo(f"Wrote the {fmt} report to {out}.", err=True)
    click.echo(render_comparison(comparison, "text" if out else fmt), nl=False)  # type: ignore[arg-type]


def raise_for_gate(comparison: Comparison, what: str) -> None:
    """Exit 3 when the gate refused, 4 when it was inconclusive under a fail policy."""
    decision = comparison.decision
    if decision.passed:
        return
    if decision.refused:
        raise GateRefusedError(f"{what}: {decision.reason}")
    raise EvalInconclusiveError(f"{what}: {decision.reason} (--on-inconclusive fail)")


@dataclass(frozen=True)
class PlanEvals:
    """`plan --eval`'s comparisons, rendered under the plan; the gates decide the exit."""

    evals: tuple[PlanEval, ...]

    def render(self, fmt: str) -> str:
        from agentform.evals.plan_eval import render_plan_evals

        return render_plan_evals(self.evals, fmt)

    def raise_for_gates(self) -> None:
        for item in self.evals:
            if item.comparison is not None:
                raise_for_gate(item.comparison, f"plan --eval: {item.suite}")


def plan_evals(app: App, project: Project, remote: Remote, plan: Plan) -> PlanEvals:
    from agentform.cli.eval_options import gate_defaults
    from agentform.evals.plan_eval import evaluate_plan

    with progress_callbacks(app) as callbacks:
        found = evaluate_plan(project, remote, plan, gate_defaults(app), callbacks)
    return PlanEvals(tuple(found))


@click.command()
@click.argument("key")
@click.option(
    "--to",
    type=VERSION,
    metavar="latest|pinned|N",
    default="latest",
    show_default=True,
    help="Version to pin.",
)
@click.option(
    "--eval",
    "suite",
    metavar="SUITE",
    help="The eval suite that decides.  [default: the agent's only suite]",
)
@gate_options
@click.pass_obj
def promote(app: App, /, key: str, to: str, suite: str | None, **values: Any) -> None:
    """Move KEY's pin to a new version only if the eval gate passes on SUITE.

    SUITE defaults to the agent's eval suite when it has exactly one.
    Scores the version (--to) against the pinned one, like `eval`. When the
    gate passes, the pin moves and its entry in pins.yaml records the
    evidence (suite, both versions' scores, min effect, when). When it
    refuses it exits 3 (4 when inconclusive under --on-inconclusive fail) and
    pins.yaml is left untouched.

    \b
    Example:
      agentform promote triage                # its only eval suite decides
      agentform promote triage --to 3 --eval triage --repeat 5 --on-inconclusive fail
    """
    project = app.project()
    suite = suite or project.suite_for(key)
    shared = gate_values(values)
    with (
        app.remote(project.workspace_id, sessions=True) as remote,  # credentials checked first
        progress_callbacks(app) as callbacks,
    ):
        from agentform.evals.promotion import promote as promote_pin

        options = eval_options(app, shared)
        done = promote_pin(project, remote, key, to, suite, options, callbacks)
    from agentform.evals.render import render_comparison

    if done.comparison is None:
        click.echo(f"{key} is already pinned to v{done.pinned}; nothing to promote.")
        return
    click.echo(render_comparison(done.comparison, "text"), nl=False)
    if not done.moved:
        raise_for_gate(
            done.comparison,
            f"promote {key}: {app.pins_path} unchanged ({key} stays on v{done.pinned})",
        )
    click.echo(
        f"\nPinned {key} to v{done.candidate} (was v{done.pinned}); "
        f"the evidence is recorded in {app.pins_path}."
    )


@click.command()
@click.argument("key", required=False)
@click.argument("message", required=False)
@click.option(
    "--deployment",
    metavar="KEY",
    help="Instead: trigger a manual run of this deployment (its initial events).",
)
@click.option(
    "--environment",
    metavar="KEY",
    help="Environment from pins.yaml.  [default: the only one]",
)
@click.option(
    "--vault",
    "vaults",
    metavar="KEY",
    multiple=True,
    help="A vault from pins.yaml whose credentials the session uses (repeatable).",
)
@click.option("--keep", is_flag=True, help="Do not archive the session afterwards.")
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=600,
    show_default=True,
    help="Seconds to wait for the agent to finish.",
)
@click.pass_obj
def run(
    app: App,
    key: str | None,
    message: str | None,
    deployment: str | None,
    environment: str | None,
    vaults: tuple[str, ...],
    keep: bool,
    timeout: float,
) -> None:
    """Send MESSAGE to the pinned version of agent KEY and stream the session.

    Starts one session on the version pins.yaml names (what callers run),
    prints the agent's text as it arrives, a line per tool use, and the stop
    reason; then archives the session unless --keep.

    With --deployment KEY instead, triggers a manual run of that deployment
    (a session with its pinned agent version and its initial events) and
    prints the session it started.

    \b
    Example:
      agentform run triage "My card was charged twice for the Team plan."
      agentform run triage "Why am I getting 429s?" --environment default --keep
      agentform run triage "Open an issue for ticket 7" --vault github
      agentform run --deployment nightly
    """
    if deployment is not None:
        if key is not None:
            raise UserError("--deployment KEY runs a deployment: it takes no agent KEY or MESSAGE")
        from agentform.cli.deployments import run_deployment

        run_deployment(app, deployment)
        return
    if key is None or message is None:
        raise UserError("run needs an agent KEY and a MESSAGE (or --deployment KEY)")
    from agentform import pins as pinsfile
    from agentform.manifests.project import in_workspace

    pins = in_workspace(pinsfile.load(app.pins_path), app.workspace_id)
    params = pins.session_params(key, environment, vaults=vaults)
    from agentform.remote.sessions import run_once

    agent = params["agent"]

    def started(session_id: str) -> None:
        click.echo(f"Session {session_id} on {key} v{agent['version']}", err=True)

    with app.remote(pins.workspace_id, sessions=True) as remote:
        turn = run_once(
            remote, params, message, timeout=timeout, keep=keep, on_start=started, on_event=_show
        )
    where = "kept (--keep)" if keep else "archived"
    click.echo(f"Session {where}.", err=True)
    if turn.stop_reason != "end_turn":
        click.echo(f"The turn ended with {turn.stop_reason}.", err=True)


def _show(event: SessionEvent) -> None:
    if event.type == "agent.message":
        click.echo(event.text)
    elif event.tool_name is not None:
        shown = json.dumps(event.tool_input or {}, ensure_ascii=False)
        click.echo(f"[tool: {event.tool_name}] {shown[:200]}")
    elif event.stop_reason is not None:
        click.echo(f"[stop: {event.stop_reason}]")


COMMANDS = [eval_cmd, promote, run]
