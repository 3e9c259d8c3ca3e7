"""The anthropic SDK range that pyproject.toml declares is the range that is tested.

    python scripts/sdk_range.py test  [--uv UV]   # the suite on the oldest and the newest SDK
    python scripts/sdk_range.py drift [--uv UV]   # would the newest SDK change schemas/? (report)

Each SDK gets its own virtualenv under .venv-sdk/<label>/ holding exactly the locked
dependencies (`uv export --locked`), this checkout (editable), and then the SDK asked
for: `anthropic==<lower bound>` for "oldest", the newest release inside the declared
range for "newest". `test` exits non-zero when either run fails; `drift` never fails: it
prints what `make schemas` would change on the newest SDK, so a release that renames a
model or a field is seen before the lock moves to it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENVS = REPO / ".venv-sdk"


def declared_range() -> tuple[str, str]:
    """(`>=X`, `<Y`) of anthropic in pyproject.toml's dependencies."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'"anthropic>=([\d.]+),<([\d.]+)"', text)
    if not found:
        sys.exit('pyproject.toml: expected a dependency like "anthropic>=2.11,<3"')
    return found.group(1), found.group(2)


def build(uv: str, label: str, requirement: str) -> Path:
    """A virtualenv with the locked dependencies, this checkout, and `requirement`."""
    env = VENVS / label
    python = env / "bin" / "python"
    locked = VENVS / "locked.txt"
    VENVS.mkdir(exist_ok=True)
    _run(uv, "export", "--locked", "--extra", "dev", "--no-emit-project", "--no-hashes",
         "--quiet", "--output-file", str(locked))  # fmt: skip
    _run(uv, "venv", "--quiet", "--allow-existing", str(env))
    _run(uv, "pip", "sync", "--quiet", "--python", str(python), str(locked))
    _run(uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", "-e", str(REPO))
    _run(uv, "pip", "install", "--quiet", "--python", str(python), "--upgrade", requirement)
    version = subprocess.run(
        [str(python), "-c", "import anthropic; print(anthropic.__version__)"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    print(f"[{label}] anthropic {version} in {env.relative_to(REPO)}", flush=True)
    return python


def test(uv: str) -> int:
    low, high = declared_range()
    failed = []
    for label, requirement in (("oldest", f"anthropic=={low}"), ("newest", f"anthropic<{high}")):
        python = build(uv, label, requirement)
        code = subprocess.call([str(python), "-m", "pytest", "-n", "auto", "-q"], cwd=REPO)
        print(f"[{label}] pytest exited {code}", flush=True)
        if code:
            failed.append(label)
    if failed:
        print(f"FAILED on the {' and '.join(failed)} SDK", file=sys.stderr)
        return 1
    print(f"ok: the suite passes on anthropic {low} and the newest below {high}")
    return 0


def drift(uv: str) -> int:
    _, high = declared_range()
    python = build(uv, "newest", f"anthropic<{high}")
    subprocess.call([str(python), "-m", "schemagen", "--check"], cwd=REPO)
    return 0  # a report, not a gate: the locked SDK is what the suite checks


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, env={**os.environ, "VIRTUAL_ENV": ""})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("test", "drift"))
    parser.add_argument("--uv", default="uv", help="the uv executable (default: uv on PATH)")
    args = parser.parse_args()
    return test(args.uv) if args.command == "test" else drift(args.uv)


if __name__ == "__main__":
    sys.exit(main())
