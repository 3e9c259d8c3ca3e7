"""One change of a plan, executed: the write (see apply.writes) and its pin change.

A pin moves only for what this apply created, updated, replaced or found unpinned
(a move renames it, version and all), and only if the pin is still the one the plan
saw (`expect`): a rollback made while the apply ran is kept. The change's intent
(recorded before the first write) is cleared when its pin is recorded or when nothing
was made; it stays when the write may have landed without an answer, so the next
apply finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from agentform.apply import writes
from agentform.errors import AgentformError, UserError
from agentform.kinds import kind, refs
from agentform.kinds.base import Step
from agentform.kinds.shape import digest
from agentform.manifests.schemas import DIGEST_MARKER
from agentform.pins.model import Pending, Pin, Version, label
from agentform.pins.store import Batch, PinChange
from agentform.plan.model import Change
from agentform.remote.client import Remote, RemoteError
from agentform.remote.state import ServerObject

Status = Literal["done", "unchanged", "skipped", "failed", "refused", "kept", "stopped"]


@dataclass(frozen=True)
class GateVerdict:
    """A gate's answer for one new agent version; `details` are for the renderer."""

    passed: bool
    message: str
    details: tuple[Any, ...] = ()


Gate = Callable[[Change, ServerObject], GateVerdict]


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    message: str
    verdict: GateVerdict | None = None
    made: str | None = None  # the id of an object this change created


@dataclass(frozen=True)
class RunOptions:
    policy: writes.RetryPolicy = field(default_factory=writes.RetryPolicy)
    gate: Gate | None = None  # asked before an updated agent's new version is pinned
    root: Path | None = None  # the estate: files a body names by digest are read from it


def pin_of(obj: ServerObject) -> Pin:
    """The pin for a server object: versioned kinds pin the version and its spec digest."""
    the_kind = kind(obj.kind)
    if not the_kind.versioned:
        return Pin(obj.id)
    return Pin(obj.id, obj.version or 1, digest(the_kind.actual(obj.data)))


def expected(change: Change) -> Pin | None:
    """The pin the plan saw for this resource (what apply expects to replace)."""
    if change.pinned_id is None:
        return None
    return Pin(change.pinned_id, change.pinned_version)


def intent_of(change: Change) -> Pending | None:
    """The intent to record before an update makes a new version on top of a pin."""
    if change.action != "update" or not kind(change.kind).versioned or change.spec is not None:
        return None  # with placeholders the digest is known only once they are filled
    if change.pinned_id != change.id or change.pinned_version is None or change.marker is None:
        return None
    return Pending(change.pinned_version, change.marker)


