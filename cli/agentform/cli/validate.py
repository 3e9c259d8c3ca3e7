"""`agentform validate`: every manifest, eval suite, the responder rules and pins.yaml, offline."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from agentform.cli.app import App

if TYPE_CHECKING:
    from agentform.manifests.validation import Validation


@click.command()
@click.option(
    "--strict",
    is_flag=True,
    help="Make warnings errors (a model id the SDK does not know, say a typo).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: {valid, problems: [{path, line, column, field, message}], warnings, files}.",
)
@click.pass_context
def validate(ctx: click.Context, strict: bool, fmt: str) -> None:
    """Check every manifest, eval suite and pins.yaml; no server call.

    Reports every problem (not only the first) as `path:line:col: field:
    message` and exits 1 when there is any. Checks the JSON Schema of each
    file, then what a schema cannot say: exactly one of system/system_file,
    the prompt file exists and is UTF-8, every MCP server is used by an
    mcp_toolset, server names are unique per kind, agentform's metadata keys
    are reserved; in eval suites (evals/*.yaml but responder.yaml), the agent
    and environment keys exist, every {placeholder} has an input, case ids
    are unique, regexes compile; and evals/responder.yaml, the rules `--local`
    sessions answer with.

    A model id the SDK does not know is a warning with a did-you-mean (new
    models ship faster than SDKs); --strict makes every warning an error.

    \b
    Example:
      agentform validate
      agentform validate --strict --format json
      agentform --dir estates/prod --pins pins.prod.yaml validate
    """
    from agentform.errors import ManifestErrors
    from agentform.manifests.validation import validate_estate, validation_to_json

    app: App = ctx.obj
    result = validate_estate(app.root, app.pins_path, app.workspace_id)
    if strict:
        result = result.strict()
    if fmt == "json":
        click.echo(json.dumps(validation_to_json(result, app.pins_path), indent=2))
        ctx.exit(0 if result.valid else 1)
    for warning in result.warnings:
        click.echo(f"{app.paint_err('warning:', 'yellow')} {warning.describe()}", err=True)
    if not result.valid:
        raise ManifestErrors(result.problems)
    _report_ok(app, result)


def _report_ok(app: App, result: Validation) -> None:
    """One line per file, written at once (5,000 echoes cost more than the lines)."""
    assert result.project is not None
    ok = app.paint("ok ", "green")
    lines = [f"{ok} {m.kind:<11} {m.key:<20} {m.path}" for m in result.project.estate]
    for suite in result.project.suites.values():
        cases = f"{len(suite.cases)} case{'s' if len(suite.cases) != 1 else ''}"
        lines.append(f"{ok} {'eval':<11} {suite.name:<20} {suite.path} ({cases})")
    if result.responder is not None:
        rules = f"{result.responder_rules} rule{'s' if result.responder_rules != 1 else ''}"
        lines.append(f"{ok} {'responder':<11} {'':<20} {result.responder} ({rules})")
    pins = result.project.pins
    state = ok if app.pins_path.exists() else app.paint("new", "cyan")
    lines.append(f"{state} {'pins':<11} {'':<20} {app.pins_path} ({pins.describe()})")
    click.echo("\n".join(lines))


COMMANDS = [validate]
