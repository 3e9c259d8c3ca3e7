"""pins.yaml as a value: which version of each resource every caller uses.

The caller API::

    import anthropic
    from agentform import pins

    client = anthropic.Anthropic()
    session = client.beta.sessions.create(**pins.load().session_params("triage"), title="...")

This module imports only PyYAML: services load pins at start-up. The file is written by
`agentform apply` / `agentform pin`, deterministically (sorted keys, fixed field order)
and atomically (temp file + rename), and only when its content changes. Reverting a
change to it is a rollback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentform.catalog import CATALOG
from agentform.errors import LookupKeyError, PinsError

# One section per resource kind, in file order. Versioned kinds pin `id, version, digest`;
# the others pin `id`. agents and environments are always written (callers expect them).
SECTIONS = tuple(e.plural for e in CATALOG)
VERSIONED = frozenset(e.plural for e in CATALOG if e.versioned)
# Sections whose versions are ids, not numbers: section -> how those ids start.
VERSION_PREFIXES = {e.plural: e.version_prefix for e in CATALOG if e.version_prefix}
ALWAYS = ("agents", "environments")

# An agent's versions are numbers 1, 2, ...; a skill's are ids (`skillver_...`) with no
# order a client can see. Code that compares versions goes through these three.
Version = int | str


def behind(pinned: Version | None, latest: Version | None) -> bool:
    """Whether a pin is not on the latest version (numbers: lower; ids: different)."""
    if pinned is None or latest is None:
        return False
    if isinstance(pinned, int) and isinstance(latest, int):
        return pinned < latest
    return pinned != latest


def ahead(pinned: Version | None, latest: Version | None) -> bool:
    """Whether a pinned version number is past the latest: it cannot exist (ids: unknown)."""
    return isinstance(pinned, int) and isinstance(latest, int) and pinned > latest


def label(version: Version | None) -> str:
    """`v3` for a number, the id itself for a named version."""
    return f"v{version}" if isinstance(version, int) else str(version)


@dataclass(frozen=True)
class Pin:
    """What callers use of one resource: its id, and for versioned kinds the version (and
    the digest of the spec that version holds on the server)."""

    id: str
    version: Version | None = None
    digest: str | None = None
    evidence: Mapping[str, Any] | None = None  # what `promote` measured (see pins.evidence)


AgentPin = Pin  # the names callers and older code use
EnvironmentPin = Pin


@dataclass(frozen=True)
class Pending:
    """An apply's intent, recorded before it writes: a new version of this resource, made
    from the manifest with `digest`, on top of the pinned version `base`. The apply
    removes it when it records the pin (or knows nothing was made). One left behind
    means the apply was interrupted: the next apply pins the version it made (found by
    its digest marker) instead of taking the old pin for a deliberate rollback.

    `cause: follows` marks a pin apply moved back because something it uses was rolled
    back: when that comes forward again, so does this pin (it follows, it was not
    rolled back by a person). `agentform pin` clears either kind."""

    base: Version
    digest: str
    cause: str = "apply"  # apply | follows


@dataclass(frozen=True, init=False)
class Pins:
    """Every pin, by section (`agents`, `environments`, ...) and key."""

    sections: Mapping[str, Mapping[str, Pin]]
    workspace_id: str | None = None
    pending: Mapping[str, Mapping[str, Pending]] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    def __init__(
        self,
        sections: Mapping[str, Mapping[str, Pin]] | None = None,
        *,
        workspace_id: str | None = None,
        pending: Mapping[str, Mapping[str, Pending]] | None = None,
        path: Path | None = None,
        **by_section: Mapping[str, Pin],
    ) -> None:
        merged = {**(sections or {}), **by_section}
        unknown = (set(merged) | set(pending or {})) - set(SECTIONS)
        if unknown:
            raise ValueError(f"unknown pins sections: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "sections", _clean(merged))
        object.__setattr__(self, "workspace_id", workspace_id)
        object.__setattr__(self, "pending", _clean(pending or {}))
        object.__setattr__(self, "path", path)

    @property
    def agents(self) -> Mapping[str, Pin]:
        return self.section("agents")

    @property
    def environments(self) -> Mapping[str, Pin]:
        return self.section("environments")

    def section(self, name: str) -> Mapping[str, Pin]:
        return self.sections.get(name, {})

    def get(self, section: str, key: str) -> Pin | None:
        return self.section(section).get(key)

    def __len__(self) -> int:
        return sum(len(pins) for pins in self.sections.values())

    def describe(self) -> str:
        """`1 agent, 1 environment pins`: agents and environments, and any other section."""
        shown = [s for s in SECTIONS if s in ALWAYS or self.section(s)]
        parts = [f"{len(self.section(s))} {s.removesuffix('s').replace('_', ' ')}" for s in shown]
        return ", ".join(parts) + " pins"

    def session_params(
        self, agent: str, environment: str | None = None, *, vaults: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Keyword arguments for `client.beta.sessions.create(**...)`.

        `environment` may be omitted when the pins hold exactly one environment; `vaults`
        are vault keys, whose credentials the session may use (`vault_ids`).
        """
        pin = self.agent(agent)
        params: dict[str, Any] = {
            "agent": {"type": "agent", "id": pin.id, "version": pin.version},
            "environment_id": self._environment_for_session(environment).id,
        }
        if vaults:
            params["vault_ids"] = [self.vault(key).id for key in vaults]
        return params

    def agent(self, key: str) -> Pin:
        if key not in self.agents:
            raise LookupKeyError(kind="agent", key=key, known=list(self.agents), where=self._where)
        return self.agents[key]

    def vault(self, key: str) -> Pin:
        vaults = self.section("vaults")
        if key not in vaults:
            raise LookupKeyError(kind="vault", key=key, known=list(vaults), where=self._where)
        return vaults[key]

    def environment(self, key: str) -> Pin:
        if key not in self.environments:
            raise LookupKeyError(
                kind="environment", key=key, known=list(self.environments), where=self._where
            )
        return self.environments[key]

    def with_pin(self, section: str, key: str, pin: Pin | None) -> Pins:
        """A copy with one pin set (or removed when `pin` is None)."""
        entries = {k: v for k, v in self.section(section).items() if k != key}
        if pin is not None:
            entries[key] = pin
        return replace(self, sections={**self.sections, section: entries})

    def with_moved(self, section: str, key: str, to: str) -> Pins:
        """A copy with the entry `key` (its pin, and its intent unless `to` has one) under
        the key `to` instead: a rename (`agentform mv`, a `moved.yaml` entry)."""
        moved = self.with_pin(section, key, None).with_pin(section, to, self.get(section, key))
        intent = self.intent(section, to) or self.intent(section, key)
        return moved.with_pending(section, key, None).with_pending(section, to, intent)

    def intent(self, section: str, key: str) -> Pending | None:
        return self.pending.get(section, {}).get(key)

    def with_pending(self, section: str, key: str, intent: Pending | None) -> Pins:
        """A copy with one apply intent recorded (or cleared when `intent` is None)."""
        entries = {k: v for k, v in self.pending.get(section, {}).items() if k != key}
        if intent is not None:
            entries[key] = intent
        return replace(self, pending={**self.pending, section: entries})

    def with_agent(self, key: str, pin: Pin | None) -> Pins:
        return self.with_pin("agents", key, pin)

    def with_environment(self, key: str, pin: Pin | None) -> Pins:
        return self.with_pin("environments", key, pin)

    def _environment_for_session(self, key: str | None) -> Pin:
        if key is not None:
            return self.environment(key)
        if len(self.environments) == 1:
            return next(iter(self.environments.values()))
        known = ", ".join(sorted(self.environments)) or "none"
        raise PinsError(
            path=self.path or "pins.yaml",
            message=f"pass environment=KEY: the pins hold {len(self.environments)} "
            f"environments ({known}), not exactly one",
        )

    @property
    def _where(self) -> str:
        return str(self.path or "pins.yaml")


def _clean(sections: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Known sections in file order, empty ones left out."""
    return {name: dict(sections[name]) for name in SECTIONS if sections.get(name)}
