"""`agentform eval`, `promote` and `run`: score versions, move a pin on evidence, talk to one."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agentform.cli.app import App
from agentform.cli.options import format_option
from agentform.cli.progress import Progress
from agentform.errors import GateRefusedError, UserError
from agentform.evals.render import Format

if TYPE_CHECKING:
    from agentform.evals.results import RunResult
    from agentform.evals.workflow import EvalOptions
    from agentform.remote.sessions import SessionEvent


class VersionRef(click.ParamType):  # type: ignore[type-arg]
    """`latest`, `pinned` or a version number."""

    name = "latest|pinned|N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if text in ("latest", "pinned") or (text.isdigit() and int(text) >= 1):
            return text
        self.fail(f"{value!r}: expected latest, pinned or a version number >= 1", param, ctx)


VERSION = VersionRef()


def _gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--tolerance, --repeat and --concurrency: shared by eval and promote."""
    options = [
        click.option(
            "--tolerance",
            type=click.FloatRange(0, 1),
            default=0.0,
            show_default=True,
            help="Largest accuracy drop that is not a regression, overall or for any label "
            "(a fraction: 0.05 allows 5 points).",
        ),
        click.option(
            "--repeat",
            "repeats",
            type=click.IntRange(1, 100),
            default=None,
            metavar="K",
            help="Runs per case and version; reports pass@K and pass^K.  "
            "[default: the suite's repeats]",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=4,
            show_default=True,
            help="Sessions to run at once.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("eval")
@click.argument("suite")
@click.option(
    "--candidate",
    type=VERSION,
    metavar="latest|pinned|N",
    default="latest",
    show_default=True,
    help="Version to score.",
)
@click.option(
    "--baseline",
    type=VERSION,
    metavar="latest|pinned|N",
    default="pinned",
    show_default=True,
    help="Version to compare with.",
)
@_gate_options
@format_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report in --format to FILE (the terminal then gets the text report).",
)
@click.pass_obj
def eval_cmd(
    app: App,
    suite: str,
    candidate: str,
    baseline: str,
    tolerance: float,
    repeats: int | None,
    concurrency: int,
    fmt: Format,
    out: Path | None,
) -> None:
    """Score two versions of an agent on the eval suite evals/SUITE.yaml.

    Every case runs in its own session pinned to the version, on the suite's
    pinned environment; the reply (the last agent.message) is scored, and the
    session archived. Reports accuracy per label and overall for both versions,
    with deltas; runs that time out or fail are errors, counted apart from
    wrong answers. Exits 3 when the candidate regresses: overall or any label
    below the baseline by more than --tolerance.

    \b
    Example:
      agentform eval triage
      agentform eval triage --candidate 3 --baseline 1 --repeat 5
      agentform eval triage --format markdown --out eval.md
    """
    project = app.project()
    from agentform.evals.render import render_comparison

    with app.remote(project.workspace_id, sessions=True) as remote, _progress_bar(app) as progress:
        from agentform.evals.workflow import evaluate

        comparison = evaluate(
            project,
            remote,
            suite,
            candidate,
            baseline,
            _options(tolerance, concurrency, repeats),
            progress,
        )
    if out is not None:
        out.write_text(render_comparison(comparison, fmt), encoding="utf-8")
        click.echo(f"Wrote the {fmt} report to {out}.", err=True)
    click.echo(render_comparison(comparison, "text" if out else fmt), nl=False)
    if not comparison.decision.passed:
        raise GateRefusedError(f"eval {suite}: {comparison.decision.reason}")


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
@_gate_options
@click.pass_obj
def promote(
    app: App,
    key: str,
    to: str,
    suite: str | None,
    tolerance: float,
    repeats: int | None,
    concurrency: int,
) -> None:
    """Move KEY's pin to a new version only if it does not regress on SUITE.

    SUITE defaults to the agent's eval suite when it has exactly one.
    Scores the version (--to) against the pinned one, like `eval`. When the
    gate passes, the pin moves and its entry in pins.yaml records the
    evidence (suite, both versions' scores, tolerance, when). On a regression
    it exits 3 and pins.yaml is left untouched.

    \b
    Example:
      agentform promote triage                # its only eval suite decides
      agentform promote triage --to 3 --eval triage --tolerance 0.05
    """
    project = app.project()
    suite = suite or project.suite_for(key)
    from agentform.evals.render import render_comparison

    with app.remote(project.workspace_id, sessions=True) as remote, _progress_bar(app) as progress:
        from agentform.evals.workflow import promote as promote_pin

        options = _options(tolerance, concurrency, repeats)
        done = promote_pin(project, remote, key, to, suite, options, progress)
    if done.comparison is None:
        click.echo(f"{key} is already pinned to v{done.pinned}; nothing to promote.")
        return
    click.echo(render_comparison(done.comparison, "text"), nl=False)
    if not done.moved:
        raise GateRefusedError(
            f"promote {key}: {done.comparison.decision.reason}; {app.pins_path} unchanged "
            f"({key} stays on v{done.pinned})"
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
    params = pins.session_params(key, environment)
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


def _options(tolerance: float, concurrency: int, repeats: int | None) -> EvalOptions:
    from agentform.evals.workflow import EvalOptions

    return EvalOptions(tolerance=tolerance, concurrency=concurrency, repeats=repeats)


@contextmanager
def _progress_bar(app: App) -> Iterator[Callable[[int, int, RunResult], None]]:
    """The shared progress line on stderr (a terminal only), fed by the runs' callback."""
    with Progress.start(app, "Evaluating") as progress:

        def update(done: int, total: int, result: RunResult) -> None:
            progress.total = total
            progress.advance(done - progress.done)

        yield update


COMMANDS = [eval_cmd, promote, run]
