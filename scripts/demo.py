"""`make demo`: the main job on the example estate, against the embedded emulator.

The estate (agents/, environments/, evals/, pins.yaml) is copied to .agentform/demo/
so the demo never dirties the repository, then driven through the installed
`agentform` console script exactly as a user would type it: validate, plan (changes:
exit 2), apply, plan again (no changes: exit 0), and the pins.yaml it wrote.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / ".agentform" / "demo"
AGENTFORM = str(Path(sys.executable).with_name("agentform"))
# Works as printed from the repository root, with or without the virtualenv activated.
HINT = f"cd {DEMO.relative_to(REPO)} && {Path(os.path.relpath(AGENTFORM, DEMO))} --local plan"


def main() -> int:
    _fresh_copy()
    _run("validate")
    _run("--local", "plan", "--detailed-exitcode", ok=(2,))
    _run("--local", "apply", "--auto-approve")
    _run("--local", "plan", "--detailed-exitcode")
    _show(DEMO / "pins.yaml")
    print(
        "\nThe estate is in .agentform/demo/ and its emulator state in .agentform/demo/.agentform/."
        "\nTo see a prompt diff, edit .agentform/demo/agents/triage.prompt.md, then run:"
        f"\n  {HINT}"
    )
    return 0


def _fresh_copy() -> None:
    shutil.rmtree(DEMO, ignore_errors=True)
    DEMO.mkdir(parents=True)
    for name in ("agents", "environments", "evals"):
        shutil.copytree(REPO / name, DEMO / name)
    shutil.copy2(REPO / "pins.yaml", DEMO / "pins.yaml")


def _run(*args: str, ok: tuple[int, ...] = (0,)) -> int:
    print(f"\n$ agentform {' '.join(args)}", flush=True)
    code = subprocess.call([AGENTFORM, *args], cwd=DEMO)
    if code not in ok:
        sys.exit(f"demo: `agentform {' '.join(args)}` exited {code}")
    return code


def _show(path: Path) -> None:
    print(f"\n--- {path.relative_to(DEMO)}", flush=True)
    print(path.read_text(encoding="utf-8"), end="")


if __name__ == "__main__":
    sys.exit(main())
