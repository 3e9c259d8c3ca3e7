"""A stand-in for `python-dotenv`, which the prompt-versioning tutorial installs and
imports but agentform does not depend on. The tutorials run where there is no `.env`
file, so `load_dotenv()` has nothing to load, as the real one would; it says so."""

from __future__ import annotations

from typing import Any


def load_dotenv(*args: Any, **kwargs: Any) -> bool:
    return False
