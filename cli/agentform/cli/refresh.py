"""`plan --refresh-only` and `apply --refresh-only`: the server's values into the manifests."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from agentform.cli.app import App
from agentform.cli.progress import Progress
from agentform.errors import UserError

if TYPE_CHECKING:
    from agentform.manifests.project import Project
    from agentform.plan.refresh import RefreshPlan

EXIT_CHANGES = 2


def read_refresh(app: App, project: Project, targets: Sequence[str]) -> RefreshPlan:
    """Read the server (list calls only) and work out what to write; nothing is written."""
    _check_targets(project, targets)
    with Progress.start(app, "Reading the server"), app.remote(project.workspace_id) as remote:
        from agentform.plan.refresh import build_refresh

        state = remote.read_state()
    return build_refresh(project.estate, state, project.pins, targets=targets)


def plan_refresh(
    ctx: click.Context,
    app: App,
    project: Project,
    fmt: str,
    detailed: bool,
    targets: Sequence[str],
) -> None:
    from agentform.render.refresh import render_refresh

    refresh = read_refresh(app, project, targets)
    click.echo(render_refresh(refresh, fmt, color=app.color and fmt == "text"), nl=False)
    if detailed and refresh.has_changes:
        ctx.exit(EXIT_CHANGES)


def apply_refresh(app: App, project: Project, auto_approve: bool, targets: Sequence[str]) -> None:
    from agentform.manifests.rewrite import rewrite_manifest, write_text
    from agentform.render.refresh import render_refresh

    refresh = read_refresh(app, project, targets)
    click.echo(render_refresh(refresh, "text", color=app.color), nl=False)
    if not refresh.has_changes:
        return
    if not auto_approve:
        _confirm(app)
    for change in refresh.refreshes:
        for path, text in change.files.items():
            write_text(path, text)
            click.echo(f"{app.paint('wrote', 'green')} {path}")
        if change.updates:
            rewrite_manifest(change.path, change.kind, change.updates)
            click.echo(f"{app.paint('wrote', 'green')} {change.path}")
        if change.kind == "agent" and change.version is not None:
            click.echo(
                f"     agent {change.key}: the manifest now matches v{change.version}; pins.yaml "
                f"is unchanged (`agentform pin {change.key} {change.version}` moves it there)"
            )
    count = len(refresh.refreshes)
    click.echo(f"\nRefresh complete: {count} manifest{'s' if count != 1 else ''} updated.")


def _confirm(app: App) -> None:
    if not sys.stdin.isatty():
        raise UserError(
            "refusing to rewrite manifests without confirmation: stdin is not a terminal; "
            "pass --auto-approve"
        )
    answer = click.prompt(
        "\nWrite the server's values into these manifests? Only 'yes' will be accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        raise UserError("refresh cancelled; nothing was written")


def _check_targets(project: Project, targets: Sequence[str]) -> None:
    known = {m.key for m in project.estate}
    unknown = sorted(set(targets) - known)
    if unknown:
        raise UserError(
            f"--target {', '.join(unknown)}: no such manifest (known: {', '.join(sorted(known))})"
        )
