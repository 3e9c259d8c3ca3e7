"""Options several commands share, defined once so their spelling and help agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from agentform.render import FORMATS

F = TypeVar("F", bound=Callable[..., Any])

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull-request comment, json for machines.",
)


def target_option(verb: str) -> Callable[[F], F]:
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="KEY",
        help=f"{verb} only this resource key (repeatable).",
    )


prune_option = click.option(
    "--prune",
    is_flag=True,
    help="Archive resources whose manifest was removed (irreversible). Without it they are "
    "shown as 'archive (only with --prune)' and left alone.",
)
