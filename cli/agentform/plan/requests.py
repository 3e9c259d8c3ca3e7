"""The request bodies a plan carries: what `apply` sends, exactly as reviewed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.plan.normalize import environment_config
from agentform.remote.state import Kind


def create_body(kind: Kind, key: str, spec: Mapping[str, Any], marker: str) -> dict[str, Any]:
    """The manifest as written, plus agentform's markers in its metadata."""
    body = dict(spec)
    body["metadata"] = {**dict(spec.get("metadata") or {}), **_markers(key, marker)}
    return body


def update_body(
    kind: Kind,
    key: str,
    spec: Mapping[str, Any],
    marker: str,
    server_metadata: Mapping[str, Any],
    version: int | None,
) -> dict[str, Any]:
    """Every field the manifest controls, sent explicitly (omitting a field preserves it)."""
    wanted = {**dict(spec.get("metadata") or {}), **_markers(key, marker)}
    stale = {k: None for k in server_metadata if k not in wanted}  # a patch: null deletes
    body = _agent_fields(spec) if kind == "agent" else _environment_fields(spec)
    body["metadata"] = {**wanted, **stale}
    if kind == "agent" and version is not None:
        body["version"] = version  # compare-and-swap: 409 if someone changed it since the plan
    return body


def _agent_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": spec["name"],
        "model": spec["model"],
        "description": spec.get("description"),
        "system": spec.get("system"),
        "tools": list(spec.get("tools") or []),
        "mcp_servers": list(spec.get("mcp_servers") or []),
        "skills": list(spec.get("skills") or []),
        "multiagent": spec.get("multiagent"),
        "execution_identity": spec.get("execution_identity"),
    }


def _environment_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    # On update, omitted config sub-fields keep their old values: send them all.
    body = {
        "name": spec["name"],
        "description": spec.get("description"),
        "config": environment_config(spec.get("config")),
    }
    if spec.get("scope") is not None:
        body["scope"] = spec["scope"]
    return body


def _markers(key: str, marker: str) -> dict[str, str]:
    return {KEY_MARKER: key, DIGEST_MARKER: marker}
