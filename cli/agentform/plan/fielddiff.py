"""DeepDiff output turned into agentform's own FieldChange records (and no further).

FieldChange values are for people (renderers, saved plans): secrets in them are
redacted here (see plan.secrets), once, for every format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from agentform.manifests.yamlsrc import format_field
from agentform.plan.secrets import redact


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Final = _Absent()
ChangeType = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: `before` is the server's value, `after` the manifest's."""

    path: str
    before: Any = ABSENT
    after: Any = ABSENT

    @property
    def change(self) -> ChangeType:
        if self.before is ABSENT:
            return "added"
        return "removed" if self.after is ABSENT else "changed"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "change": self.change}
        if self.before is not ABSENT:
            data["before"] = self.before
        if self.after is not ABSENT:
            data["after"] = self.after
        return data


def field_changes(before: Any, after: Any, order: tuple[str, ...] = ()) -> tuple[FieldChange, ...]:
    """Every leaf-most difference between two JSON-like values, in field order."""
    if before == after:
        return ()  # the common case, and DeepDiff costs ~1 ms even when nothing differs
    from deepdiff import DeepDiff
    from deepdiff.helper import notpresent

    found = []
    for report in DeepDiff(before, after, view="tree", ignore_order=False).values():
        for level in report:
            path = level.path(output_format="list")
            old = ABSENT if level.t1 is notpresent else redact(level.t1)
            new = ABSENT if level.t2 is notpresent else redact(level.t2)
            found.append((path, FieldChange(format_field(path), old, new)))
    rank = {name: i for i, name in enumerate(order)}
    found.sort(
        key=lambda item: (rank.get(str(item[0][0]), len(rank)) if item[0] else -1, item[1].path)
    )
    return tuple(change for _, change in found)


def additions(spec: dict[str, Any], order: tuple[str, ...] = ()) -> tuple[FieldChange, ...]:
    """A new resource shown as its top-level fields."""
    return tuple(FieldChange(name, after=redact(spec[name])) for name in order if name in spec)
