"""The command line: parse, call the core, render, pick the exit code.

Only this package prints or prompts. Command modules import their core modules
inside the command function so `agentform --help` stays fast and never imports
`anthropic` or FastAPI.
"""

from __future__ import annotations

from agentform.cli.root import main

__all__ = ["main"]
