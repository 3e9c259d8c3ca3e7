"""Deployment manifests: references by key, initial events from files, the schedule's
checks and next fire times, and import.

A manifest names what the deployment uses by key; loading writes each as a reference
(`kinds.refs`), which the planner resolves to the pinned id (and, for the agent, the
pinned version):

    agent: triage                      -> agent: {agent: triage}
    agent: {key: triage, version: 3}   -> agent: {agent: triage}, agent_version: 3
    environment: default               -> environment: {environment: default}
    vaults: [github]                   -> vaults: [{vault: github}]

An initial event's text may be inline (`text:`) or in a file next to the manifest
(`text_file:`); either becomes the API's `content: [{type: text, text}]`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from agentform.errors import ManifestError
from agentform.kinds import cron
from agentform.kinds.base import KeyOf
from agentform.kinds.files import FileProblem, read_estate_file
from agentform.kinds.shape import drop_none, user_metadata
from agentform.manifests.yamlsrc import Source

MAX_EVENT_TEXT_BYTES = 400_000
SHOWN_FIRE_TIMES = 3


def to_spec(
    data: dict[str, Any], source: Source, root: Path, errors: list[ManifestError]
) -> tuple[dict[str, Any], list[tuple[Path, str]]]:
    """The manifest with its keys written as references and its event files read (and
    those files)."""
    spec = dict(data)
    files: list[tuple[Path, str]] = []
    agent = data.get("agent")
    if isinstance(agent, dict):
        spec["agent"] = {"agent": agent.get("key")}
        if agent.get("version") is not None:
            spec["agent_version"] = agent["version"]
    elif isinstance(agent, str):
        spec["agent"] = {"agent": agent}
    if isinstance(data.get("environment"), str):
        spec["environment"] = {"environment": data["environment"]}
    spec["vaults"] = [{"vault": key} for key in data.get("vaults") or [] if isinstance(key, str)]
    spec["initial_events"] = [
        _event(event, index, source, root, errors, files)
        for index, event in enumerate(data.get("initial_events") or [])
    ]
    if isinstance(data.get("schedule"), dict):
        spec["schedule"] = {"type": "cron", **data["schedule"]}
    spec["paused"] = bool(data.get("paused", False))
    return spec, files


def check(data: dict[str, Any], source: Source) -> list[ManifestError]:
    return [*_events(data, source), *_schedule(data, source)]


def fire_times(schedule: Mapping[str, Any], now: datetime | None = None) -> list[str]:
    """The next fire times of a schedule, in its zone: `2026-12-04 02:00 CET`."""
    try:
        expression, zone = (
            cron.parse_cron(schedule["expression"]),
            cron.load_zone(schedule["timezone"]),
        )
    except (cron.ScheduleError, KeyError, TypeError):
        return []
    after = now or datetime.now(timezone.utc)
    times = cron.upcoming(expression, zone, after, count=SHOWN_FIRE_TIMES)
    return [t.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") for t in times]


def to_manifest(
    data: Mapping[str, Any], key: str, key_of: KeyOf
) -> tuple[dict[str, Any], dict[str, str]]:
    """A manifest for a server deployment, naming what it uses by key."""
    spec: dict[str, Any] = {"name": data["name"]}
    if data.get("description"):
        spec["description"] = data["description"]
    spec["agent"] = _agent_key(data["agent"], key_of, key)
    spec["environment"] = _key(key_of, "environment", data["environment_id"], key)
    if data.get("vault_ids"):
        spec["vaults"] = [_key(key_of, "vault", v, key) for v in data["vault_ids"]]
    if data.get("resources"):
        spec["resources"] = [_resource(r, key_of) for r in data["resources"]]
    spec["initial_events"] = [drop_none(e) for e in data.get("initial_events") or []]
    schedule = data.get("schedule")
    if schedule:
        spec["schedule"] = {"expression": schedule["expression"], "timezone": schedule["timezone"]}
    if data.get("budget"):
        spec["budget"] = drop_none(data["budget"])
    metadata = user_metadata(data.get("metadata") or {})
    if metadata:
        spec["metadata"] = metadata
    if data.get("status") == "paused":
        spec["paused"] = True
    return spec, {}


def _agent_key(agent: Mapping[str, Any], key_of: KeyOf, owner: str) -> Any:
    found = key_of("agent", agent["id"])
    if found is None:
        raise _unmanaged("agent", agent["id"], owner)
    key, pinned = found
    return key if pinned == agent.get("version") else {"key": key, "version": agent["version"]}


def _key(key_of: KeyOf, kind: str, object_id: str, owner: str) -> str:
    found = key_of(kind, object_id)
    if found is None:
        raise _unmanaged(kind, object_id, owner)
    return found[0]


def _resource(resource: Mapping[str, Any], key_of: KeyOf) -> dict[str, Any]:
    written: dict[str, Any] = drop_none(dict(resource))
    if written.get("type") == "memory_store":
        found = key_of("memory_store", written["memory_store_id"])
        if found is not None:
            written["memory_store_id"] = {"memory_store": found[0]}
    return written


def _unmanaged(kind: str, object_id: str, owner: str) -> Exception:
    from agentform.errors import UserError

    return UserError(
        f"deployment {owner} uses {kind} {object_id}, which agentform does not manage here: "
        f"import it first (`agentform import {kind} {object_id}`)"
    )


def _event(
    event: Any,
    index: int,
    source: Source,
    root: Path,
    errors: list[ManifestError],
    files: list[tuple[Path, str]],
) -> Any:
    if not isinstance(event, dict) or not ({"text", "text_file"} & event.keys()):
        return event
    text = event.get("text")
    if "text_file" in event:
        read = _read_text(event["text_file"], index, source, root, errors)
        text = read[1] if read else None
        files += [read] if read else []
    rest = {k: v for k, v in event.items() if k not in ("text", "text_file")}
    return {**rest, "content": [{"type": "text", "text": text or ""}]}


def _read_text(
    name: Any, index: int, source: Source, root: Path, errors: list[ManifestError]
) -> tuple[Path, str] | None:
    at = ("initial_events", index, "text_file")
    if not isinstance(name, str) or not name:
        return None
    try:
        return read_estate_file(
            root, source.path.parent, name, limit=MAX_EVENT_TEXT_BYTES, what="message file"
        )
    except FileProblem as exc:
        errors.append(source.error(at, str(exc)))
        return None


def _events(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    for index, event in enumerate(data.get("initial_events") or []):
        if not isinstance(event, dict):
            continue
        given = [k for k in ("text", "text_file", "content") if k in event]
        if len(given) > 1:
            yield source.error(
                ("initial_events", index, given[1]),
                f"give one of text, text_file and content, not {' and '.join(given)}",
            )
        elif given and given[0] != "content" and event.get("type") == "user.define_outcome":
            yield source.error(
                ("initial_events", index, given[0]),
                "a user.define_outcome event takes description and rubric, not text",
            )


def _schedule(data: dict[str, Any], source: Source) -> Iterator[ManifestError]:
    schedule = data.get("schedule")
    if not isinstance(schedule, dict):
        return
    expression, zone = schedule.get("expression"), schedule.get("timezone")
    parsed = None
    if isinstance(expression, str):
        try:
            parsed = cron.parse_cron(expression)
        except cron.ScheduleError as exc:
            yield source.error(("schedule", "expression"), str(exc))
    if isinstance(zone, str):
        try:
            found = cron.load_zone(zone)
        except cron.ScheduleError as exc:
            yield source.error(("schedule", "timezone"), str(exc))
            return
        now = datetime.now(timezone.utc)
        if parsed is not None and not cron.upcoming(parsed, found, now, count=1):
            yield source.error(
                ("schedule", "expression"), f"{expression!r} never matches a calendar date"
            )
