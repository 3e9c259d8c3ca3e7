"""`agentform apply`: make the server match the manifests and record the pins."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agentform.cli.app import App
from agentform.cli.options import target_option
from agentform.cli.progress import Progress
from agentform.cli.refresh import apply_refresh
from agentform.errors import GateRefusedError, UserError
from agentform.render.style import OUTCOME_MARKS

if TYPE_CHECKING:
    from agentform.apply.run import ApplyResult, Gate, Outcome
    from agentform.remote.client import Remote
    from agentform.workflow import Planned


@click.command()
@click.argument(
    "planfile", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (for CI).")
@click.option(
    "--prune",
    is_flag=True,
    help="Archive agents and environments whose manifest was removed (irreversible).",
)
@target_option("Apply")
@click.option(
    "--force",
    is_flag=True,
    help="With --prune: allow archiving more than a quarter of the managed resources.",
)
@click.option(
    "--parallelism",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Writes to run at once.",
)
@click.option(
    "--gate",
    is_flag=True,
    help="Before pinning an updated agent's new version, score it against the pinned one "
    "on the agent's eval suites; a regression leaves it unpinned (exit 3).",
)
@click.option(
    "--refresh-only",
    is_flag=True,
    help="Write the server's values into the manifests (accept changes made outside "
    "agentform); the server and pins.yaml are not touched.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the plan, each change's outcome and the totals on stdout (the plan's text "
    "and progress go to stderr).",
)
@click.pass_context
def apply(
    ctx: click.Context,
    planfile: Path | None,
    auto_approve: bool,
    prune: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force: bool,
    gate: bool,
    refresh_only: bool,
    fmt: str,
) -> None:
    """Create and update what the plan says, and record the pins.

    Changed agents get a new version (sent with `version=` so a concurrent
    change on the server is refused, never overwritten); new ones are created;
    environments are updated in place. Each success is written to pins.yaml at
    once. A pin moves only for a resource this apply created, updated or
    replaced: a rolled-back pin stays where it is. With PLANFILE (from `plan
    --out`) it applies exactly that plan, and refuses it if the manifests or
    the server moved since. With --gate, an updated agent's pin moves only if
    its new version does not regress on the agent's eval suites (see `eval`);
    exit 3 when the gate refused one (1 wins if something also failed).

    The last line always has every count, for CI steps to parse:
    `Apply complete: 1 created, 2 updated, 0 replaced, 0 pinned, 0 archived;
    0 failed, 0 refused, 0 skipped; pins.yaml updated.` (`complete` is
    `failed` or `refused by the eval gate` when so).

    \b
    Example:
      agentform apply
      agentform apply --auto-approve          # in CI, after merge
      agentform apply --auto-approve --gate   # ... and refuse regressions
      agentform plan --out plan.json && agentform apply plan.json
      agentform apply --auto-approve --format json > applied.json
      agentform apply --refresh-only       # accept what was changed on the server
    """
    app: App = ctx.obj
    if planfile is not None and targets:
        raise UserError("--target cannot be combined with a saved plan (it keeps its own targets)")
    project = app.project()  # manifest errors before anything heavy is imported
    if refresh_only:
        if planfile is not None or gate or prune or fmt != "text":
            raise UserError("--refresh-only takes no PLANFILE, --gate, --prune or --format json")
        apply_refresh(app, project, auto_approve, targets)
        return
    to_stderr = fmt == "json"
    with app.remote(project.workspace_id, sessions=gate) as remote:  # and missing credentials
        from agentform.apply.run import ApplyOptions, check_safe
        from agentform.render import render_plan
        from agentform.workflow import fresh_saved_plan, make_plan, run_apply

        if planfile is not None:
            planned = fresh_saved_plan(project, remote, planfile)
        else:
            planned = make_plan(project, remote, targets)
        plan = planned.plan
        color = app.color_on(sys.stderr if to_stderr else sys.stdout)
        click.echo(render_plan(plan, "text", color=color), nl=False, err=to_stderr)
        result = None
        if plan.has_changes:
            options = ApplyOptions(
                prune=prune,
                force=force,
                parallelism=parallelism,
                gate=_gate(planned, remote) if gate else None,
            )
            check_safe(plan, options)  # before asking: the answer would not matter
            if planfile is None and not auto_approve:
                _confirm(app, err=to_stderr)
            with Progress.start(app, "Applying", len(plan.actionable())) as progress:
                result = run_apply(planned, remote, options, _reporter(app, progress, to_stderr))
    _summarise(app, planned, result, fmt)
    if result is not None and result.failed:
        ctx.exit(1)
    if result is not None and result.refused:
        keys = ", ".join(o.change.key for o in result.refused)
        raise GateRefusedError(f"the eval gate refused the new version of {keys}; pins unchanged")


def _confirm(app: App, *, err: bool) -> None:
    if not app.interactive:
        raise UserError(
            "refusing to apply without confirmation: stdin is not a terminal; pass --auto-approve"
        )
    answer = click.prompt(
        "\nApply these changes? Only 'yes' will be accepted",
        default="",
        show_default=False,
        err=err,
    )
    if answer.strip() != "yes":
        raise UserError("apply cancelled; nothing was changed")


def _gate(planned: Planned, remote: Remote) -> Gate:
    from agentform.evals.workflow import EvalOptions, make_gate

    return make_gate(planned.project, remote, EvalOptions())


def _reporter(app: App, progress: Progress, to_stderr: bool) -> Callable[[Outcome], None]:
    """One line per finished change (failures on stderr), and the progress count."""

    def report(outcome: Outcome) -> None:
        change = outcome.change
        mark, color = OUTCOME_MARKS.get(outcome.status, ("GATE", "yellow"))
        err = to_stderr or outcome.status == "failed"
        painted = (app.paint_err if err else app.paint)(f"{mark:>4}", color)
        progress.echo(f"{painted}  {change.kind} {change.key}: {outcome.message}", err=err)
        if outcome.verdict is not None:
            from agentform.evals.render import render_comparison

            for comparison in outcome.verdict.details:
                shown = textwrap.indent(render_comparison(comparison, "text"), "      ")
                progress.echo(shown.rstrip("\n"), err=err)
        progress.advance()

    return report


def _summarise(app: App, planned: Planned, result: ApplyResult | None, fmt: str) -> None:
    from agentform.pins.model import load_or_empty
    from agentform.render.applied import render_apply_json, state, summary_line

    line = summary_line(result, app.pins_path)
    style = "green" if state(result) == "complete" else "red"
    if fmt == "json":
        click.echo(app.paint_err(line, style, "bold"), err=True)
        pins = load_or_empty(app.pins_path)
        click.echo(render_apply_json(planned.plan, result, pins, app.pins_path), nl=False)
        return
    click.echo("\n" + app.paint(line, style, "bold"))


COMMANDS = [apply]
