"""Global options, accepted before the command (`agentform --local plan`) or after it
(`agentform plan --local`), and a did-you-mean for Terraform's single-dash spelling.

The group parses them first; every command also carries them as hidden options whose
callbacks update the `App` the command receives. Their values live in `ctx.meta`
(shared by the whole context chain), so `--dir` given late still decides the default
`--pins`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from agentform.cli.app import App

META = "agentform.globals"
_SINGLE_DASH = re.compile(r"^-[A-Za-z][A-Za-z0-9-]+(=.*)?$")


def global_options() -> list[click.Option]:
    """The options every command accepts; fresh objects on each call."""
    return [
        click.Option(
            ["--dir", "root"],
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="The estate: holds agents/, environments/, evals/ and pins.yaml.  [default: .]",
        ),
        click.Option(
            ["--pins", "pins_path"],
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="The pins file to read and write.  [default: DIR/pins.yaml]",
        ),
        click.Option(
            ["--workspace-id"],
            default=None,
            metavar="ID",
            help="Workspace to act on (sent as the SDK's workspace_id).",
        ),
        click.Option(
            ["--local"],
            is_flag=True,
            default=None,
            help="Use the embedded emulator (state in DIR/.agentform/); no API key needed.",
        ),
        click.Option(
            ["--no-color"],
            is_flag=True,
            default=None,
            help="No colours (also: the NO_COLOR variable; never in a pipe or a file).",
        ),
        click.Option(["--debug"], is_flag=True, default=None, help="Show tracebacks for errors."),
    ]


GLOBAL_NAMES = tuple(o.name for o in global_options())
GLOBAL_FLAGS = tuple(flag for o in global_options() for flag in o.opts)


def start(ctx: click.Context, given: dict[str, Any]) -> App:
    """The group's callback: record what it was given, build the App."""
    ctx.meta[META] = {k: v for k, v in given.items() if v not in (None, False)}
    return build_app(ctx.meta[META])


def build_app(values: dict[str, Any]) -> App:
    workspace = values.get("workspace_id")
    if workspace is not None and not workspace.strip():
        raise click.BadParameter(
            "is empty (an unset variable in CI?); give an ID, or leave the option off to use "
            "the workspace the pins file records (or the default one)",
            param_hint="'--workspace-id'",
        )
    root = values.get("root") or Path()
    pins = values.get("pins_path")
    return App(
        root=root,
        pins_path=pins if pins is not None else root / "pins.yaml",
        workspace_id=values.get("workspace_id"),
        local=bool(values.get("local")),
        debug=bool(values.get("debug")),
        no_color=bool(values.get("no_color")),
    )


def attach(command: click.Command) -> None:
    """Give `command` (and, for a group, its subcommands) the global options, hidden."""
    taken = {flag for param in command.params for flag in getattr(param, "opts", ())}
    for option in global_options():
        if taken.isdisjoint(option.opts):
            option.hidden = True
            option.expose_value = False
            option.callback = _late
            command.params.append(option)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach(sub)


def _late(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A global option given after the command: update the App of every enclosing context."""
    if value in (None, False) or param.name is None:
        return
    values = ctx.meta.setdefault(META, {})
    values[param.name] = value
    app = build_app(values)
    for each in _chain(ctx):
        if isinstance(each.obj, App) or each.obj is None:
            each.obj = app


def _chain(ctx: click.Context | None) -> Iterable[click.Context]:
    while ctx is not None:
        yield ctx
        ctx = ctx.parent


def single_dash_hint(argv: Sequence[str], exc: click.NoSuchOption) -> str | None:
    """For `-auto-approve` (read by click as `-a -u -t ...`): "did you mean --auto-approve?"."""
    short = exc.option_name
    if short.startswith("--") or len(short) != 2:
        return None
    known = set(GLOBAL_FLAGS)
    if exc.ctx is not None:
        known |= {flag for p in exc.ctx.command.params for flag in getattr(p, "opts", ())}
    for token in argv:
        if _SINGLE_DASH.match(token) and token.startswith(short):
            wanted = "-" + token.split("=", 1)[0]
            if wanted in known:
                typed = token.split("=", 1)[0]
                return (
                    f"No such option: {typed} (long options take two dashes); "
                    f"did you mean {wanted}?"
                )
    return None
