"""`agentform schema`: print the JSON Schemas that are agentform's file contract."""

from __future__ import annotations

import click

from agentform.manifests.schemas import KINDS, schema_text

_ABOUT = {
    "agent": "an agents/<key>.yaml manifest",
    "environment": "an environments/<key>.yaml manifest",
    "pins": "the pins.yaml lock file",
    "eval": "an evals/<name>.yaml eval suite",
    "deployment": "a deployments/<key>.yaml manifest",
    "vault": "a vaults/<key>.yaml manifest (credentials by key, secrets by source)",
    "memory_store": "a memory_stores/<key>.yaml manifest (seed files beside it)",
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
