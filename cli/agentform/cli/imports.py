"""`agentform import`: adopt existing objects of any kind, one subcommand per kind.

The subcommands, their help and the usage error follow the catalog (`agentform.catalog`):
a kind that can be imported needs nothing here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from agentform.catalog import CATALOG, Entry
from agentform.cli.app import App
from agentform.cli.progress import Progress
from agentform.errors import UserError
from agentform.pins.model import label
from agentform.remote.state import KindName

if TYPE_CHECKING:
    from agentform.apply.adopt import Imported
    from agentform.pins.model import Pins
    from agentform.remote.client import Remote
    from agentform.remote.state import ServerObject


def consent(kinds: set[str]) -> str:
    """What importing does to the objects, with a note for each kind imported that has one."""
    notes = "; ".join(e.import_note for e in CATALOG if e.name in kinds and e.import_note)
    return "Importing marks each object with agentform.key so agentform manages it from now on" + (
        f"; {notes}." if notes else "."
    )


def _help() -> str:
    examples = "\n".join(f"  {e.import_example()}" for e in CATALOG)
    return f"""Write manifests and pins for objects that already exist on the server.

Long prompts go to <key>.prompt.md. Existing manifests are never
overwritten (exit 1). After an import, `plan` shows no changes for it.

\b
Example:
{examples}
  agentform import --all
"""


@click.group(name="import", invoke_without_command=True, help=_help())
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Import every live object agentform does not manage yet.",
)
@click.pass_context
def import_(ctx: click.Context, everything: bool) -> None:
    if ctx.invoked_subcommand is not None:
        if everything:
            raise UserError("--all imports everything; it takes no subcommand")
        return
    if not everything:
        kinds = "|".join(e.command for e in CATALOG)
        raise UserError(f"name what to import: `import {kinds} ID`, or `import --all`")
    run_import(ctx.obj, None)


def _subcommand(entry: Entry) -> click.Command:
    """`import <kind> ID --key KEY` (and `--version V` for a kind that declares it)."""

    @click.pass_obj
    def callback(app: App, object_id: str, key: str | None, version: str | None = None) -> None:
        run_import(app, (entry.name, object_id, key), version)

    params: list[click.Parameter] = [
        click.Argument(["object_id"], metavar=f"{entry.name.upper()}_ID"),
        click.Option(["--key"], help="The key to manage it under.  [default: from its name]"),
    ]
    if entry.import_version:
        params.append(click.Option(["--version"], help=entry.import_version))
    return click.Command(
        entry.command, callback=callback, params=params, help=entry.help_for_import()
    )


for _entry in CATALOG:
    import_.add_command(_subcommand(_entry))


def run_import(
    app: App, one: tuple[KindName, str, str | None] | None, version: str | None = None
) -> None:
    from agentform.manifests.project import in_workspace
    from agentform.pins.fileformat import load_or_empty

    # No load_project here: adopting an account usually starts from an empty estate.
    pins = in_workspace(load_or_empty(app.pins_path), app.workspace_id)
    with Progress.start(app, "Importing") as progress, app.remote(pins.workspace_id) as remote:
        from agentform.apply.adopt import import_objects

        objects = _objects(app, pins, remote, one, version)
        if not objects:
            progress.echo("nothing to import: every live object is already managed")
            return
        progress.echo(consent({obj.kind for obj, _ in objects}))
        progress.total = len(objects)

        def imported(item: Imported) -> None:
            files = f"{item.manifest}" + (f" + {item.prompt}" if item.prompt else "")
            version = f" {label(item.version)}" if item.version else ""
            done = app.paint("imported", "green")
            progress.echo(f"{done} {item.kind} {item.id} as {item.key}: {files}, pinned{version}")
            progress.advance()

        import_objects(app.root, app.pins_path, pins, remote, objects, imported)


def _objects(
    app: App,
    pins: Pins,
    remote: Remote,
    one: tuple[KindName, str, str | None] | None,
    version: str | None,
) -> list[tuple[ServerObject, str | None]]:
    from agentform.apply.adopt import unmarked

    if one is None:
        return [(obj, None) for obj in unmarked(remote, app.root, pins)]
    kind, object_id, key = one
    return [(remote.retrieve(kind, object_id, version), key)]


COMMANDS = [import_]
