"""Regenerate schemas/*.schema.json from the installed SDK (`make schemas`)."""

from __future__ import annotations

from pathlib import Path

from agentform.schemagen import write_schemas

if __name__ == "__main__":
    written = write_schemas(Path(__file__).resolve().parent.parent / "schemas")
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("schemas are up to date")
