"""The JSON Schemas that are agentform's file contract, and the constants they encode.

The files live in the repository's top-level `schemas/` (editors find them through the
`# yaml-language-server: $schema=` line of each manifest) and travel inside the wheel
as `agentform/_schemas/` (a symlink in the source tree).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from agentform.catalog import NAMES

KINDS = (*NAMES, "pins", "eval")  # each resource kind's manifest, and the other two files
KEY_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
METADATA_RESERVED_PREFIX = "agentform."
KEY_MARKER = "agentform.key"  # which manifest a server object belongs to
DIGEST_MARKER = "agentform.digest"  # digest of the manifest agentform last applied to it
MARKER_KEYS = (KEY_MARKER, DIGEST_MARKER)
API_METADATA_KEYS = 16
USER_METADATA_KEYS = API_METADATA_KEYS - len(MARKER_KEYS)
SCHEMA_DIR = Path(__file__).parent.parent / "_schemas"


def schema_path(kind: str) -> Path:
    if kind not in KINDS:
        raise ValueError(f"unknown schema kind {kind!r}; expected one of {', '.join(KINDS)}")
    return SCHEMA_DIR / f"{kind}.schema.json"


def schema_text(kind: str) -> str:
    return schema_path(kind).read_text(encoding="utf-8")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_text(kind))
    return data


@cache
def known_models() -> tuple[str, ...]:
    """The model ids the SDK the schemas were generated from knows (its `Model` literal)."""
    model = load_schema("agent")["properties"]["model"]
    return tuple(name for branch in model.get("anyOf", []) for name in branch.get("enum", []))
