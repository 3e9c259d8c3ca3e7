"""An estate with every kind: two agents, an environment, a vault whose token comes from
the environment, a memory store with two seeded memories, and two deployments of the
triage agent (one scheduled, one manual)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from agentform import pins
from tests.estate import copy_example, write

TOKEN_VARIABLE = "AGENTFORM_TEST_GITHUB_TOKEN"

NIGHTLY = """
    name: nightly-triage
    description: Triage what came in overnight
    agent: triage
    environment: default
    vaults: [github]
    resources:
      - {type: memory_store, memory_store_id: {memory_store: notes}, access: read_only}
    initial_events:
      - type: user.message
        text_file: nightly.md
    schedule: {expression: "0 2 * * *", timezone: Europe/Paris}
"""
MANUAL = """
    name: manual-triage
    agent: triage
    environment: default
    initial_events:
      - {type: user.message, text: Triage the tickets tagged urgent.}
"""
VAULT = f"""
    display_name: GitHub
    credentials:
      github:
        display_name: GitHub MCP
        auth:
          type: static_bearer
          mcp_server_url: https://api.githubcopilot.com/mcp/
          token: {{value_from: {{env: {TOKEN_VARIABLE}}}}}
"""
STORE = """
    name: triage-notes
    description: What the triage team knows
"""
SUMMARY_AGENT = """
    name: summary
    model: claude-sonnet-4-6
    system: You summarise the day's tickets.
"""


def lay_out(root: Path) -> Path:
    """The example estate plus a second agent, a vault, a memory store, two deployments."""
    estate = copy_example(root)
    write(estate, "agents/summary.yaml", SUMMARY_AGENT)
    write(estate, "deployments/nightly.yaml", NIGHTLY)
    write(estate, "deployments/nightly.md", "Triage every ticket that came in overnight.\n")
    write(estate, "deployments/manual.yaml", MANUAL)
    write(estate, "vaults/github.yaml", VAULT)
    write(estate, "memory_stores/notes.yaml", STORE)
    write(estate, "memory_stores/notes/team/oncall.md", "On call this week: Ada.\n")
    write(estate, "memory_stores/notes/rules.md", "Escalate every P1 to #incidents.\n")
    return estate


def pinned(estate: Path) -> pins.Pins:
    return pins.load(estate / "pins.yaml")


def deployment(client: Any, estate: Path, key: str) -> Any:
    return client.beta.deployments.retrieve(pinned(estate).get("deployments", key).id)


def git(estate: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=estate, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout
