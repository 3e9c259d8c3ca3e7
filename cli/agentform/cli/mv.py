"""`agentform mv`: rename a resource's key without recreating it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from agentform.catalog import NAMES
from agentform.cli.app import App
from agentform.cli.progress import Progress

if TYPE_CHECKING:
    from agentform.apply.mv import Rename
    from agentform.pins.model import Pin
    from agentform.remote.state import ServerObject

KINDS = list(NAMES)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--kind",
    "kind_name",
    type=click.Choice(KINDS),
    help="When OLD names resources of more than one kind (or write KIND/OLD).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be renamed; change nothing.")
@click.pass_obj
def mv(app: App, old: str, new: str, kind_name: str | None, dry_run: bool) -> None:
    """Rename OLD to NEW without recreating it (like `terraform state mv`).

    The server object keeps its id and its version history, and callers keep
    the version they run. Renamed: the manifest file (a skill's or memory
    store's directory too; a file it pulls in that is named after the key and
    used by no other manifest, such as OLD.prompt.md, with the field naming
    it), every reference to the key in other manifests
    ({agent: OLD} in a roster, {skill: OLD}, a deployment's agent:, an eval
    suite's agent:, a moved.yaml to:), its pin in pins.yaml (same id, version
    and digest), and the server marker agentform.key. An agent's metadata is
    versioned, so the marker makes a new version with the same content; the
    pin stays on the version callers run. `plan` then shows no changes.
    Refused before any change when NEW exists (manifest, pin or marked object)
    or a key is invalid. Run it again to finish one that stopped halfway; run
    it after renaming the files yourself and it renames the pin and marker.
    To rename in a pull request instead, see moved.yaml in the README.

    \b
    Example:
      agentform mv triage support-triage --dry-run
      agentform mv triage support-triage
      agentform mv skill/lookup ticket-lookup
    """
    project = app.project()
    with Progress.start(app, "Moving"), app.remote(project.workspace_id) as remote:
        from agentform.apply.mv import plan_move, run_move

        rename = plan_move(project, remote, old, new, kind_name)
        if not dry_run:
            rename = run_move(project, remote, rename)
    _show(app, rename, done=not dry_run)
    if dry_run:
        click.echo(app.paint("Dry run: nothing was changed.", "bold"))
        return
    click.echo(
        app.paint(
            f"Moved {rename.kind} {rename.old} to {rename.new}: same id, same pinned version.",
            "bold",
        )
    )


def _show(app: App, rename: Rename, *, done: bool) -> None:
    from agentform.kinds import kind
    from agentform.pins.model import label

    click.echo(f"{rename.kind} {rename.old} -> {rename.new}")
    for source, target in rename.paths:
        click.echo(f"  {'renamed' if done else 'rename'} {source} -> {target}")
    for edit in rename.edits:
        where = f"{edit.path}:{edit.line}:{edit.column} {edit.field}"
        click.echo(f"  {'rewrote' if done else 'rewrite'} {where}: {rename.old} -> {rename.new}")
    of = kind(rename.kind)
    pin = rename.pin
    if pin is not None:
        version = f" {label(pin.version)}" if pin.version is not None else ""
        click.echo(
            f"  {'renamed' if done else 'rename'} pin {of.plural}.{rename.old} -> "
            f"{of.plural}.{rename.new} in {app.pins_path} ({pin.id}{version}, unchanged)"
        )
    for obj in rename.objects:
        note = _version_note(obj, pin, done) if of.versioned else ""
        click.echo(f"  {'marked' if done else 'mark'} {obj.id} agentform.key={rename.new}{note}")


def _version_note(obj: ServerObject, pin: Pin | None, done: bool) -> str:
    """A versioned kind's metadata is versioned: say which version the marker makes."""
    if not isinstance(obj.version, int):
        return ""
    stays = f"; callers stay on the pinned v{pin.version}" if pin is not None else ""
    if done:
        return f" (latest is now v{obj.version}, same content{stays})"
    return f" (makes v{obj.version + 1}, same content{stays})"


COMMANDS = [mv]
