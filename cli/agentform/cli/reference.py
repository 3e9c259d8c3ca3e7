"""docs/cli.md, generated from the commands' own --help so the two cannot drift."""

from __future__ import annotations

from collections.abc import Iterator

import click

HEADER = """\
# agentform command-line reference

Generated from `agentform --help` by `make docs` (scripts/gen_cli_docs.py); a test fails
when it is stale. Exit codes: 0 success (and "no changes"), 1 any error (usage errors
too), 2 `plan --detailed-exitcode` with changes, 3 an eval gate that refused.
"""


def render_reference(root: click.Group) -> str:
    sections = [HEADER]
    top = click.Context(root, info_name="agentform", terminal_width=88, **root.context_settings)
    for path, ctx in _walk(root, top):
        sections.append(f"## `{' '.join(path)}`\n\n```\n{ctx.command.get_help(ctx)}\n```\n")
    return "\n".join(sections)


def _walk(command: click.Command, ctx: click.Context) -> Iterator[tuple[list[str], click.Context]]:
    ctx.max_content_width = 88
    yield ctx.command_path.split(), ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(
                    sub, click.Context(sub, info_name=name, parent=ctx, terminal_width=88)
                )
