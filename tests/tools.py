"""External tools the packaging tests drive: uv (on PATH, or the one `make` bootstrapped)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def uv() -> str:
    found = shutil.which("uv") or shutil.which(str(REPO / ".tools" / "bin" / "uv"))
    assert found, "uv is neither on PATH nor in .tools/ (run `make test`, which bootstraps it)"
    return found
