"""`agentform pin` and `agentform pins check|log`: moving and explaining pins."""

from __future__ import annotations

import click

from agentform.catalog import BY_NAME, CATALOG, VERSIONED_NAMES, each_with_article
from agentform.cli.app import App
from agentform.errors import ManifestErrors, UserError
from agentform.pins.model import Version, behind, label

DEFAULT = "agent"  # `pin KEY VERSION` names an agent
OTHERS = tuple(e for e in CATALOG if e.versioned and e.name != DEFAULT)  # `pin KIND KEY ...`


def _pin_help() -> str:
    others = "".join(f" (or {e.name} KEY's)" for e in OTHERS)
    ids = "".join(f"; a {e.label}'s are ids (`{e.version_prefix}...`)" for e in OTHERS)
    examples = "".join(
        f"\n  agentform pin {e.name} {e.example} {e.example_version()}" for e in OTHERS
    )
    return f"""Move agent KEY's pin{others} to VERSION (or --latest), after checking
it exists.

The one-command rollback for people who don't want a `git revert`: callers
use the pinned version from their next session on. The version must exist
and the agent must not be archived; the pin records the digest of that
version's spec. An agent's versions are numbers{ids}. Review and commit
the pins.yaml change as usual.

\b
Example:
  agentform pin triage 1          # roll back to version 1
  agentform pin triage --latest   # and forward again{examples}
"""


@click.command(help=_pin_help())
@click.argument("args", nargs=-1, metavar="[KIND] KEY [VERSION]")
@click.option("--latest", is_flag=True, help="Pin the latest version.")
@click.pass_obj
def pin(app: App, args: tuple[str, ...], latest: bool) -> None:
    kind_name, key, version = _pin_args(args, latest)
    project = app.project()
    with app.remote(project.workspace_id) as remote:
        from agentform.pins.move import move_pin

        move = move_pin(project, remote, key, version, kind_name)
    before = label(move.from_version) if move.from_version else "unpinned"
    note = "" if move.written else " (already pinned there; pins.yaml unchanged)"
    held = (
        f"; latest is {label(move.latest_version)}"
        if behind(move.to_version, move.latest_version)
        else ""
    )
    click.echo(f"{kind_name} {key} ({move.id}): {before} -> {label(move.to_version)}{held}{note}")


def _pin_args(args: tuple[str, ...], latest: bool) -> tuple[str, str, Version | None]:
    """`KEY VERSION` (an agent) or `KIND KEY VERSION`, the version left out with --latest."""
    qualified = len(args) >= 2 and args[0] in VERSIONED_NAMES
    if qualified and len(args) == 2 and not latest and args[1].isdigit():
        qualified = False  # `pin skill 3`: an agent whose key is "skill"
    kind_name, rest = (args[0], args[1:]) if qualified else (DEFAULT, args)
    if not rest or len(rest) > 2:
        raise UserError(f"give KEY and a VERSION (or --latest): {_usage()}")
    if (len(rest) == 2) == latest:
        raise UserError("give a VERSION or --latest (one of them)")
    if latest:
        return kind_name, rest[0], None
    if BY_NAME[kind_name].version_prefix:
        return kind_name, rest[0], rest[1]
    if not rest[1].isdigit() or int(rest[1]) < 1:
        what = each_with_article([BY_NAME[kind_name].label])
        raise UserError(f"{what}'s VERSION is a number >= 1, not {rest[1]!r}{_hint(*rest)}")
    return kind_name, rest[0], int(rest[1])


def _usage() -> str:
    named = (f"`pin {e.name} KEY ID`" for e in OTHERS if e.version_prefix)
    numbered = (f"`pin {e.name} KEY N`" for e in OTHERS if not e.version_prefix)
    return ", ".join(("`pin KEY N`", *numbered, *named))


def _hint(key: str, version: str) -> str:
    """Which other kind a version id that is not a number may be of."""
    named = [e for e in OTHERS if e.version_prefix]
    like = [e for e in named if version.startswith(e.version_prefix)] or named
    hints = " or ".join(f"a {e.label}'s: `agentform pin {e.name} {key} {version}`" for e in like)
    return f" ({hints})" if hints else ""


@click.group()
def pins() -> None:
    """Check pins.yaml against the server, and show its history.

    \b
    Example:
      agentform pins check
      agentform pins log triage
    """


@pins.command()
@click.option(
    "--offline", is_flag=True, help="Check the file and the manifests only; no server call."
)
@click.pass_obj
def check(app: App, offline: bool) -> None:
    """Check that every pin is usable; exit 1 with a line per problem.

    Every pinned key has a manifest; and, unless --offline, every pinned id
    exists and is not archived, every pinned version exists, and every digest
    matches the pinned version's spec on the server. Run it in CI on pull
    requests that touch pins.yaml.

    \b
    Example:
      agentform pins check
      agentform pins check --offline
    """
    project = app.project()
    from agentform.pins.check import check_offline, check_online, locate

    problems = check_offline(project)
    if not offline:
        with app.remote(project.workspace_id) as remote:
            problems += check_online(project, remote)
    if problems:
        raise ManifestErrors(locate(project, problems))
    count = len(project.pins)
    where = "offline" if offline else "against the server"
    click.echo(f"ok: {count} pins in {app.pins_path} checked {where}")


@pins.command()
@click.argument("key", required=False)
@click.pass_obj
def log(app: App, key: str | None) -> None:
    """Show the history of pin moves (from git), newest first.

    Each line: when, commit, author, which pin moved and how. Rollbacks show
    as moves back, marked `(rollback)`.

    \b
    Example:
      agentform pins log
      agentform pins log triage
    """
    from agentform.pins.log import pin_log

    moves = pin_log(app.pins_path, key)
    if not moves:
        click.echo(f"no pin moves in the git history of {app.pins_path}")
    for move in moves:
        flag = "  (rollback)" if move.back else ""
        click.echo(
            f"{move.date}  {move.commit}  {move.author:<18} {move.kind} {move.key}: "
            f"{move.before} -> {move.after}{flag}  {move.subject}"
        )


COMMANDS = [pin, pins]
