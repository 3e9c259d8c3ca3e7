"""The `agentform` group, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from agentform import __version__
from agentform.cli.app import App
from agentform.errors import AgentformError

EXIT_OK, EXIT_ERROR = 0, 1


class AgentformGroup(click.Group):
    """A click group whose every failure exits 1 (click's usage errors would exit 2).

    Exit 2 is reserved for `plan --detailed-exitcode` and 3 for a refusing eval gate,
    so scripts can tell "changes pending" from "you typed it wrong".
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except AgentformError as exc:
            _report(exc, debug=_debug(ctx))
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            _report(exc, debug=_debug(ctx))
            ctx.exit(EXIT_ERROR)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _terminate)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            exc.show()
            code = EXIT_ERROR
        except click.Abort:
            click.echo("Aborted.", err=True)
            code = EXIT_ERROR
        code = code if isinstance(code, int) else EXIT_OK
        if not standalone_mode:
            return code
        sys.exit(code)


def _workspace_id(value: str | None) -> str | None:
    """An empty --workspace-id is an unset CI variable, not "the default workspace"."""
    if value is not None and not value.strip():
        raise click.BadParameter(
            "is empty (an unset variable in CI?); give an ID, or leave the option off to use "
            "the workspace the pins file records (or the default one)"
        )
    return value


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (a CI cancel, `kill`) stops a command the way Ctrl+C does."""
    raise KeyboardInterrupt


def _debug(ctx: click.Context) -> bool:
    app = ctx.find_object(App)
    return bool(app and app.debug)


def _report(exc: BaseException, *, debug: bool) -> None:
    if debug:
        click.echo("".join(traceback.format_exception(exc)), err=True, nl=False)
    if isinstance(exc, AgentformError):
        click.echo(exc.render(), err=True)
        return
    click.echo(f"Error: unexpected error: {type(exc).__name__}: {exc}", err=True)
    if not debug:
        click.echo("Run again with --debug for the traceback.", err=True)


@click.group(cls=AgentformGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The estate: holds agents/, environments/, evals/ and pins.yaml.",
)
@click.option(
    "--pins",
    "pins_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The pins file to read and write.  [default: DIR/pins.yaml]",
)
@click.option(
    "--workspace-id",
    default=None,
    metavar="ID",
    callback=lambda ctx, param, value: _workspace_id(value),
    help="Workspace to act on (sent as the SDK's workspace_id).",
)
@click.option(
    "--local",
    is_flag=True,
    help="Use the embedded emulator (state in DIR/.agentform/); no API key needed.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, "--version", prog_name="agentform")
@click.pass_context
def main(
    ctx: click.Context,
    root: Path,
    pins_path: Path | None,
    workspace_id: str | None,
    local: bool,
    debug: bool,
) -> None:
    """Terraform for Claude Managed Agents.

    YAML manifests in agents/ and environments/ describe the desired state;
    `plan` diffs them against the server, `apply` converges it and records in
    pins.yaml which agent version every caller uses. Rolling back is reverting
    pins.yaml.

    Credentials come the SDK's way (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL);
    --local runs everything against the embedded emulator instead.

    \b
    Example:
      agentform validate
      agentform --local plan
    """
    ctx.obj = App(
        root=root,
        pins_path=pins_path if pins_path is not None else root / "pins.yaml",
        workspace_id=workspace_id,
        local=local,
        debug=debug,
    )


def _register() -> None:
    """Each command module exports COMMANDS; none imports anything heavy at import time."""
    from agentform.cli import (
        apply,
        emulator,
        evaluate,
        imports,
        pins,
        plan,
        schema,
        status,
        validate,
    )

    modules: tuple[Any, ...] = (
        validate,
        plan,
        apply,
        status,
        pins,
        imports,
        evaluate,
        schema,
        emulator,
    )
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)


_register()
