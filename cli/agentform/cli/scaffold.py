"""`agentform init` and `agentform new`: start an estate, add a resource to one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from agentform.cli.app import App
from agentform.errors import UserError

NEXT_STEPS = (
    """
Next:
  agentform validate                        # check it, offline
  agentform --local apply --auto-approve    # create it on the local emulator
  agentform --local eval {suite}"""
    + " " * 10
    + """# score it on its eval suite
Without --local, the same commands talk to the API (ANTHROPIC_API_KEY)."""
)


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from-server",
    is_flag=True,
    help="Instead of the sample, import every object on the server (`import --all`).",
)
@click.pass_obj
def init(app: App, directory: Path | None, from_server: bool) -> None:
    """Start an estate in DIRECTORY (default: --dir, the current directory).

    Writes a commented sample (an agent, an environment, an eval suite and the
    responder rules `--local` sessions answer with), agentform's JSON Schemas
    in schemas/ (what the `$schema` line of each file points editors at),
    .gitignore (the local emulator's .agentform/), a pre-commit config and
    the CI workflows in .github/workflows/. It never overwrites a file: if
    any exists, nothing is written. With --from-server it writes no sample but
    imports what the server holds (`agentform import --all`).

    \b
    Example:
      agentform init && agentform --local apply --auto-approve
      agentform init prod --from-server
    """
    from agentform.scaffold.files import existing_estate, init_files, write_new

    root = directory if directory is not None else app.root
    if from_server and existing_estate(root):
        raise UserError(f"{root} already holds manifests; add to it with `agentform import`")
    written = write_new(root, init_files(sample_estate=not from_server))
    for path in written:
        click.echo(f"{app.paint('created', 'green')} {path}")
    if from_server:
        from agentform.cli.imports import run_import

        run_import(_in(app, root), None)
        return
    from agentform.scaffold.sample import AGENT

    click.echo(NEXT_STEPS.format(suite=AGENT))


def _in(app: App, root: Path) -> App:
    pins = app.pins_path if app.pins_path != app.root / "pins.yaml" else root / "pins.yaml"
    return replace(app, root=root, pins_path=pins)


@click.command()
@click.argument("kind", type=click.Choice(["agent", "environment", "suite"]))
@click.argument("key")
@click.option(
    "--agent", metavar="KEY", help="suite: the agent it scores.  [default: KEY, or the only one]"
)
@click.option(
    "--environment",
    metavar="KEY",
    help="suite: where its sessions run.  [default: the only one]",
)
@click.pass_obj
def new(app: App, kind: str, key: str, agent: str | None, environment: str | None) -> None:
    """Add one commented file: agents/KEY.yaml, environments/KEY.yaml or evals/KEY.yaml.

    The file documents its fields (and, for an agent, the formats of MCP
    toolsets, custom tools and skills, commented out) and passes `validate`
    as written. It never overwrites a file.

    \b
    Example:
      agentform new agent support
      agentform new suite support --environment default
    """
    from agentform.scaffold.files import new_file, write_new

    if kind != "suite" and (agent or environment):
        raise UserError("--agent and --environment are for `new suite`")
    file = new_file(app.root, kind, key, agent=agent, environment=environment)
    for path in write_new(app.root, [file]):
        click.echo(f"{app.paint('created', 'green')} {path}")


COMMANDS = [init, new]
