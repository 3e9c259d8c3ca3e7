"""The `agentform` group, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Any

import click

from agentform import __version__
from agentform.cli.app import App
from agentform.cli.globalopts import attach, global_options, single_dash_hint, start
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
            _report(exc, _app(ctx))
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            _report(exc, _app(ctx))
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
        argv = list(args) if args is not None else sys.argv[1:]
        try:
            code = super().main(argv, prog_name, complete_var, False, **extra)
        except click.NoSuchOption as exc:
            hint = single_dash_hint(argv, exc)
            shown = click.UsageError(hint, exc.ctx) if hint is not None else exc
            shown.show()
            code = EXIT_ERROR
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


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (a CI cancel, `kill`) stops a command the way Ctrl+C does."""
    raise KeyboardInterrupt


def _app(ctx: click.Context) -> App | None:
    return ctx.find_object(App)


def _report(exc: BaseException, app: App | None) -> None:
    debug = bool(app and app.debug)
    if debug:
        click.echo("".join(traceback.format_exception(exc)), err=True, nl=False)
    if isinstance(exc, AgentformError):
        text = exc.render()
    else:
        text = f"Error: unexpected error: {type(exc).__name__}: {exc}"
        if not debug:
            text += "\nRun again with --debug for the traceback."
    click.echo(_paint_errors(text, app), err=True)


def _paint_errors(text: str, app: App | None) -> str:
    """`Error:` in red on a colour terminal, like every other failure agentform shows."""
    if app is None or not app.color_on(sys.stderr):
        return text
    label = app.paint_err("Error:", "red", "bold")
    return "\n".join(
        label + line[len("Error:") :] if line.startswith("Error:") else line
        for line in text.split("\n")
    )


@click.group(
    cls=AgentformGroup,
    params=global_options(),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="agentform")
@click.pass_context
def main(ctx: click.Context, /, **given: Any) -> None:
    """Terraform for Claude Managed Agents.

    YAML manifests in agents/ and environments/ describe the desired state;
    `plan` diffs them against the server, `apply` converges it and records in
    pins.yaml which agent version every caller uses. Rolling back is reverting
    pins.yaml. Start a new estate with `agentform init`.

    Credentials come the SDK's way (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL);
    --local runs everything against the embedded emulator instead. The
    options below may also follow the command (`agentform plan --local`).

    \b
    Example:
      agentform init && agentform --local apply --auto-approve
      agentform validate
      agentform plan --local
    """
    ctx.obj = start(ctx, given)


def _register() -> None:
    """Each command module exports COMMANDS; none imports anything heavy at import time."""
    from agentform.cli import (
        apply,
        deployments,
        emulator,
        evaluate,
        fmt,
        forget,
        imports,
        mv,
        pins,
        plan,
        scaffold,
        schema,
        show,
        status,
        validate,
    )

    modules: tuple[Any, ...] = (
        scaffold,
        validate,
        fmt,
        plan,
        show,
        apply,
        status,
        pins,
        imports,
        mv,
        forget,
        evaluate,
        deployments,
        schema,
        emulator,
    )
    for module in modules:
        for command in module.COMMANDS:
            attach(command)
            main.add_command(command)


_register()
