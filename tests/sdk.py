"""Which anthropic SDK this run uses, against the one uv.lock pins.

The committed schemas are generated from the locked SDK, so the staleness test means
something only there; `make test-sdk-range` runs the suite on other SDKs too, where that
one test is skipped (and `make sdk-drift` reports what a newer SDK would change).
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

LOCK = Path(__file__).resolve().parent.parent / "uv.lock"


def locked_version(package: str) -> str:
    found = re.search(
        rf'^name = "{re.escape(package)}"\nversion = "([^"]+)"',
        LOCK.read_text(encoding="utf-8"),
        re.M,
    )
    assert found, f"{package} is not in uv.lock"
    return found.group(1)


INSTALLED_SDK = version("anthropic")
LOCKED_SDK = locked_version("anthropic")
on_locked_sdk = pytest.mark.skipif(
    INSTALLED_SDK != LOCKED_SDK,
    reason=f"schemas are generated from the locked anthropic {LOCKED_SDK}, "
    f"this run has {INSTALLED_SDK} (see `make sdk-drift`)",
)
