"""Deployments: `deployments/<key>.yaml` binds an agent, an environment, vaults,
resources, initial events, a schedule and a budget; the server creates sessions from it.

A deployment's agent comes from pins.yaml: the manifest names the agent by key, and
every create and update sends `{type: agent, id, version}` with the **pinned** version,
never the id alone (which the API resolves to the latest version, on create and again
on every update). So any pin move (an apply, `pin`, `promote`, a reverted pins.yaml)
plans an update of every deployment that runs that agent, and reverting a pin rolls
the scheduled jobs back too. `agent: {key: triage, version: 3}` holds one version.

No versions: updated in place, pinned by id. `paused` is not part of the body: apply
pauses or unpauses after the create or update (a step). A deployment the server paused
itself (a failed run) is reported, never unpaused by apply: `agentform unpause KEY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import deployment_manifest as manifest
from agentform.kinds.base import KeyOf, Kind, ManifestFile, Parts, Step
from agentform.kinds.shape import WILDCARD, drop_none, drop_none_dict, server_fields
from agentform.manifests.yamlsrc import Source

# Optional resource fields the server may fill in; omitted, they are the server's choice.
_RESOURCE_DEFAULTS = {
    "github_repository": ("checkout", "mount_path"),
    "file": ("mount_path",),
    "memory_store": ("access", "instructions"),
}


class DeploymentKind(Kind):
    name = "deployment"
    plural = "deployments"
    id_prefix = "depl_"
    schema = "deployment"
    reads_parts = True
    fields = (
        "name",
        "description",
        "agent",
        "environment",  # environment_id, as the manifest names it
        "vaults",  # vault_ids, likewise
        "resources",
        "initial_events",
        "schedule",
        "budget",
        "metadata",
    )

    def check(self, data: dict[str, Any], source: Source) -> list[ManifestError]:
        return manifest.check(data, source)

    def read_files(
        self, data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
    ) -> tuple[dict[str, Any], tuple[ManifestFile, ...]]:
        spec, files = manifest.to_spec(data, source, root, errors)
        return spec, tuple(ManifestFile(path, text) for path, text in files)

    def desired(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return drop_none_dict(
            {
                "name": spec.get("name"),
                "description": spec.get("description") or None,
                "agent": agent_reference(spec),
                "environment": spec.get("environment"),
                "vaults": list(spec.get("vaults") or []),
                "resources": [_resource(r) for r in spec.get("resources") or []],
                "initial_events": [drop_none(e) for e in spec.get("initial_events") or []],
                "schedule": _schedule(spec.get("schedule")),
                "budget": drop_none(spec.get("budget")),
                "metadata": dict(spec.get("metadata") or {}),
            }
        )

    def actual(self, data: Mapping[str, Any]) -> dict[str, Any]:
        spec = server_fields(data, self.fields)
        spec["environment"] = data.get("environment_id")
        spec["vaults"] = list(data.get("vault_ids") or [])
        spec["description"] = spec.get("description") or None
        spec["schedule"] = _schedule(data.get("schedule"))
        spec["resources"] = [drop_none(r) for r in data.get("resources") or []]
        spec["initial_events"] = [drop_none(e) for e in data.get("initial_events") or []]
        spec["budget"] = drop_none(data.get("budget"))
        return drop_none_dict(spec)

    def create_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in self.update_body(spec).items() if v is not None}

    def update_body(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        # Lists and the schedule are full replacements; None clears what may be cleared.
        return {
            "name": spec["name"],
            "description": spec.get("description"),
            "agent": agent_reference(spec),
            "environment_id": spec["environment"],
            "vault_ids": list(spec.get("vaults") or []),
            "resources": list(spec.get("resources") or []),
            "initial_events": list(spec["initial_events"]),
            "schedule": _schedule(spec.get("schedule")),
            "budget": spec.get("budget"),
        }

    def steps(self, spec: Mapping[str, Any], data: Mapping[str, Any] | None, prune: bool) -> Parts:
        wanted = bool(spec.get("paused"))
        if data is None:
            return Parts((_pause(True),) if wanted else ())
        reason = data.get("paused_reason") or {}
        if data.get("status") == "paused" and reason.get("type") == "error":
            return Parts(notes=(("paused", _paused_by_server(reason)),))
        if (data.get("status") == "paused") != wanted:
            return Parts((_pause(wanted),))
        return Parts()

    def annotate(self, body: Mapping[str, Any]) -> list[str]:
        schedule = body.get("schedule")
        if not isinstance(schedule, Mapping):
            return []
        times = manifest.fire_times(schedule)
        return [f"next runs: {', '.join(times)}"] if times else []

    def resource(self, client: Any) -> Any:
        return client.beta.deployments

    def read_parts(
        self, client: Any, data: Mapping[str, Any], scope: Mapping[str, Any], *, detail: bool
    ) -> dict[str, Any]:
        if not detail:
            return {}
        runs = client.beta.deployment_runs.list(deployment_id=data["id"], limit=1, **scope)
        latest = next(iter(runs.data), None)
        return {"last_run": latest.to_dict(mode="json") if latest is not None else None}

    def run_step(self, client: Any, object_id: str, step: Step, scope: Mapping[str, Any]) -> None:
        call = {"pause": client.beta.deployments.pause, "unpause": client.beta.deployments.unpause}
        call[step.op](object_id, **scope)

    def status_lines(self, data: Mapping[str, Any]) -> list[str]:
        return [status_line(data)]

    def import_manifest(
        self, data: Mapping[str, Any], key: str, key_of: KeyOf
    ) -> tuple[dict[str, Any], dict[str, str]]:
        return manifest.to_manifest(data, key, key_of)

    def to_manifest(
        self, data: Mapping[str, Any], key: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        return manifest.to_manifest(data, key, lambda kind, object_id: None)


DEPLOYMENT = DeploymentKind()


def agent_reference(spec: Mapping[str, Any]) -> Any:
    """`{type: agent, id, version}`: the pinned version, or the one the manifest holds."""
    agent = spec.get("agent")
    if isinstance(agent, Mapping) and spec.get("agent_version") is not None:
        return {**agent, "version": spec["agent_version"]}
    return agent


def status_line(data: Mapping[str, Any]) -> str:
    """`paused (manual); next run 2026-12-04T01:00:00Z; last run ... ok (sesn_...)`."""
    parts = [str(data.get("status", "?"))]
    reason = data.get("paused_reason") or {}
    if reason.get("type") == "manual":
        parts[0] += " (manual)"
    elif reason.get("type") == "error":
        parts[0] += f" (by the server: {(reason.get('error') or {}).get('type', 'error')})"
    upcoming = (data.get("schedule") or {}).get("upcoming_runs_at") or []
    parts.append(f"next run {upcoming[0]}" if upcoming else "no schedule: manual runs only")
    parts.append(_last_run(data.get("last_run")))
    return "; ".join(parts)


def _last_run(run: Mapping[str, Any] | None) -> str:
    if not run:
        return "no runs yet"
    trigger = (run.get("trigger_context") or {}).get("type", "")
    error = run.get("error")
    outcome = f"failed: {error.get('type')}" if error else f"session {run.get('session_id')}"
    return f"last run {run.get('created_at')} ({trigger}) {outcome}".replace(" ()", "")


def _pause(wanted: bool) -> Step:
    op = "pause" if wanted else "unpause"
    shows = ({"path": "paused", "before": not wanted, "after": wanted},)
    return Step(op, "paused" if wanted else "unpaused", shows=shows)


def _paused_by_server(reason: Mapping[str, Any]) -> str:
    error = reason.get("error") or {}
    what = error.get("type", "an error")
    said = f": {error['message']}" if error.get("message") else ""
    return (
        f"paused by the server after a failed run ({what}{said}); apply leaves it paused. "
        "Fix the cause, then run `agentform unpause` on it"
    )


def _schedule(schedule: Any) -> dict[str, Any] | None:
    if not isinstance(schedule, Mapping):
        return None
    return {
        "type": schedule.get("type", "cron"),
        "expression": schedule.get("expression"),
        "timezone": schedule.get("timezone"),
    }


def _resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    filled = drop_none(dict(resource))
    for name in _RESOURCE_DEFAULTS.get(str(resource.get("type")), ()):
        filled.setdefault(name, WILDCARD)
    return dict(filled)
