"""Writes that survive 429s, 5xx and lost responses without duplicates or false conflicts.

Each write is sent once by the SDK (`max_retries=0`); this module decides what a failure
means. 429/503/529: nothing happened, wait (`retry-after` when given) and send again.
500, timeouts, dropped connections: it may have happened, so look before sending again:
a create is searched for by its `agentform.key` marker, a versioned update by the
version and digest marker it would have produced, an archive by `archived_at`. A 409 is
a real conflict and is never retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from agentform.manifests.schemas import DIGEST_MARKER, KEY_MARKER
from agentform.remote.client import (
    AmbiguousError,
    ConflictError,
    Remote,
    RemoteError,
    RetryableError,
)
from agentform.remote.state import KindName, ServerObject

T = TypeVar("T")
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff: float = 0.5  # seconds, doubled each attempt
    max_backoff: float = 8.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return float(min(self.backoff * 2**attempt, self.max_backoff))


class GaveUpError(RemoteError):
    """Every attempt failed with a transient error."""


def create(
    remote: Remote, kind: KindName, body: dict[str, Any], policy: RetryPolicy
) -> ServerObject:
    since = datetime.now(timezone.utc) - CLOCK_SKEW

    def check() -> ServerObject | None:
        return _find_created(remote, kind, body, since)

    return _with_retries(lambda: remote.create(kind, body), check, policy, f"create {kind}")


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

    return _with_retries(
        lambda: remote.update(kind, object_id, body), check, policy, f"update {kind} {object_id}"
    )


def archive(remote: Remote, kind: KindName, object_id: str, policy: RetryPolicy) -> ServerObject:
    def check() -> ServerObject | None:
        current = remote.retrieve(kind, object_id)
        return current if current.data.get("archived_at") else None

    return _with_retries(
        lambda: remote.archive(kind, object_id), check, policy, f"archive {kind} {object_id}"
    )


def _with_retries(
    send: Callable[[], ServerObject],
    check: Callable[[], ServerObject | None],
    policy: RetryPolicy,
    what: str,
) -> ServerObject:
    unsure = False  # a previous attempt may have landed: look before sending again
    last: RemoteError | None = None
    for attempt in range(policy.attempts):
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
            time.sleep(policy.wait(attempt, exc.retry_after))
        except AmbiguousError as exc:
            last, unsure = exc, True
            time.sleep(policy.wait(attempt, None))
    raise GaveUpError(f"{what}: gave up after {policy.attempts} attempts; last error: {last}")


def _find_created(
    remote: Remote, kind: KindName, body: dict[str, Any], since: datetime
) -> ServerObject | None:
    """The object a lost create made, recognised by its key and digest markers."""
    markers = body["metadata"]
    filters = {"created_at_gte": since} if kind == "agent" else {}
    for obj in remote.objects(kind, **filters):
        if obj.key == markers[KEY_MARKER] and obj.applied_digest == markers[DIGEST_MARKER]:
            return obj
    return None
