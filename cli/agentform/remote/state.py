"""What the server holds, as plain data: read by remote.client, consumed by the planner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER

Kind = Literal["agent", "environment"]


@dataclass(frozen=True)
class ServerObject:
    """The latest version of one agent, or one environment, as the API returned it."""

    kind: Kind
    data: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def version(self) -> int | None:
        version = self.data.get("version")
        return int(version) if version is not None else None

    @property
    def updated_at(self) -> str:
        return str(self.data.get("updated_at", ""))

    @property
    def metadata(self) -> Mapping[str, str]:
        return self.data.get("metadata") or {}

    @property
    def key(self) -> str | None:
        """The agentform key this object is marked with, if agentform manages it."""
        return self.metadata.get(KEY_MARKER)

    @property
    def applied_digest(self) -> str | None:
        """Digest of the manifest agentform last applied to it (for drift detection)."""
        return self.metadata.get(DIGEST_MARKER)


@dataclass(frozen=True)
class RemoteState:
    """Every live (unarchived) agent and environment in the workspace."""

    agents: tuple[ServerObject, ...] = ()
    environments: tuple[ServerObject, ...] = ()

    def of_kind(self, kind: Kind) -> tuple[ServerObject, ...]:
        return self.agents if kind == "agent" else self.environments

    def by_id(self, kind: Kind) -> dict[str, ServerObject]:
        return {obj.id: obj for obj in self.of_kind(kind)}

    def by_key(self, kind: Kind) -> dict[str, list[ServerObject]]:
        marked: dict[str, list[ServerObject]] = defaultdict(list)
        for obj in self.of_kind(kind):
            if obj.key is not None:
                marked[obj.key].append(obj)
        return dict(marked)
