"""Field limits shared by agents, environments and sessions (API-NOTES §9)."""

from __future__ import annotations

from collections.abc import Mapping, Sized

from agentform.emulator.errors import invalid_request

METADATA_MAX_KEYS = 16
METADATA_MAX_KEY_LEN = 64
METADATA_MAX_VALUE_LEN = 512


def check_length(value: Sized | None, field: str, *, maximum: int, minimum: int = 0) -> None:
    """400 unless `minimum <= len(value) <= maximum` (None passes)."""
    if value is None:
        return
    size = len(value)
    if size < minimum:
        what = "must not be empty" if minimum == 1 else f"must have at least {minimum} items"
        raise invalid_request(f"{field}: {what}")
    if size > maximum:
        unit = "characters" if isinstance(value, str) else "items"
        raise invalid_request(f"{field}: must be at most {maximum} {unit} (got {size})")


def check_metadata(metadata: Mapping[str, str], field: str = "metadata") -> None:
    """16 pairs, keys 1-64 chars, values up to 512; 400 `invalid_metadata` otherwise."""
    if len(metadata) > METADATA_MAX_KEYS:
        _bad(f"{field}: at most {METADATA_MAX_KEYS} keys are allowed (got {len(metadata)})")
    for key, value in metadata.items():
        if not key or len(key) > METADATA_MAX_KEY_LEN:
            _bad(f"{field}: key {key[:80]!r} must be 1-{METADATA_MAX_KEY_LEN} characters")
        if len(value) > METADATA_MAX_VALUE_LEN:
            _bad(f"{field}.{key}: value must be at most {METADATA_MAX_VALUE_LEN} characters")


def patch_metadata(
    stored: Mapping[str, str],
    patch: Mapping[str, str | None] | None,
    *,
    empty_deletes: bool = False,
) -> dict[str, str]:
    """Apply a metadata patch: a string upserts, null (and "" if `empty_deletes`) deletes."""
    result = dict(stored)
    for key, value in (patch or {}).items():
        if value is None or (empty_deletes and value == ""):
            result.pop(key, None)
        else:
            result[key] = value
    return result


def _bad(message: str) -> None:
    raise invalid_request(message, error_code="invalid_metadata")
