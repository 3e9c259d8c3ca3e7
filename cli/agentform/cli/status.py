"""`agentform status`: manifest vs latest version vs pin, one row per resource."""

from __future__ import annotations

import json

import click

from agentform.cli.app import App
from agentform.cli.progress import Progress
from agentform.pins.model import label
from agentform.render.style import STATE_COLORS


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def status(app: App, fmt: str) -> None:
    """Show, per resource, its pinned and latest version and a state.

    \b
    synced      server matches the manifest; pin on the latest version
    held        pin behind the latest version: a rollback in effect
    pending     the manifest differs from what callers run: apply needed
    unfinished  an interrupted apply made a version it did not pin: apply pins it
    drifted     changed outside agentform since it was last applied
    missing     the pinned object is archived or gone
    unmanaged   pinned, but no manifest
    broken      the pin names a version or object that does not exist
    stray       marked by agentform, neither manifest nor pin here

    \b
    Example:
      agentform status
      agentform status --format json | jq '.[] | select(.state != "synced")'
    """
    project = app.project()
    from agentform.plan.status import build_status

    with (
        Progress.start(app, "Reading the server"),
        app.remote(project.workspace_id) as remote,
    ):
        from agentform.workflow import read_state  # the SDK: only once credentials are there

        server = read_state(project, remote, detail=True)
        rows = build_status(project.estate, server, project.pins)
    if fmt == "json":
        click.echo(json.dumps([row.to_json() for row in rows], indent=2))
        return
    header = f"{'KIND':<12} {'KEY':<20} {'ID':<34} {'PINNED':>6} {'LATEST':>6}  STATE"
    click.echo(app.paint(header, "bold"))
    for row in rows:
        pinned = label(row.pinned_version) if row.pinned_version else "-"
        latest = label(row.latest_version) if row.latest_version else "-"
        detail = f"  ({row.detail})" if row.detail else ""
        ident = row.id or "-"
        columns = f"{row.kind:<12} {row.key:<20} {ident:<34} {pinned:>6} {latest:>6}"
        state = app.paint(row.state, STATE_COLORS.get(row.state, "bold"))
        click.echo(f"{columns}  {state}{detail}")
        for line in row.lines:
            click.echo(f"{'':<12} {line}")


COMMANDS = [status]
