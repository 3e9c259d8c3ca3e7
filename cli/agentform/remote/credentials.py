"""Is there any way the SDK could find credentials? Answered without importing it.

Importing `anthropic` costs most of a second, so a missing key is reported before it
is imported. The SDK looks, in order, at ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, a
profile (ANTHROPIC_PROFILE, or the config directory: ANTHROPIC_CONFIG_DIR, by default
~/.config/anthropic) and workload identity variables. This check is conservative: it
says "none" only when none of those exists, and leaves every other case to the SDK.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from agentform.errors import UserError

SDK_VARIABLES = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
    "ANTHROPIC_IDENTITY_TOKEN",
    "ANTHROPIC_IDENTITY_TOKEN_FILE",
    "ANTHROPIC_FEDERATION_RULE_ID",
)
NO_CREDENTIALS = (
    "no credentials: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint), "
    "or pass --local to use the embedded emulator"
)


def may_have_credentials(environ: Mapping[str, str] | None = None) -> bool:
    """False only when the SDK certainly finds no credentials."""
    env = os.environ if environ is None else environ
    if any(env.get(name) for name in SDK_VARIABLES):
        return True
    return _config_dir(env).exists()


def require_credentials(environ: Mapping[str, str] | None = None) -> None:
    if not may_have_credentials(environ):
        raise UserError(NO_CREDENTIALS)


def _config_dir(env: Mapping[str, str]) -> Path:
    if sys.platform == "win32":
        appdata = env.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
        return base / "Anthropic"
    return Path.home() / ".config" / "anthropic"
