"""The resource kinds by name: what the light layers need to know of them.

The kinds themselves (`agentform.kinds`, one module each) are imported only by commands
that plan or apply. The caller API (`agentform.pins`, which services import at start-up)
and the command line's usage checks must stay light, so they read this table instead.
Each row repeats a kind module's own class attributes; a test checks that they agree,
so adding a kind is its module plus one row here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str  # "agent": commands, plan output, `{agent: <key>}` references
    plural: str  # "agents": its manifest directory and its pins.yaml section
    id_prefix: str  # "agent_": how its server ids look
    about: str  # what its manifest is, for `agentform schema`
    versioned: bool = False  # pinned as {id, version, digest}; else {id}
    named_versions: bool = False  # its versions are ids (`skillver_...`), not numbers
    marked: bool = True  # its server objects carry agentform's metadata markers


CATALOG: tuple[Entry, ...] = (
    Entry("agent", "agents", "agent_", "an agents/<key>.yaml manifest", versioned=True),
    Entry("environment", "environments", "env_", "an environments/<key>.yaml manifest"),
    Entry(
        "skill",
        "skills",
        "skill_",
        "the front matter of skills/<key>/SKILL.md (its files beside it)",
        versioned=True,
        named_versions=True,
        marked=False,
    ),
    Entry("deployment", "deployments", "depl_", "a deployments/<key>.yaml manifest"),
    Entry(
        "vault",
        "vaults",
        "vlt_",
        "a vaults/<key>.yaml manifest (credentials by key, secrets by source)",
    ),
    Entry(
        "memory_store",
        "memory_stores",
        "memstore_",
        "a memory_stores/<key>.yaml manifest (seed files beside it)",
    ),
)
NAMES: tuple[str, ...] = tuple(e.name for e in CATALOG)
MARKED: tuple[str, ...] = tuple(e.name for e in CATALOG if e.marked)
VERSIONED_NAMES: tuple[str, ...] = tuple(e.name for e in CATALOG if e.versioned)


def each_with_article(names: Iterable[str]) -> str:
    """`an agent and an environment`: kinds with their articles, for messages."""
    return " and ".join(f"{'an' if name[0] in 'aeiou' else 'a'} {name}" for name in names)
