"""Putting manifests and server objects in one shape, so only real differences show.

Shared by every kind: the WILDCARD for defaults only the server decides, `digest` (the
identity of a spec), and the rules about None, server-only fields and agentform's own
metadata markers. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from agentform.manifests.schemas import METADATA_RESERVED_PREFIX

SERVER_ONLY = frozenset({"id", "type", "version", "created_at", "updated_at", "archived_at"})


class _Wildcard:
    """A value the server decides; equal to whatever the server holds."""

    def __repr__(self) -> str:
        return "<server default>"


WILDCARD: Final = _Wildcard()


def resolve_wildcards(desired: Any, server: Any) -> Any:
    """`desired` with each WILDCARD replaced by the server's value at the same place."""
    if desired is WILDCARD:
        return server
    if isinstance(desired, dict):
        theirs = server if isinstance(server, dict) else {}
        resolved = {k: resolve_wildcards(v, theirs.get(k)) for k, v in desired.items()}
        return {k: v for k, v in resolved.items() if v is not None}
    if isinstance(desired, list):
        same = isinstance(server, list) and len(server) == len(desired)
        return [resolve_wildcards(v, server[i] if same else None) for i, v in enumerate(desired)]
    return desired


def digest(spec: Any) -> str:
    """sha256 of the canonical JSON of a spec (WILDCARD hashes as a fixed token)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=_token)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def user_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata without agentform's own `agentform.*` markers."""
    return {k: v for k, v in metadata.items() if not k.startswith(METADATA_RESERVED_PREFIX)}


def server_fields(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The compared fields of a server object, its metadata without markers."""
    spec = {name: data.get(name) for name in fields if name not in SERVER_ONLY}
    if "metadata" in fields:
        spec["metadata"] = user_metadata(data.get("metadata") or {})
    return spec


def drop_none_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {k: drop_none(v) for k, v in value.items() if v is not None}


def drop_none(value: Any) -> Any:
    """None and an absent key mean the same thing in every response: compare them equal."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


def _token(value: Any) -> str:
    if value is WILDCARD:
        return "<server default>"
    raise TypeError(f"not JSON-serialisable: {value!r}")
