"""Regenerate schemas/*.schema.json from the installed SDK: `python -m schemagen` (`make schemas`).

It also compiles each schema into agentform/_validators/<kind>.py (see schemagen.fastcheck).

`--check` writes nothing: it prints a unified diff of what would change and exits 1
when a schema would change (`make sdk-drift` runs it on the newest SDK as a report).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

import anthropic

from schemagen import build_schemas, render, write_schemas
from schemagen.fastcheck import write_checks

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"
CHECKS = REPO / "cli" / "agentform" / "_validators"


def check() -> int:
    stale = 0
    for kind, schema in build_schemas().items():
        path = SCHEMAS / f"{kind}.schema.json"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = render(schema)
        if old != new:
            stale += 1
            name = f"schemas/{kind}.schema.json"
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"{name} (committed)",
                    f"{name} (anthropic {anthropic.__version__})",
                )
            )
    if stale:
        print(f"anthropic {anthropic.__version__} would change {stale} schema(s)")
        return 1
    print(f"anthropic {anthropic.__version__} generates the committed schemas")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report a diff; write nothing")
    if parser.parse_args().check:
        return check()
    written = write_schemas(SCHEMAS)
    written += write_checks(SCHEMAS, CHECKS)  # from the schemas just written
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("schemas are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
