"""`agentform forget`: stop managing a resource, leaving it on the server."""

from __future__ import annotations

import click

from agentform.catalog import MARKED
from agentform.cli.app import App
from agentform.cli.progress import Progress


@click.command()
@click.argument("key")
@click.option(
    "--kind",
    "kind_name",
    type=click.Choice(MARKED),
    help="When KEY names resources of more than one kind.",
)
@click.pass_obj
def forget(app: App, key: str, kind_name: str | None) -> None:
    """Stop managing KEY without archiving it (like `terraform state rm`).

    The server object stays live and unchanged for its callers; agentform
    removes its markers (agentform.key, agentform.digest; for an agent that
    makes a new version with identical content), drops its pin from
    pins.yaml, and deletes its manifest (and the prompt file only it uses;
    git has them). `plan` then no longer mentions it. Refused while an eval
    suite names it. To manage it again: `agentform import`.

    \b
    Example:
      agentform forget triage
      agentform forget default --kind environment
    """
    project = app.project()
    with Progress.start(app, "Forgetting"), app.remote(project.workspace_id) as remote:
        from agentform.apply.forget import forget as forget_key

        done = forget_key(project, remote, key, kind_name)
    for object_id in done.unmarked:
        click.echo(f"unmarked {done.kind} {object_id} (left live on the server)")
    if done.unpinned:
        click.echo(f"dropped the pin of {done.key} from {app.pins_path}")
    for path in done.removed:
        click.echo(f"removed {path}")
    click.echo(app.paint(f"agentform no longer manages {done.kind} {done.key}.", "bold"))


COMMANDS = [forget]
