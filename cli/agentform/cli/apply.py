"""`agentform apply`: make the server match the manifests and record the pins."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agentform.cli.app import App
from agentform.cli.options import prune_option, target_option
from agentform.cli.progress import Progress
from agentform.cli.refresh import apply_refresh
from agentform.errors import BrokenPinsError, GateRefusedError, UserError
from agentform.render.style import OUTCOME_MARKS

if TYPE_CHECKING:
    from agentform.apply.run import ApplyResult, Gate, Outcome
    from agentform.manifests.project import Project
    from agentform.remote.client import Remote
    from agentform.workflow import Planned

EXIT_INTERRUPTED = 130


@click.command()
@click.argument(
    "planfile", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (for CI).")
@prune_option
@click.option(
    "--prune-strays",
    is_flag=True,
    help="Also archive objects marked by agentform that have neither a manifest nor a pin "
    "here (irreversible; `status` lists them).",
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
    "--max-wait",
    type=click.FloatRange(0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Fail a write whose server asks to retry after longer than this.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another apply of the same pins file to finish.",
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
    prune_strays: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force: bool,
    gate: bool,
    max_wait: float,
    lock_timeout: float,
    refresh_only: bool,
    fmt: str,
) -> None:
    """Create and update what the plan says, and record the pins.

    Changed agents get a new version (sent with `version=` so a concurrent
    change on the server is refused, never overwritten); new ones are created;
    environments are updated in place; what uses a changed resource by key
    follows it, dependencies first. A resource renamed in moved.yaml keeps its
    id: its pin and marker are renamed first. Each success is recorded in
    pins.yaml by one locked writer, within a fraction of a second. A pin moves
    only for a resource this apply created, updated or replaced, and only if
    nobody moved it meanwhile: a rolled-back pin stays where it is. An
    interrupted apply (Ctrl+C, SIGTERM, a crash) is finished by the next one.
    With PLANFILE (from `plan --out`) it applies exactly that plan, and refuses
    it if the manifests or the server moved since. With --gate, an updated
    agent's pin moves only if its new version does not regress on the agent's
    eval suites (see `eval`); exit 3 when the gate refused one (1 wins if
    something also failed).

    The last line always has every count, for CI steps to parse:
    `Apply complete: 1 created, 2 updated, 0 replaced, 0 pinned, 0 archived,
    0 moved; 0 failed, 0 refused, 0 skipped, 0 kept, 0 not started; pins.yaml
    updated.`
    (`complete` is `failed`, `interrupted` or `refused by the eval gate` when so).

    \b
    Example:
      agentform apply
      agentform apply --auto-approve          # in CI, after merge
      agentform apply --auto-approve --gate   # ... and refuse regressions
      agentform plan --out plan.json && agentform apply plan.json
      agentform apply --auto-approve --format json > applied.json
      agentform apply --refresh-only       # accept what was changed on the server
    """
    from agentform.apply.lock import apply_lock
    from agentform.pins.store import PinStore

    app: App = ctx.obj
    if planfile is not None and (targets or prune or prune_strays):
        raise UserError(
            "--target, --prune and --prune-strays cannot be combined with a saved plan "
            "(it keeps those it was made with: `plan --prune --out FILE`)"
        )
    project = app.project()  # manifest errors before anything heavy is imported
    if refresh_only:
        if planfile is not None or gate or prune or fmt != "text":
            raise UserError("--refresh-only takes no PLANFILE, --gate, --prune or --format json")
        apply_refresh(app, project, auto_approve, targets)
        return
    store = PinStore(app.pins_path)
    store.check_writable()  # before any server write: never a change that cannot be pinned
    choices = _Choices(
        auto_approve, prune, prune_strays, targets, parallelism, force, gate, max_wait, fmt
    )
    with apply_lock(app.pins_path, lock_timeout):
        project = replace(project, pins=app.reread_pins(store))
        planned, result = _apply(app, project, planfile, choices)
    _summarise(app, planned, result, fmt)
    if result is not None and result.interrupted:
        ctx.exit(EXIT_INTERRUPTED)
    if result is not None and result.failed:
        ctx.exit(1)
    if result is not None and result.refused:
        keys = ", ".join(o.change.key for o in result.refused)
        raise GateRefusedError(f"the eval gate refused the new version of {keys}; pins unchanged")


@dataclass(frozen=True)
class _Choices:
    auto_approve: bool
    prune: bool
    prune_strays: bool
    targets: tuple[str, ...]
    parallelism: int
    force: bool
    gate: bool
    max_wait: float
    fmt: str


def _apply(
    app: App, project: Project, planfile: Path | None, choices: _Choices
) -> tuple[Planned, ApplyResult | None]:
    to_stderr = choices.fmt == "json"
    with app.remote(project.workspace_id, sessions=choices.gate) as remote:  # and credentials
        from agentform.apply.run import ApplyInterrupted, ApplyOptions, check_safe
        from agentform.apply.writes import RetryPolicy
        from agentform.plan.saved import Scope
        from agentform.render import render_plan
        from agentform.workflow import fresh_saved_plan, make_plan, run_apply

        if planfile is not None:
            planned = fresh_saved_plan(project, remote, planfile)
        else:
            scope = Scope(choices.targets, choices.prune, choices.prune_strays)
            planned = make_plan(project, remote, scope)
        plan = planned.plan
        color = app.color_on(sys.stderr if to_stderr else sys.stdout)
        click.echo(render_plan(plan, "text", color=color), nl=False, err=to_stderr)
        if plan.errors:
            raise BrokenPinsError(plan)
        if not plan.has_changes:
            return planned, None
        options = ApplyOptions(
            force=choices.force,
            parallelism=choices.parallelism,
            policy=RetryPolicy(max_wait=choices.max_wait, on_wait=_waiting),
            gate=_gate(app, planned, remote) if choices.gate else None,
        )
        check_safe(plan, options)  # before asking: the answer would not matter
        if planfile is None and not choices.auto_approve:
            _confirm(app, err=to_stderr)
        with Progress.start(app, "Applying", len(plan.actionable())) as progress:
            try:
                result = run_apply(planned, remote, options, _reporter(app, progress, to_stderr))
            except ApplyInterrupted as stopped:
                result = stopped.result
        return planned, result


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


def _gate(app: App, planned: Planned, remote: Remote) -> Gate:
    from agentform.cli.eval_options import gate_defaults
    from agentform.evals.promotion import make_gate

    return make_gate(planned.project, remote, gate_defaults(app))


def _waiting(what: str, seconds: float, why: str) -> None:
    click.echo(f"wait  {what}: retrying in {seconds:.0f} s ({why})", err=True)


def _reporter(app: App, progress: Progress, to_stderr: bool) -> Callable[[Outcome], None]:
    """One line per finished change (failures on stderr), and the progress count."""

    def report(outcome: Outcome) -> None:
        change = outcome.change
        mark, color = OUTCOME_MARKS.get(outcome.status, ("GATE", "yellow"))
        err = to_stderr or outcome.status in ("failed", "stopped")
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
    from agentform.pins.fileformat import load_or_empty
    from agentform.render.applied import render_apply_json, state, summary_line

    line = summary_line(result, app.pins_path)
    style = "green" if state(result) == "complete" else "red"
    if fmt == "json":
        click.echo(app.paint_err(line, style, "bold"), err=True)
        pins = load_or_empty(app.pins_path)
        click.echo(render_apply_json(planned.plan, result, pins, app.pins_path), nl=False)
    else:
        click.echo("\n" + app.paint(line, style, "bold"))
    if result is not None and result.interrupted:
        click.echo(
            "Everything that finished is pinned. Run `agentform apply` again to finish the "
            "rest: it pins what was made without a recorded pin and makes what was not "
            "started.",
            err=True,
        )


COMMANDS = [apply]
