"""The resource kinds by name: what the light layers need to know of them.

The kinds themselves (`agentform.kinds`, one module each) are imported only by commands
that plan or apply. The caller API (`agentform.pins`, which services import at start-up)
and the command line (its usage checks, `import`'s subcommands and help, `pin`) must
stay light, so they read this table instead. Each row repeats a kind module's own class
attributes and adds what the command line says about the kind; a test checks that they
agree, so adding a kind is its module plus one row here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXAMPLE_ID = "011CZkZ9X2dpNyB7HsEFoRfW"  # the tail of the ids in --help examples


@dataclass(frozen=True)
class Entry:
    name: str  # "agent": commands, plan output, `{agent: <key>}` references
    plural: str  # "agents": its manifest directory and its pins.yaml section
    id_prefix: str  # "agent_": how its server ids look
    about: str  # what its manifest is, for `agentform schema`
    versioned: bool = False  # pinned as {id, version, digest}; else {id}
    version_prefix: str = ""  # its versions are ids with this prefix, not numbers 1, 2, ...
    marked: bool = True  # its server objects carry agentform's metadata markers
    example: str = ""  # a key for the examples in --help ("triage")
    import_help: str = ""  # `import <name>`'s help above its example [default: one line]
    import_version: str = ""  # the help of `import <name> --version`, when it takes one
    import_note: str = ""  # what `import` tells people that marking does to one

    @property
    def command(self) -> str:
        """How the command line spells it (`memory-store`)."""
        return self.name.replace("_", "-")

    @property
    def label(self) -> str:
        """How a sentence names it (`memory store`)."""
        return self.name.replace("_", " ")

    def example_id(self) -> str:
        return f"{self.id_prefix}{EXAMPLE_ID}"

    def example_version(self) -> str:
        """A version of it, as `pin` takes one."""
        return f"{self.version_prefix}{EXAMPLE_ID}" if self.version_prefix else "2"

    def help_for_import(self) -> str:
        """The help of `import <name>`, with its example."""
        text = self.import_help or f"Import one {self.label} by id."
        return f"{text}\n\n\b\nExample:\n  {self.import_example()}"

    def import_example(self) -> str:
        return f"agentform import {self.command} {self.example_id()} --key {self.example}"


CATALOG: tuple[Entry, ...] = (
    Entry(
        "agent",
        "agents",
        "agent_",
        "an agents/<key>.yaml manifest",
        versioned=True,
        example="triage",
        import_note="for an agent that makes a new version with identical content",
    ),
    Entry(
        "environment",
        "environments",
        "env_",
        "an environments/<key>.yaml manifest",
        example="default",
    ),
    Entry(
        "skill",
        "skills",
        "skill_",
        "the front matter of skills/<key>/SKILL.md (its files beside it)",
        versioned=True,
        version_prefix="skillver_",
        marked=False,
        example="lookup",
        import_help="Import one custom skill by id: download its files into skills/KEY/.",
        import_version="The version to download and pin.  [default: the latest]",
        import_note="a skill has no metadata: its pin alone marks it",
    ),
    Entry(
        "deployment",
        "deployments",
        "depl_",
        "a deployments/<key>.yaml manifest",
        example="nightly",
        import_help="""Import one deployment by id.

The agent, environment and vaults it uses must be managed here already
(or imported in the same `import --all`): its manifest names them by key.
It keeps running the agent version it runs now: the manifest holds that
version (`agent: {key, version}`) unless it is the pinned one.""",
    ),
    Entry(
        "vault",
        "vaults",
        "vlt_",
        "a vaults/<key>.yaml manifest (credentials by key, secrets by source)",
        example="github",
        import_help=(
            "Import one vault by id (without its credentials: their secrets cannot be read)."
            "\n\nThe credentials it holds stay as they are; agentform never touches a\n"
            "credential it did not make. Add `credentials:` to its manifest to manage\n"
            "new ones."
        ),
    ),
    Entry(
        "memory_store",
        "memory_stores",
        "memstore_",
        "a memory_stores/<key>.yaml manifest (seed files beside it)",
        example="notes",
        import_help="Import one memory store by id (its memories stay; none become seed files).",
    ),
)
NAMES: tuple[str, ...] = tuple(e.name for e in CATALOG)
MARKED: tuple[str, ...] = tuple(e.name for e in CATALOG if e.marked)
VERSIONED_NAMES: tuple[str, ...] = tuple(e.name for e in CATALOG if e.versioned)
BY_NAME: dict[str, Entry] = {e.name: e for e in CATALOG}


def each_with_article(names: Iterable[str]) -> str:
    """`an agent and an environment`: kinds with their articles, for messages."""
    return " and ".join(f"{'an' if name[0] in 'aeiou' else 'a'} {name}" for name in names)
