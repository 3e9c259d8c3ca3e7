"""Writes that survive 429s, 5xx and lost responses without duplicates or false conflicts.

Each write is sent once by the SDK (`max_retries=0`); this module decides what a failure
means. 429/503/529: nothing happened, wait (`retry-after` when given) and send again.
500, timeouts, dropped connections: it may have happened, so look before sending again:
a create is searched for the kind's way (`Kind.find_created`: by its `agentform.key`
marker), a versioned update by the version and digest marker it would have produced, an
archive by `archived_at` (or its absence: a deleted skill). A 409 is a real conflict
and is never retried.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agentform.kinds import kind
from agentform.manifests.schemas import DIGEST_MARKER
from agentform.remote.client import (
    AmbiguousError,
    ConflictError,
    NotFoundError,
    Remote,
    RemoteError,
    RetryableError,
)
from agentform.remote.state import KindName, ServerObject

T = TypeVar("T")
Waiting = Callable[[str, float, str], None]  # (what, seconds, why)


def _no_report(what: str, seconds: float, why: str) -> None:
    return None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff: float = 0.5  # seconds, doubled each attempt
    max_backoff: float = 8.0
    max_wait: float = 60.0  # a longer retry-after fails the write instead of hanging
    stop: threading.Event = field(default_factory=threading.Event)  # set: stop waiting
    on_wait: Waiting = _no_report

    def wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return float(min(self.backoff * 2**attempt, self.max_backoff))


class GaveUpError(RemoteError):
    """Every attempt failed with a transient error; `maybe_done` if one may have landed."""

    def __init__(self, message: str, *, maybe_done: bool) -> None:
        super().__init__(message)
        self.maybe_done = maybe_done


class TooLongError(RemoteError):
    """The server asked to wait longer than --max-wait before retrying."""


class StoppedError(RemoteError):
    """Interrupted (Ctrl+C, SIGTERM) while waiting to retry; `maybe_done` as for GaveUp."""

    def __init__(self, message: str, *, maybe_done: bool) -> None:
        super().__init__(message)
        self.maybe_done = maybe_done


def create(
    remote: Remote, kind_name: KindName, body: dict[str, Any], policy: RetryPolicy
) -> ServerObject:
    def check() -> ServerObject | None:
        return kind(kind_name).find_created(remote, body)

    return _with_retries(
        lambda: remote.create(kind_name, body), check, policy, f"create {kind_name}"
    )


def update(
    remote: Remote, kind: KindName, object_id: str, body: dict[str, Any], policy: RetryPolicy
) -> ServerObject:
    planned = body.get("version")

    def check() -> ServerObject | None:
        if planned is None:
            return None  # environments: an update is idempotent, send it again
        latest = remote.retrieve(kind, object_id)
        if latest.version == planned:
            return None  # it did not land: send it again
        if latest.applied_digest == body["metadata"][DIGEST_MARKER]:
            return latest  # it landed; the response was lost
        raise ConflictError(
            f"update {kind} {object_id}: it changed on the server since the plan "
            f"(planned against v{planned}, now v{latest.version})",
            status=409,
        )

    def send() -> ServerObject:
        try:
            return remote.update(kind, object_id, body)
        except ConflictError:
            # Another apply of this same manifest (a second CI run, another checkout)
            # made exactly this version first: use it rather than fail.
            latest = remote.retrieve(kind, object_id)
            if planned is not None and latest.applied_digest == body["metadata"][DIGEST_MARKER]:
                return latest
            raise

    return _with_retries(send, check, policy, f"update {kind} {object_id}")


def archive(remote: Remote, kind: KindName, object_id: str, policy: RetryPolicy) -> ServerObject:
    def check() -> ServerObject | None:
        try:
            current = remote.retrieve(kind, object_id)
        except NotFoundError:  # kinds that delete rather than archive (skills)
            return ServerObject(kind, {"id": object_id, "archived_at": "deleted"})
        return current if current.data.get("archived_at") else None

    return _with_retries(
        lambda: remote.archive(kind, object_id), check, policy, f"archive {kind} {object_id}"
    )


def step(remote: Remote, run: Callable[[], object], policy: RetryPolicy, what: str) -> None:
    """One of a change's steps (see kinds.base.Step): retried only when the server said it
    did nothing (429, 503, 529). After a lost response it fails instead: the next plan
    reads the parts again and plans only what is still missing."""
    for attempt in range(policy.attempts):
        _stop_if_asked(policy, what, unsure=False)
        try:
            remote.call(run, what)
            return
        except RetryableError as exc:
            if attempt == policy.attempts - 1:
                raise GaveUpError(
                    f"{what}: gave up after {policy.attempts} attempts; last error: {exc}",
                    maybe_done=False,
                ) from exc
            _wait(policy, policy.wait(attempt, exc.retry_after), what, str(exc), unsure=False)
        except AmbiguousError as exc:
            raise GaveUpError(
                f"{what}: {exc}; it may have been done: run apply again, which plans only what "
                "is still missing",
                maybe_done=True,
            ) from exc


def _with_retries(
    send: Callable[[], ServerObject],
    check: Callable[[], ServerObject | None],
    policy: RetryPolicy,
    what: str,
) -> ServerObject:
    unsure = False  # a previous attempt may have landed: look before sending again
    last: RemoteError | None = None
    for attempt in range(policy.attempts):
        _stop_if_asked(policy, what, unsure)
        try:
            if unsure:
                found = check()
                if found is not None:
                    return found
                unsure = False
            return send()
        except ConflictError:
            raise
        except RetryableError as exc:
            last = exc
            _wait(policy, policy.wait(attempt, exc.retry_after), what, str(exc), unsure)
        except AmbiguousError as exc:
            last, unsure = exc, True
            _wait(policy, policy.wait(attempt, None), what, str(exc), unsure)
    raise GaveUpError(
        f"{what}: gave up after {policy.attempts} attempts; last error: {last}", maybe_done=unsure
    )


def _wait(policy: RetryPolicy, seconds: float, what: str, why: str, unsure: bool) -> None:
    if seconds > policy.max_wait:
        raise TooLongError(
            f"{what}: the server asked to wait {seconds:.0f} s before retrying, more than "
            f"--max-wait {policy.max_wait:.0f} s; run apply again later (or raise --max-wait). "
            f"It said: {why}"
        )
    if seconds >= 1:
        policy.on_wait(what, seconds, why)
    if policy.stop.wait(seconds):
        _stop_if_asked(policy, what, unsure)


def _stop_if_asked(policy: RetryPolicy, what: str, unsure: bool) -> None:
    if policy.stop.is_set():
        raise StoppedError(f"{what}: interrupted before it finished", maybe_done=unsure)
