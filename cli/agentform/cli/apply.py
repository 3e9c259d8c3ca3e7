"""`agentform apply`: make the server match the manifests and record the pins."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agentform.cli.app import App
from agentform.cli.options import prune_option, target_option
from agentform.errors import BrokenPinsError, GateRefusedError, UserError

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
) -> None:
    """Create and update what the plan says, and record the pins.

    Changed agents get a new version (sent with `version=` so a concurrent
    change on the server is refused, never overwritten); new ones are created;
    environments are updated in place. Each success is recorded in pins.yaml
    by one locked writer, within a fraction of a second. A pin moves only for a
    resource this apply created, updated or replaced, and only if nobody moved
    it meanwhile: a rolled-back pin stays where it is. An interrupted apply
    (Ctrl+C, SIGTERM, a crash) is finished by the next one. With PLANFILE (from
    `plan --out`) it applies exactly that plan, and refuses it if the manifests
    or the server moved since. With --gate, an updated agent's pin moves only if
    its new version does not regress on the agent's eval suites (see `eval`);
    exit 3 when the gate refused one (1 wins if something also failed).

    \b
    Example:
      agentform apply
      agentform apply --auto-approve          # in CI, after merge
      agentform apply --auto-approve --gate   # ... and refuse regressions
      agentform plan --out plan.json && agentform apply plan.json
    """
    from agentform.apply.lock import apply_lock
    from agentform.pins.store import PinStore

    app: App = ctx.obj
    if planfile is not None and (targets or prune or prune_strays):
        raise UserError(
            "--target, --prune and --prune-strays cannot be combined with a saved plan "
            "(it keeps those it was made with: `plan --prune --out FILE`)"
        )
    project = app.project()
    store = PinStore(app.pins_path)
    store.check_writable()  # before any server write: never a change that cannot be pinned
    with apply_lock(app.pins_path, lock_timeout):
        project = replace(project, pins=app.reread_pins(store))
        result = _apply(app, project, planfile, _Choices(
            auto_approve, prune, prune_strays, targets, parallelism, force, gate, max_wait
        ))  # fmt: skip
    if result is None:
        return
    _summarise(result, app)
    if result.interrupted:
        ctx.exit(EXIT_INTERRUPTED)
    if result.failed:
        ctx.exit(1)
    if result.refused:
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


def _apply(
    app: App, project: Project, planfile: Path | None, choices: _Choices
) -> ApplyResult | None:
    from agentform.apply.run import ApplyInterrupted, ApplyOptions, check_safe
    from agentform.apply.writes import RetryPolicy
    from agentform.plan.saved import Scope
    from agentform.render import render_plan
    from agentform.workflow import fresh_saved_plan, make_plan, run_apply

    with app.remote(project.workspace_id) as remote:
        if planfile is not None:
            planned = fresh_saved_plan(project, remote, planfile)
        else:
            scope = Scope(choices.targets, choices.prune, choices.prune_strays)
            planned = make_plan(project, remote, scope)
        plan = planned.plan
        click.echo(render_plan(plan, "text", color=app.color), nl=False)
        if plan.errors:
            raise BrokenPinsError(plan)
        if not plan.has_changes:
            return None
        options = ApplyOptions(
            force=choices.force,
            parallelism=choices.parallelism,
            policy=RetryPolicy(max_wait=choices.max_wait, on_wait=_waiting),
            gate=_gate(planned, remote) if choices.gate else None,
        )
        check_safe(plan, options)  # before asking: the answer would not matter
        if planfile is None and not choices.auto_approve:
            _confirm(app)
        try:
            return run_apply(planned, remote, options, _report)
        except ApplyInterrupted as stopped:
            return stopped.result


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


def _waiting(what: str, seconds: float, why: str) -> None:
    click.echo(f"wait  {what}: retrying in {seconds:.0f} s ({why})", err=True)


def _report(outcome: Outcome) -> None:
    change = outcome.change
    marks = {
        "done": "ok",
        "unchanged": "ok",
        "skipped": "skip",
        "failed": "FAIL",
        "stopped": "STOP",
        "kept": "KEPT",
    }
    mark = marks.get(outcome.status, "GATE")
    failed = outcome.status in ("failed", "stopped")
    click.echo(f"{mark:>4}  {change.kind} {change.key}: {outcome.message}", err=failed)
    if outcome.verdict is not None:
        from agentform.evals.render import render_comparison

        for comparison in outcome.verdict.details:
            click.echo(textwrap.indent(render_comparison(comparison, "text"), "      "), nl=False)


def _summarise(result: ApplyResult, app: App) -> None:
    parts = [f"{result.count('done')} done", f"{len(result.failed)} failed"]
    for status in ("refused", "kept", "skipped"):
        if result.count(status):
            parts.append(f"{result.count(status)} {status}")
    if result.not_started:
        parts.append(f"{len(result.not_started)} not started")
    pins = f"{app.pins_path} updated" if result.pins_changed else f"{app.pins_path} unchanged"
    state = "complete"
    if result.interrupted:
        state = "interrupted"
    elif result.failed or result.refused:
        state = "failed" if result.failed else "refused by the eval gate"
    click.echo(f"\nApply {state}: {', '.join(parts)}; {pins}.")
    if result.interrupted:
        click.echo(
            "Everything that finished is pinned. Run `agentform apply` again to finish the "
            "rest: it pins what was made without a recorded pin and makes what was not "
            "started.",
            err=True,
        )


COMMANDS = [apply]
