"""`agentform fmt`: rewrite manifests and eval suites in the canonical layout."""

from __future__ import annotations

import difflib

import click

from agentform.cli.app import App
from agentform.errors import ManifestErrors, UserError


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Show what changes, as a unified diff.")
@click.pass_obj
def fmt(app: App, check: bool, show_diff: bool) -> None:
    """Format every manifest and eval suite: layout only, never meaning.

    Two-space indentation with list items under their key, quotes only where
    YAML needs them, and the top-level fields in a fixed order per kind (an
    agent: name, model, description, system or system_file, tools,
    mcp_servers, skills, metadata, ...). Comments are kept and move with the
    field below them; flow style ({a: 1}) is kept. A file is rewritten only
    when the result holds exactly the same data. Lists the files it changed;
    --check changes none and exits 1 when any would change (for CI).

    \b
    Example:
      agentform fmt
      agentform fmt --check --diff     # in CI or a pre-commit hook
    """
    from agentform.manifests.fmt import estate_files, format_file, write_formatted

    if not app.root.is_dir():
        raise UserError(f"{app.root} is not a directory")
    results = [format_file(path, kind) for kind, path in estate_files(app.root)]
    changed = [r for r in results if r.changed]
    for result in changed:
        if show_diff:
            before = result.path.read_text(encoding="utf-8")
            click.echo(_diff(before, result.text, str(result.path)), nl=False)
        if not check:
            write_formatted(result)
        verb = "would reformat" if check else "reformatted"
        click.echo(f"{app.paint(verb, 'yellow')} {result.path}")
    errors = [r.error for r in results if r.error is not None]
    if errors:
        raise ManifestErrors(errors)
    if check and changed:
        raise UserError(f"{len(changed)} of {len(results)} files need `agentform fmt`")
    if not changed:
        click.echo(f"{len(results)} files already formatted")


def _diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), name, name
    )
    return "".join(lines)


COMMANDS = [fmt]
