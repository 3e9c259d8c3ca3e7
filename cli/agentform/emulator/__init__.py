"""A faithful local emulator of the Claude Managed Agents API (agents, environments,
sessions, session events, files) for offline use, CI dry runs and tests.

Import-light on purpose: FastAPI, uvicorn and the SDK are imported only when a server
starts. `serve()` runs one in a background thread and yields its base URL:

    with agentform.emulator.serve() as url:
        client = anthropic.Anthropic(base_url=url, api_key="anything")

`agentform.emulator.admin` drives the test-only `/_emulator/` API (faults, counters,
reset). See docs/emulator.md for the responder rules file and the fidelity notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentform.emulator.server import serve as serve

__all__ = ["serve"]


def __getattr__(name: str) -> Any:
    """`serve` is imported on first use: FastAPI and uvicorn load only when a server starts."""
    if name == "serve":
        from agentform.emulator.server import serve

        return serve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