class Runner:
    def __init__(self, remote: Remote, batch: Batch, options: RunOptions) -> None:
        self.remote = remote
        self.batch = batch
        self.options = options
        self.policy = options.policy
        self.made: dict[tuple[str, str], Pin] = {}  # pins this apply recorded, for dependents

    def run(self, change: Change) -> Outcome:
        try:
            change = self._filled(change)
            handler: Callable[[Change], Outcome] = getattr(self, f"_{change.action}")
            return handler(change)
        except writes.StoppedError as exc:
            self._settle(change, maybe_done=exc.maybe_done)
            return Outcome(change, "stopped", str(exc))
        except RemoteError as exc:
            maybe = isinstance(exc, writes.GaveUpError) and exc.maybe_done
            self._settle(change, maybe_done=maybe)
            return Outcome(change, "failed", str(exc))
        except UserError as exc:  # the request could not be made (`Kind.attach`)
            self._settle(change, maybe_done=False)
            return Outcome(change, "failed", str(exc))

    def _body(self, change: Change) -> dict[str, Any]:
        """The request as sent (the kind reads the files its body names by digest)."""
        return kind(change.kind).attach(change.key, change.body or {}, self.options.root)

    def _create(self, change: Change) -> Outcome:
        created = writes.create(self.remote, change.kind, self._body(change), self.policy)
        self._record(change, created)
        done = self._steps(change, created.id)
        return Outcome(
            change, "done", f"created {created.id}{_v(created)}, pinned{done}", made=created.id
        )

    def _update(self, change: Change) -> Outcome:
        assert change.id is not None
        body = self._body(change)
        updated = writes.update(self.remote, change.kind, change.id, body, self.policy)
        if kind(change.kind).versioned and updated.version == change.from_version:
            self._settle(change, maybe_done=False)
            return Outcome(
                change,
                "unchanged",
                f"the server found nothing to change (still {label(updated.version)})",
            )
        gated = self._gate(change, updated)
        if gated is not None and not gated.passed:
            self._settle(change, maybe_done=False)  # deliberately not pinned: it is held
            return Outcome(change, gated.status, gated.message, gated.verdict)
        self._record(change, updated)
        moved = (
            f"{label(change.pinned_version or change.from_version)} -> "
            f"{label(updated.version)}, pinned"
            if kind(change.kind).versioned
            else "updated in place"
        )
        note = f" (eval gate: {gated.message})" if gated is not None else ""
        note += self._steps(change, change.id)
        return Outcome(change, "done", moved + note, gated.verdict if gated else None)

    def _replace(self, change: Change) -> Outcome:
        created = writes.create(self.remote, change.kind, self._body(change), self.policy)
        self._record(change, created)
        message = (
            f"created {created.id} to replace {change.id}, pinned{self._steps(change, created.id)}"
        )
        return Outcome(
            change,
            "done",
            f"{message}; {change.id} left in place (archive it with --prune)",
            made=created.id,
        )

    def _pin(self, change: Change) -> Outcome:
        assert change.id is not None
        pin = Pin(change.id)
        if kind(change.kind).versioned:
            assert change.from_version is not None and change.digest is not None
            pin = Pin(change.id, change.from_version, change.digest)
        self._pin_change(change, pin)
        return Outcome(
            change, "done", f"pinned {change.id}{_version(change.from_version)} ({change.reason})"
        )

    def _move(self, change: Change) -> Outcome:
        """A rename (moved.yaml): the marker, then the pin, to the new key. The pin keeps
        its version: a marker update of an agent makes a version with the same content."""
        assert change.moved_from is not None
        done = []
        if change.body is not None and change.id is not None:
            body = dict(change.body)
            renamed = writes.update(self.remote, change.kind, change.id, body, self.policy)
            versioned = kind(change.kind).versioned
            made = f" ({label(renamed.version)}, same content)" if versioned else ""
            done.append(f"marked agentform.key={change.key}{made}")
        if change.pinned_id is not None:
            section = kind(change.kind).plural
            rename = PinChange(
                section, change.moved_from, expect=expected(change), moved_to=change.key
            )
            self.batch.add(rename, change)
            done.append(f"pin renamed from {change.moved_from}")
        return Outcome(change, "done", "; ".join(done) or "nothing left to move")

    def _archive(self, change: Change) -> Outcome:
        assert change.id is not None
        if change.live:
            writes.archive(self.remote, change.kind, change.id, self.policy)
        section = kind(change.kind).plural  # drop its pin, if it still pins this object
        self.batch.add(PinChange(section, change.key, None, expect=Pin(change.id)), change)
        return Outcome(change, "done", f"archived {change.id}")

    def _steps(self, change: Change, object_id: str) -> str:
        """Run the change's steps on the object, in order; `; <what they did>` for the
        outcome. The object (and its pin) stays when one fails: the next apply plans the
        steps still missing."""
        for step in change.steps:
            self._step(change, object_id, step)
        return "".join(f"; {step.summary}" for step in change.steps)

    def _step(self, change: Change, object_id: str, step: Step) -> None:
        the_kind = kind(change.kind)

        def run() -> None:
            the_kind.run_step(self.remote.writer, object_id, step, self.remote.scope)

        writes.step(self.remote, run, self.policy, f"{change.kind} {change.key}: {step.summary}")

    # -- references ----------------------------------------------------------------------

    def _filled(self, change: Change) -> Change:
        """The change with its placeholders filled from the pins its dependencies got,
        its digest marker computed, and (for a new version) its intent recorded."""
        if change.spec is None or change.body is None:
            return change
        spec = refs.fill(change.spec, self._known)
        marker = digest(kind(change.kind).desired(spec))
        body = refs.fill(change.body, self._known)
        body["metadata"] = {**body.get("metadata", {}), DIGEST_MARKER: marker}
        filled = replace(change, body=body, marker=marker, spec=None)
        intent = intent_of(filled)
        if intent is not None:
            self.batch.add(PinChange(kind(change.kind).plural, change.key, intent=intent))
            self.batch.flush()  # recorded before the write, as for every other update
        return filled

    def _known(self, kind_name: str, key: str, field: str) -> Any:
        pin = self.made.get((kind_name, key))
        if pin is None:
            raise RemoteError(f"{kind_name} {key} was not applied, so nothing can use it yet")
        return pin.id if field == "id" else pin.version

    # -- pins ----------------------------------------------------------------------------

    def _record(self, change: Change, obj: ServerObject) -> None:
        self._pin_change(change, pin_of(obj))

    def _pin_change(self, change: Change, pin: Pin) -> None:
        """Pin what this apply made or found; its key's intent, if any, is fulfilled (or,
        pinning back to follow what it uses, replaced by one to follow it forward)."""
        section = kind(change.kind).plural
        self.made[(change.kind, change.key)] = pin
        intent = None
        if change.follows is not None and pin.version is not None:
            intent = Pending(pin.version, change.follows, "follows")
        self.batch.add(
            PinChange(section, change.key, pin, intent=intent, expect=expected(change)), change
        )

    def _settle(self, change: Change, *, maybe_done: bool) -> None:
        """After a write that made nothing (or may have): clear or keep its intent."""
        if intent_of(change) is None or maybe_done:
            return
        self.batch.add(PinChange(kind(change.kind).plural, change.key, intent=None), None)

    def _gate(self, change: Change, updated: ServerObject) -> _Gated | None:
        """The gate's say on a new agent version, before its pin moves (None: no gate)."""
        if change.kind != "agent" or self.options.gate is None:
            return None
        held = f"{label(updated.version)} created, not pinned"
        try:
            verdict = self.options.gate(change, updated)
        except AgentformError as exc:
            return _Gated(False, "failed", f"{held}: the eval gate could not run: {exc}", None)
        if verdict.passed:
            return _Gated(True, "done", verdict.message, verdict)
        return _Gated(False, "refused", f"{held}: {verdict.message}", verdict)


@dataclass(frozen=True)
class _Gated:
    passed: bool
    status: Status
    message: str
    verdict: GateVerdict | None


def _v(obj: ServerObject) -> str:
    return _version(obj.version)


def _version(version: Version | None) -> str:
    return f" {label(version)}" if version is not None else ""
