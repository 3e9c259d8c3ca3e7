"""Regenerate docs/cli.md from the commands' --help (`make docs`)."""

from __future__ import annotations

from pathlib import Path

from agentform.cli.reference import render_reference
from agentform.cli.root import main

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    text = render_reference(main)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        print(f"{target} is up to date")
    else:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
