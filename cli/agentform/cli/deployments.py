"""Deployments outside plan and apply: `run --deployment KEY` (in `run`) and `unpause`."""

from __future__ import annotations

import click

from agentform.cli.app import App
from agentform.errors import UserError


def run_deployment(app: App, key: str) -> None:
    """Trigger a manual run of the pinned deployment `key`; exit 1 when it failed."""
    from agentform import pins as pinsfile
    from agentform.manifests.project import in_workspace

    pins = in_workspace(pinsfile.load(app.pins_path), app.workspace_id)
    from agentform.remote import deployments

    object_id = deployments.deployment_id(pins, key)
    with app.remote(pins.workspace_id) as remote:
        done = deployments.run(remote, object_id)
    version = f" on agent v{done.agent_version}" if done.agent_version else ""
    if done.error is not None:
        raise UserError(f"deployment {key} ({object_id}): run {done.id} failed: {done.error}")
    click.echo(
        f"deployment {key} ({object_id}): run {done.id} started session {done.session_id}{version}"
    )


@click.command()
@click.argument("key")
@click.pass_obj
def unpause(app: App, key: str) -> None:
    """Unpause deployment KEY, which the server paused after a failed run.

    apply pauses and unpauses deployments as their manifests say (`paused:`),
    but never unpauses one the server paused on an error: `plan` and
    `status` report it. Fix the cause (an archived agent, vault or
    environment), then run this. It works on a manually paused deployment
    too (the next apply pauses it again if its manifest says `paused: true`).

    \b
    Example:
      agentform unpause nightly
    """
    from agentform import pins as pinsfile
    from agentform.manifests.project import in_workspace

    pins = in_workspace(pinsfile.load(app.pins_path), app.workspace_id)
    from agentform.remote import deployments

    object_id = deployments.deployment_id(pins, key)
    with app.remote(pins.workspace_id) as remote:
        done = deployments.unpause(remote, object_id)
    click.echo(f"deployment {key} ({object_id}) is {done['status']}")


COMMANDS = [unpause]
