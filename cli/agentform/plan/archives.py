"""What to archive: objects agentform manages that no manifest wants any more.

- a pinned key whose manifest was removed: `archive (irreversible)`, done only with
  --prune; without it the change is shown as deferred ("only with --prune") and not
  counted as a change apply will make;
- a second object marked with a key whose manifest exists (a lost create response, a
  concurrent apply): superseded, archived (it is nobody's pin);
- a marked object with neither manifest nor pin here (`stray`): noted, archived only
  with --prune-strays, adoptable with `import`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from agentform.kinds import Kind
from agentform.manifests.estate import Manifest
from agentform.pins.model import Pins
from agentform.plan.model import Change, Note
from agentform.remote.state import RemoteState


class Archives:
    def __init__(
        self,
        of: Kind,
        state: RemoteState,
        pins: Pins,
        matched: set[str],
        wanted: set[str] | None,
        prune: bool,
        prune_strays: bool,
    ) -> None:
        self.of = of
        self.pins = pins.section(of.plural)
        self.live = state.by_id(of.name)
        self.marked = state.by_key(of.name)
        self.matched = matched
        self.wanted = wanted
        self.prune = prune
        self.prune_strays = prune_strays
        self.notes: list[Note] = []

    def changes(self, manifests: Mapping[str, Manifest]) -> Iterator[Change]:
        yield from self._removed(manifests)
        for key, objects in sorted(self.marked.items()):
            if not self._wants(key):
                continue
            for obj in objects:
                if obj.id in self.matched:
                    continue
                if key in manifests:
                    reason = f"superseded: also marked {key}, but not the one in use"
                    yield self._archive(key, obj.name, obj.id, reason)
                elif key not in self.pins:
                    yield from self._stray(key, obj.id, obj.name)

    def _removed(self, manifests: Mapping[str, Manifest]) -> Iterator[Change]:
        for key, pin in sorted(self.pins.items()):
            if key in manifests or not self._wants(key):
                continue
            obj = self.live.get(pin.id)
            self.matched.add(pin.id)
            reason = "manifest removed" if obj else "manifest removed; already archived or gone"
            change = self._archive(
                key, obj.name if obj else "", pin.id, reason, live=obj is not None
            )
            yield replace(change, deferred=not self.prune)

    def _stray(self, key: str, object_id: str, name: str) -> Iterator[Change]:
        if self.prune_strays:
            yield self._archive(key, name, object_id, "stray: neither a manifest nor a pin here")
            return
        self.notes.append(
            Note(
                self.of.name,
                key,
                "stray",
                f"{object_id} is marked agentform.key={key}, which is neither a manifest nor "
                "a pin here; left alone (adopt it with `agentform import`, or archive it with "
                "`apply --prune-strays`)",
                {"id": object_id},
            )
        )

    def _archive(
        self, key: str, name: str, object_id: str, reason: str, *, live: bool = True
    ) -> Change:
        return Change(
            kind=self.of.name,
            key=key,
            action="archive",
            name=name,
            id=object_id,
            reason=reason,
            live=live,
        )

    def _wants(self, key: str) -> bool:
        return self.wanted is None or key in self.wanted
