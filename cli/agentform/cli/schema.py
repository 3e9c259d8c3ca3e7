"""`agentform schema`: print the JSON Schemas that are agentform's file contract."""

from __future__ import annotations

import click

from agentform.catalog import CATALOG
from agentform.manifests.schemas import KINDS, schema_text

_ABOUT = {
    **{e.name: e.about for e in CATALOG},
    "pins": "the pins.yaml lock file",
    "eval": "an evals/<name>.yaml eval suite",
}


@click.command()
@click.argument("kind", required=False, type=click.Choice(KINDS))
def schema(kind: str | None) -> None:
    """Print the JSON Schema for KIND; without KIND, list the kinds.

    The same files are in the repository's schemas/ directory; manifests point
    editors at them with a `# yaml-language-server: $schema=...` first line.

    \b
    Example:
      agentform schema agent > agent.schema.json
    """
    if kind is None:
        for name in KINDS:
            click.echo(f"{name:<12} {_ABOUT.get(name, '')}")
        return
    click.echo(schema_text(kind), nl=False)


COMMANDS = [schema]
