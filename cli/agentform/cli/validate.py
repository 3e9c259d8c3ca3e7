"""`agentform validate`: every manifest and the pins file, offline."""

from __future__ import annotations

import click

from agentform.cli.app import App


@click.command()
@click.option(
    "--strict",
    is_flag=True,
    help="Make warnings errors (a model id the SDK does not know, say a typo).",
)
@click.pass_obj
def validate(app: App, strict: bool) -> None:
    """Check every manifest, eval suite and pins.yaml; no server call.

    Reports every problem (not only the first) as `path:line:col: field:
    message` and exits 1 when there is any. Checks the JSON Schema of each
    file, then what a schema cannot say: exactly one of system/system_file,
    the prompt file exists and is UTF-8, every MCP server is used by an
    mcp_toolset, server names are unique per kind, agentform's metadata keys
    are reserved; in eval suites (evals/*.yaml but responder.yaml), the agent
    and environment keys exist, every {placeholder} has an input, case ids
    are unique, regexes compile.

    A model id the SDK does not know is a warning with a did-you-mean (new
    models ship faster than SDKs); --strict makes every warning an error.

    \b
    Example:
      agentform validate
      agentform validate --strict
      agentform --dir estates/prod --pins pins.prod.yaml validate
    """
    from agentform.errors import ManifestErrors

    project = app.project()
    if strict and project.estate.warnings:
        raise ManifestErrors(project.estate.warnings)
    for manifest in project.estate:
        click.echo(f"ok  {manifest.kind:<11} {manifest.key:<20} {manifest.path}")
    for suite in project.suites.values():
        cases = f"{len(suite.cases)} case{'s' if len(suite.cases) != 1 else ''}"
        click.echo(f"ok  {'eval':<11} {suite.name:<20} {suite.path} ({cases})")
    pins = project.pins
    state = "ok " if app.pins_path.exists() else "new"
    click.echo(f"{state} {'pins':<11} {'':<20} {app.pins_path} ({pins.describe()})")


COMMANDS = [validate]
