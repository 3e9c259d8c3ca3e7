"""The request bodies a plan carries: what `apply` sends, exactly as reviewed.

The kind gives the fields (agentform.kinds); this adds agentform's metadata markers
(`agentform.key`, `agentform.digest`) and, for versioned kinds, the compare-and-swap
`version=` the update was planned against.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentform.kinds import kind
from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.pins.model import Version


def create_body(kind_name: str, key: str, spec: Mapping[str, Any], marker: str) -> dict[str, Any]:
    """The manifest as written, plus agentform's markers in its metadata."""
    body = kind(kind_name).create_body(spec)
    body["metadata"] = {**dict(spec.get("metadata") or {}), **markers(key, marker)}
    return body


def update_body(
    kind_name: str,
    key: str,
    spec: Mapping[str, Any],
    marker: str,
    server_metadata: Mapping[str, Any],
    version: Version | None,
) -> dict[str, Any]:
    """Every field the manifest controls, sent explicitly (omitting a field preserves it)."""
    wanted = {**dict(spec.get("metadata") or {}), **markers(key, marker)}
    stale = {k: None for k in server_metadata if k not in wanted}  # a patch: null deletes
    the_kind = kind(kind_name)
    body = the_kind.update_body(spec)
    body["metadata"] = {**wanted, **stale}
    if the_kind.versioned and version is not None:
        body["version"] = version  # compare-and-swap: 409 if someone changed it since the plan
    return body


def markers(key: str, marker: str) -> dict[str, str]:
    return {KEY_MARKER: key, DIGEST_MARKER: marker}
