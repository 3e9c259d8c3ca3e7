"""What the server holds, as plain data: read by remote.client, consumed by the planner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.pins.model import Version

KindName = str  # "agent", "environment", ... (see agentform.kinds)


@dataclass(frozen=True)
class ServerObject:
    """One server object (for versioned kinds: one version of it), as the API returned it."""

    kind: KindName
    data: Mapping[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.data.get("display_name") or "")

    @property
    def version(self) -> Version | None:
        """A number (agents), or a version id (skills: `skillver_...`)."""
        version = self.data.get("version")
        if version is None or isinstance(version, str):
            return version
        return int(version)

    @property
    def updated_at(self) -> str:
        return str(self.data.get("updated_at", ""))

    @property
    def archived(self) -> bool:
        return bool(self.data.get("archived_at"))

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


VersionKey = tuple[KindName, str, Version]  # (kind, object id, version)


@dataclass(frozen=True)
class RemoteState:
    """Every live (unarchived) object of every kind in the workspace, by kind name.

    For versioned kinds the list calls give the latest version; `versions` holds the
    older versions the plan needs (the pinned ones), None for one the server does not
    have.
    """

    objects: Mapping[KindName, tuple[ServerObject, ...]] = field(default_factory=dict)
    versions: Mapping[VersionKey, ServerObject | None] = field(default_factory=dict)
    histories: Mapping[tuple[KindName, str], tuple[ServerObject, ...]] = field(
        default_factory=dict
    )  # every version of a few objects (those a plan may pin back to)

    @classmethod
    def of(cls, *objects: ServerObject, versions: tuple[ServerObject, ...] = ()) -> RemoteState:
        grouped: dict[KindName, list[ServerObject]] = defaultdict(list)
        for obj in objects:
            grouped[obj.kind].append(obj)
        found = {(v.kind, v.id, v.version or 0): v for v in versions}
        return cls({kind: tuple(group) for kind, group in grouped.items()}, found)

    def with_versions(self, versions: Mapping[VersionKey, ServerObject | None]) -> RemoteState:
        return RemoteState(self.objects, {**self.versions, **versions}, self.histories)

    def with_histories(
        self, histories: Mapping[tuple[KindName, str], tuple[ServerObject, ...]]
    ) -> RemoteState:
        return RemoteState(self.objects, self.versions, {**self.histories, **histories})

    def history(self, kind: KindName, object_id: str) -> tuple[ServerObject, ...]:
        """Every version of an object, when it was read (else none)."""
        return tuple(self.histories.get((kind, object_id), ()))

    def version(self, kind: KindName, object_id: str, version: Version) -> ServerObject | None:
        """One version of an object: one fetched into `versions` (for a kind whose
        listing leaves the content out, the latest too), else the latest from the list;
        None when the server does not have it. KeyError: not fetched."""
        if (kind, object_id, version) in self.versions:
            return self.versions[(kind, object_id, version)]
        latest = self.by_id(kind).get(object_id)
        if latest is not None and latest.version == version:
            return latest
        return self.versions[(kind, object_id, version)]

    @property
    def agents(self) -> tuple[ServerObject, ...]:
        return self.of_kind("agent")

    @property
    def environments(self) -> tuple[ServerObject, ...]:
        return self.of_kind("environment")

    def of_kind(self, kind: KindName) -> tuple[ServerObject, ...]:
        return tuple(self.objects.get(kind, ()))

    def all(self) -> tuple[ServerObject, ...]:
        return tuple(obj for found in self.objects.values() for obj in found)

    def by_id(self, kind: KindName) -> dict[str, ServerObject]:
        """A kind's objects by id (built once per kind: the planner asks per resource)."""
        found = self._ids.get(kind)
        if found is None:
            found = self._ids[kind] = {obj.id: obj for obj in self.of_kind(kind)}
        return found

    @cached_property
    def _ids(self) -> dict[KindName, dict[str, ServerObject]]:
        return {}

    def by_key(self, kind: KindName) -> dict[str, list[ServerObject]]:
        marked: dict[str, list[ServerObject]] = defaultdict(list)
        for obj in self.of_kind(kind):
            if obj.key is not None:
                marked[obj.key].append(obj)
        return dict(marked)
