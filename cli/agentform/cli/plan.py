"""`agentform plan`: what apply would change, as text, Markdown or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from agentform.cli.app import App
from agentform.cli.evaluate import plan_evals
from agentform.cli.options import format_option, prune_option, target_option
from agentform.cli.progress import Progress
from agentform.cli.refresh import plan_refresh
from agentform.errors import BrokenPinsError, UserError
from agentform.render import Format

EXIT_CHANGES = 2


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan here, for `agentform apply FILE`.",
)
@format_option
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0 when none, 1 on error).",
)
@target_option("Plan")
@prune_option
@click.option(
    "--eval",
    "evals",
    is_flag=True,
    help="Under the plan, score each updated agent's manifest (on a scratch agent, no new "
    "version) against its pinned version on its eval suites, like `eval --candidate "
    "manifest`. Exits 3 when a gate refuses. Text or markdown only.",
)
@click.option(
    "--refresh-only",
    is_flag=True,
    help="Show how the manifests would change to accept the server's values (see `apply "
    "--refresh-only`), instead of how the server would change.",
)
@click.pass_context
def plan(
    ctx: click.Context,
    out: Path | None,
    fmt: Format,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    prune: bool,
    evals: bool,
    refresh_only: bool,
) -> None:
    """Show what `apply` would change on the server, without changing anything.

    Reads the server with list calls only, compares it with the manifests
    (server-resolved defaults are not changes), and shows creates, updates (a
    new agent version), replaces, archives and pins to record, with a unified
    diff for prompts. The baseline is the pinned version (what callers run): a
    manifest equal to it is no change. Pins behind the latest version are
    reported as held (a rollback in effect) or unfinished (an interrupted apply
    made that version: apply pins it). A pin to a version or object that does
    not exist is an error (exit 1). Archives of removed manifests show as
    "only with --prune" unless --prune is given.

    \b
    Example:
      agentform plan
      agentform plan --format markdown > plan.md
      agentform plan --out plan.json --detailed-exitcode
      agentform plan --refresh-only        # what was changed on the server
      agentform plan --eval --format markdown > plan.md   # a pull-request comment
    """
    app: App = ctx.obj
    if refresh_only and out is not None:
        raise UserError("--out saves a plan for the server; --refresh-only changes no server")
    if evals and (fmt == "json" or refresh_only):
        raise UserError("--eval adds its comparison under a text or markdown plan")
    project = app.project()  # manifest errors before anything heavy is imported
    if refresh_only:
        plan_refresh(ctx, app, project, fmt, detailed_exitcode, targets)
        return
    with (
        Progress.start(app, "Reading the server"),
        app.remote(project.workspace_id, sessions=evals) as remote,  # and missing credentials
    ):
        from agentform.plan.saved import Scope
        from agentform.workflow import make_plan

        planned = make_plan(project, remote, Scope(targets, prune))
        measured = plan_evals(app, project, remote, planned.plan) if evals else None
    from agentform.plan import saved as planfile
    from agentform.render import render_plan

    click.echo(render_plan(planned.plan, fmt, color=app.color and fmt == "text"), nl=False)
    if measured is not None:
        click.echo(measured.render(fmt), nl=False)
    if planned.plan.errors:
        raise BrokenPinsError(planned.plan)
    if out is not None:
        planfile.save(out, planned.plan, planned.basis, planned.scope)
        click.echo(
            f"Saved the plan to {out}; apply exactly it with `agentform apply {out}`.", err=True
        )
    if measured is not None:
        measured.raise_for_gates()
    if detailed_exitcode and planned.plan.has_changes:
        ctx.exit(EXIT_CHANGES)


COMMANDS = [plan]
