"""Secrets a manifest may carry (credentials in MCP server URLs) never leave in a plan.

A plan is posted as a pull-request comment and saved to files; an MCP server URL like
`https://user:token@host/mcp?api_key=...` must not be. Every renderer and the saved
plan show such a value redacted, with a short hash of the secret part so that a
rotation still shows as a change: `https://user:***@host/mcp?api_key=*** [secret
sha256:1a2b3c4d]`. The request bodies apply sends are computed from the manifests at
apply time, so they never need to be written down.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "***"
_SECRET_NAME = re.compile(
    r"(token|secret|password|passwd|pwd|key|auth|credential|signature|sig|session|bearer)",
    re.I,
)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_DONE = " [secret sha256:"


def redact(value: Any) -> Any:
    """`value` (any JSON) with every secret-bearing URL redacted; other data unchanged."""
    if isinstance(value, str):
        if _DONE in value:
            return value  # redacted already (a saved plan read back)
        return redact_url(value) if _URL.match(value) else value
    if isinstance(value, dict):
        return {k: _redact_field(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def redact_url(url: str) -> str:
    """The URL with its password and secret-looking query values replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    secret = []
    netloc = parts.netloc
    if parts.password:
        secret.append(parts.password)
        netloc = netloc.replace(f":{parts.password}@", f":{REDACTED}@", 1)
    elif parts.username and "@" in netloc:  # a bare token as the user part
        secret.append(parts.username)
        netloc = netloc.replace(f"{parts.username}@", f"{REDACTED}@", 1)
    query = []
    for name, val in parse_qsl(parts.query, keep_blank_values=True):
        if _SECRET_NAME.search(name) and val:
            secret.append(val)
            val = REDACTED
        query.append((name, val))
    if not secret:
        return url
    text = urlunsplit(
        (parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment)
    )
    return f"{text} [secret {fingerprint(''.join(secret))}]"


def fingerprint(secret: str) -> str:
    """A short, stable hash: enough to see that a secret changed, useless to recover it."""
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[:8]


def _redact_field(name: Any, value: Any) -> Any:
    if isinstance(value, str) and _DONE in value:
        return value
    if isinstance(value, str) and isinstance(name, str) and _is_secret_field(name):
        return f"{REDACTED} [secret {fingerprint(value)}]" if value else value
    return redact(value)


def _is_secret_field(name: str) -> bool:
    """Fields whose whole value is a credential (headers, tokens), not names or URLs."""
    lowered = name.lower()
    return lowered in ("authorization", "authorization_token", "api_key", "token", "password") or (
        lowered.endswith(("_token", "_secret", "_password")) and lowered != "max_tokens"
    )
