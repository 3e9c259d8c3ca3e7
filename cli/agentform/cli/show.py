"""`agentform show`: a saved plan, rendered again in any format."""

from __future__ import annotations

from pathlib import Path

import click

from agentform.cli.app import App
from agentform.cli.options import format_option
from agentform.render import Format


@click.command()
@click.argument("planfile", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@format_option
@click.pass_obj
def show(app: App, planfile: Path, fmt: Format) -> None:
    """Show a plan saved with `plan --out`, as text, Markdown or JSON.

    Offline: it reads the file alone (its checksum must match, so an edited
    plan is refused) and renders it exactly as `plan` rendered it when it
    was saved. `apply PLANFILE` applies it.

    \b
    Example:
      agentform plan --out plan.json
      agentform show plan.json --format markdown > plan.md
    """
    from agentform.plan import saved as planfile_module
    from agentform.render import render_plan

    saved = planfile_module.load(planfile)
    click.echo(render_plan(saved.plan, fmt, color=app.color and fmt == "text"), nl=False)


COMMANDS = [show]
