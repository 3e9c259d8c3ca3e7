from __future__ import annotations

from agentform.cli import main

main()
