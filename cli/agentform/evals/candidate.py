"""`--candidate manifest`: score the manifest as it is in the working tree, before merge.

The production agent gets no new version: the manifest goes to a *scratch* agent, a new
agent with the same body (references to other keys resolved to their pins, as apply
would) and the metadata `agentform.candidate=<key>` instead of agentform's key marker, so
plan, status and import never see it and pins.yaml never names it. It is archived when
the eval ends, however it ends (an error, Ctrl+C). A crash that left one behind is
swept at the start of the next candidate eval of the same key: two candidate evals of
one agent in one workspace at the same time are not supported (CI: a concurrency group).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from agentform.errors import UserError
from agentform.kinds import BY_NAME, REFERABLE, kind, refs
from agentform.kinds.shape import user_metadata
from agentform.manifests.project import Project
from agentform.remote.client import Remote, RemoteError
from agentform.remote.state import ServerObject

CANDIDATE_MARKER = "agentform.candidate"


@contextmanager
def scratch_agent(project: Project, remote: Remote, key: str) -> Iterator[ServerObject]:
    """A scratch agent holding the manifest of `key`, archived when the block ends."""
    body = candidate_body(project, key)
    sweep(remote, key)
    created = remote.create("agent", body)
    try:
        yield created
    finally:
        with suppress(RemoteError):  # left behind: the next candidate eval sweeps it
            remote.archive("agent", created.id)


def candidate_body(project: Project, key: str) -> dict[str, Any]:
    """The `agents.create` body of the manifest, references resolved to their pins."""
    manifest = project.estate.agents.get(key)
    if manifest is None:
        raise UserError(f"no agent manifest {key!r} (agents/{key}.yaml) to evaluate")

    def lookup(kind_name: str, ref_key: str) -> tuple[Any, Any] | None:
        pin = project.pins.get(BY_NAME[kind_name].plural, ref_key)
        if pin is None:
            raise UserError(
                f"agent {key} uses {kind_name} {ref_key}, which has no pin: apply it first"
            )
        return pin.id, pin.version

    spec = refs.resolve(dict(manifest.spec), REFERABLE, lookup)
    body = kind("agent").create_body(spec)
    body["metadata"] = {**user_metadata(spec.get("metadata") or {}), CANDIDATE_MARKER: key}
    return body


def sweep(remote: Remote, key: str) -> list[str]:
    """Archive scratch agents of `key` that an earlier eval left behind; their ids."""
    left = [
        agent.id
        for agent in remote.objects("agent")
        if (agent.data.get("metadata") or {}).get(CANDIDATE_MARKER) == key
    ]
    for agent_id in left:
        with suppress(RemoteError):
            remote.archive("agent", agent_id)
    return left
