"""`agentform apply`: make the server match the manifests and record the pins."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agentform.cli.app import App
from agentform.cli.options import target_option
from agentform.errors import GateRefusedError, UserError

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

    \b
    Example:
      agentform apply
      agentform apply --auto-approve          # in CI, after merge
      agentform apply --auto-approve --gate   # ... and refuse regressions
      agentform plan --out plan.json && agentform apply plan.json
    """
    app: App = ctx.obj
    if planfile is not None and targets:
        raise UserError("--target cannot be combined with a saved plan (it keeps its own targets)")
    project = app.project()  # manifest errors before anything heavy is imported
    with app.remote(project.workspace_id, sessions=gate) as remote:  # and missing credentials
        from agentform.apply.run import ApplyOptions, check_safe
        from agentform.render import render_plan
        from agentform.workflow import fresh_saved_plan, make_plan, run_apply

        if planfile is not None:
            planned = fresh_saved_plan(project, remote, planfile)
        else:
            planned = make_plan(project, remote, targets)
        plan = planned.plan
        click.echo(render_plan(plan, "text", color=app.color), nl=False)
        if not plan.has_changes:
            return
        options = ApplyOptions(
            prune=prune,
            force=force,
            parallelism=parallelism,
            gate=_gate(planned, remote) if gate else None,
        )
        check_safe(plan, options)  # before asking: the answer would not matter
        if planfile is None and not auto_approve:
            _confirm(app)
        result = run_apply(planned, remote, options, _report)
    _summarise(result, app)
    if result.failed:
        ctx.exit(1)
    if result.refused:
        keys = ", ".join(o.change.key for o in result.refused)
        raise GateRefusedError(f"the eval gate refused the new version of {keys}; pins unchanged")


def _confirm(app: App) -> None:
    if not app.interactive:
        raise UserError(
            "refusing to apply without confirmation: stdin is not a terminal; pass --auto-approve"
        )
    answer = click.prompt(
        "\nApply these changes? Only 'yes' will be accepted", default="", show_default=False
    )
    if answer.strip() != "yes":
        raise UserError("apply cancelled; nothing was changed")


def _gate(planned: Planned, remote: Remote) -> Gate:
    from agentform.evals.workflow import EvalOptions, make_gate

    return make_gate(planned.project, remote, EvalOptions())


def _report(outcome: Outcome) -> None:
    change = outcome.change
    marks = {"done": "ok", "unchanged": "ok", "skipped": "skip", "failed": "FAIL"}
    mark = marks.get(outcome.status, "GATE")
    click.echo(
        f"{mark:>4}  {change.kind} {change.key}: {outcome.message}", err=outcome.status == "failed"
    )
    if outcome.verdict is not None:
        from agentform.evals.render import render_comparison

        for comparison in outcome.verdict.details:
            click.echo(textwrap.indent(render_comparison(comparison, "text"), "      "), nl=False)


def _summarise(result: ApplyResult, app: App) -> None:
    parts = [f"{result.count('done')} done", f"{result.count('failed')} failed"]
    if result.count("refused"):
        parts.append(f"{result.count('refused')} refused")
    if result.count("skipped"):
        parts.append(f"{result.count('skipped')} skipped")
    pins = f"{app.pins_path} updated" if result.pins_changed else f"{app.pins_path} unchanged"
    state = "complete"
    if result.failed or result.refused:
        state = "failed" if result.failed else "refused by the eval gate"
    click.echo(f"\nApply {state}: {', '.join(parts)}; {pins}.")


COMMANDS = [apply]
