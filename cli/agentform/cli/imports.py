"""`agentform import`: adopt existing agents, environments, deployments, vaults and
memory stores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

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

CONSENT = (
    "Importing marks each object with agentform.key so agentform manages it from now on; "
    "for an agent that makes a new version with identical content (a skill has no "
    "metadata: its pin alone marks it)."
)


@click.group(name="import", invoke_without_command=True)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Import every live object agentform does not manage yet.",
)
@click.pass_context
def import_(ctx: click.Context, everything: bool) -> None:
    """Write manifests and pins for objects that already exist on the server.

    Long prompts go to <key>.prompt.md. Existing manifests are never
    overwritten (exit 1). After an import, `plan` shows no changes for it.

    \b
    Example:
      agentform import agent agent_011CZkYpogX7uDKUyvBTophP --key triage
      agentform import environment env_011CZkZ9X2dpNyB7HsEFoRfW --key default
      agentform import skill skill_01AbCdEfGhJkLmNpQrStUvWx --key lookup
      agentform import deployment depl_011CZkZ9X2dpNyB7HsEFoRfW --key nightly
      agentform import --all
    """
    if ctx.invoked_subcommand is not None:
        if everything:
            raise UserError("--all imports everything; it takes no subcommand")
        return
    if not everything:
        raise UserError(
            "name what to import: `import agent|environment|skill|deployment|vault|memory-store "
            "ID`, or `import --all`"
        )
    run_import(ctx.obj, None)


@import_.command()
@click.argument("agent_id")
@click.option("--key", help="The key to manage it under.  [default: from its name]")
@click.pass_obj
def agent(app: App, agent_id: str, key: str | None) -> None:
    """Import one agent by id.

    \b
    Example:
      agentform import agent agent_011CZkYpogX7uDKUyvBTophP --key triage
    """
    run_import(app, ("agent", agent_id, key))


@import_.command()
@click.argument("environment_id")
@click.option("--key", help="The key to manage it under.  [default: from its name]")
@click.pass_obj
def environment(app: App, environment_id: str, key: str | None) -> None:
    """Import one environment by id.

    \b
    Example:
      agentform import environment env_011CZkZ9X2dpNyB7HsEFoRfW --key default
    """
    run_import(app, ("environment", environment_id, key))


@import_.command()
@click.argument("skill_id")
@click.option("--key", help="The key to manage it under.  [default: from its name]")
@click.option("--version", help="The version to download and pin.  [default: the latest]")
@click.pass_obj
def skill(app: App, skill_id: str, key: str | None, version: str | None) -> None:
    """Import one custom skill by id: download its files into skills/KEY/.

    \b
    Example:
      agentform import skill skill_01AbCdEfGhJkLmNpQrStUvWx --key lookup
    """
    run_import(app, ("skill", skill_id, key), version)


@import_.command()
@click.argument("deployment_id")
@click.option("--key", help="The key to manage it under.  [default: from its name]")
@click.pass_obj
def deployment(app: App, deployment_id: str, key: str | None) -> None:
    """Import one deployment by id.

    The agent, environment and vaults it uses must be managed here already
    (or imported in the same `import --all`): its manifest names them by key.
    It keeps running the agent version it runs now: the manifest holds that
    version (`agent: {key, version}`) unless it is the pinned one.

    \b
    Example:
      agentform import deployment depl_011CZkZ9X2dpNyB7HsEFoRfW --key nightly
    """
    run_import(app, ("deployment", deployment_id, key))


@import_.command()
@click.argument("vault_id")
@click.option("--key", help="The key to manage it under.  [default: from its name]")
@click.pass_obj
def vault(app: App, vault_id: str, key: str | None) -> None:
    """Import one vault by id (without its credentials: their secrets cannot be read).

    The credentials it holds stay as they are; agentform never touches a
    credential it did not make. Add `credentials:` to its manifest to manage
    new ones.

    \b
    Example:
      agentform import vault vlt_011CZkZ9X2dpNyB7HsEFoRfW --key github
    """
    run_import(app, ("vault", vault_id, key))


@import_.command(name="memory-store")
@click.argument("memory_store_id")
@click.option("--key", help="The key to manage it under.  [default: from its name]")
@click.pass_obj
def memory_store(app: App, memory_store_id: str, key: str | None) -> None:
    """Import one memory store by id (its memories stay; none become seed files).

    \b
    Example:
      agentform import memory-store memstore_011CZkZ9X2dpNyB7HsEFoRfW --key notes
    """
    run_import(app, ("memory_store", memory_store_id, key))


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
        progress.echo(CONSENT)
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
