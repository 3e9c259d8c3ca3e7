"""`agentform pin` and `agentform pins check|log`: moving and explaining pins."""

from __future__ import annotations

import click

from agentform.cli.app import App
from agentform.errors import ManifestErrors, UserError


@click.command()
@click.argument("key")
@click.argument("version", required=False, type=click.IntRange(min=1))
@click.option("--latest", is_flag=True, help="Pin the agent's latest version.")
@click.pass_obj
def pin(app: App, key: str, version: int | None, latest: bool) -> None:
    """Move agent KEY's pin to VERSION (or --latest), after checking it exists.

    The one-command rollback for people who don't want a `git revert`: callers
    use the pinned version from their next session on. The version must exist
    and the agent must not be archived; the pin records the digest of that
    version's spec. Review and commit the pins.yaml change as usual.

    \b
    Example:
      agentform pin triage 1          # roll back to version 1
      agentform pin triage --latest   # and forward again
    """
    if (version is None) == (not latest):
        raise UserError("give a VERSION or --latest (one of them)")
    project = app.project()
    with app.remote(project.workspace_id) as remote:
        from agentform.pins.move import move_pin

        move = move_pin(project, remote, key, version)
    before = f"v{move.from_version}" if move.from_version else "unpinned"
    note = "" if move.written else " (already pinned there; pins.yaml unchanged)"
    held = f"; latest is v{move.latest_version}" if move.to_version < move.latest_version else ""
    click.echo(f"agent {key} ({move.id}): {before} -> v{move.to_version}{held}{note}")


@click.group()
def pins() -> None:
    """Check pins.yaml against the server, and show its history.

    \b
    Example:
      agentform pins check
      agentform pins log triage
    """


@pins.command()
@click.option(
    "--offline", is_flag=True, help="Check the file and the manifests only; no server call."
)
@click.pass_obj
def check(app: App, offline: bool) -> None:
    """Check that every pin is usable; exit 1 with a line per problem.

    Every pinned key has a manifest; and, unless --offline, every pinned id
    exists and is not archived, every pinned version exists, and every digest
    matches the pinned version's spec on the server. Run it in CI on pull
    requests that touch pins.yaml.

    \b
    Example:
      agentform pins check
      agentform pins check --offline
    """
    project = app.project()
    from agentform.pins.check import check_offline, check_online, locate

    problems = check_offline(project)
    if not offline:
        with app.remote(project.workspace_id) as remote:
            problems += check_online(project, remote)
    if problems:
        raise ManifestErrors(locate(project, problems))
    count = len(project.pins)
    where = "offline" if offline else "against the server"
    click.echo(f"ok: {count} pins in {app.pins_path} checked {where}")


@pins.command()
@click.argument("key", required=False)
@click.pass_obj
def log(app: App, key: str | None) -> None:
    """Show the history of pin moves (from git), newest first.

    Each line: when, commit, author, which pin moved and how. Rollbacks show
    as moves back, marked `(rollback)`.

    \b
    Example:
      agentform pins log
      agentform pins log triage
    """
    from agentform.pins.log import pin_log

    moves = pin_log(app.pins_path, key)
    if not moves:
        click.echo(f"no pin moves in the git history of {app.pins_path}")
    for move in moves:
        flag = "  (rollback)" if move.back else ""
        click.echo(
            f"{move.date}  {move.commit}  {move.author:<18} {move.kind} {move.key}: "
            f"{move.before} -> {move.after}{flag}  {move.subject}"
        )


COMMANDS = [pin, pins]
