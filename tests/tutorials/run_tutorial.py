"""Run one tutorial file, unchanged, as a user would, but with strict SDK clients.

    python tests/tutorials/run_tutorial.py TUTORIAL.py   # in the directory it expects

- Every `anthropic.Anthropic(...)` the tutorial creates validates responses strictly
  (`_strict_response_validation=True`): a response the SDK's types do not describe fails
  the run instead of parsing leniently.
- The tutorial's own directory is importable (the iterate tutorial imports `utilities`).
- `python-dotenv` is not one of agentform's dependencies: when it is missing, `shims/`
  stands in for it (see `shims/dotenv.py`).
"""

from __future__ import annotations

import functools
import importlib.util
import runpy
import sys
from pathlib import Path
from typing import Any

import anthropic

SHIMS = Path(__file__).resolve().parent / "shims"


def strict_clients() -> None:
    original = anthropic.Anthropic.__init__

    @functools.wraps(original)
    def strict_init(self: anthropic.Anthropic, *args: Any, **kwargs: Any) -> None:
        kwargs["_strict_response_validation"] = True
        original(self, *args, **kwargs)

    anthropic.Anthropic.__init__ = strict_init  # type: ignore[method-assign]


def main(tutorial: Path) -> None:
    strict_clients()
    sys.path.insert(0, str(tutorial.resolve().parent))
    if importlib.util.find_spec("dotenv") is None:
        sys.path.append(str(SHIMS))
    sys.argv = [str(tutorial)]
    runpy.run_path(str(tutorial), run_name="__main__")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
