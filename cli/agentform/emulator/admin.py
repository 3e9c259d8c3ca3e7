"""A typed client for the emulator's test-only admin API (`/_emulator/`).

    admin.inject_fault(url, method="POST", path="/v1/agents", status=429, retry_after=0.1)
    admin.counters(url)["POST /v1/agents"]   # -> 2 (the 429, then the retry)
    admin.reset(url, data=True)               # clear counters, faults and stored objects

Uses `httpx2`, the HTTP client the installed `anthropic` SDK depends on, imported lazily.
"""

from __future__ import annotations

from typing import Any

_TIMEOUT = 10.0


class AdminError(RuntimeError):
    """The emulator rejected an admin request (the message is its explanation)."""


def inject_fault(
    base_url: str,
    *,
    method: str,
    path: str,
    status: int = 500,
    count: int = 1,
    retry_after: float | None = None,
    lost: str | None = None,
    api_key: str | None = None,
) -> None:
    """Fail the next `count` requests matching `method` and `path` (exact or glob).

    `status` 429/500/503/529 answers with that error (and `retry-after` when given);
    `lost="500"` or `lost="drop"` runs and commits the request, then answers 500 or
    drops the connection.
    """
    spec = {
        "method": method,
        "path": path,
        "count": count,
        "status": status,
        "retry_after": retry_after,
        "lost": lost,
    }
    _call("POST", base_url, "/_emulator/faults", spec, api_key)


def counters(base_url: str, api_key: str | None = None) -> dict[str, int]:
    """Requests seen since the last reset, keyed `"METHOD /v1/route/{template}"`."""
    requests: dict[str, int] = _call("GET", base_url, "/_emulator/counters", None, api_key)[
        "requests"
    ]
    return requests


def faults_fired(base_url: str, api_key: str | None = None) -> int:
    """How many injected faults have fired since the last reset."""
    return int(_call("GET", base_url, "/_emulator/counters", None, api_key)["faults_fired"])


def reset(base_url: str, *, data: bool = False, api_key: str | None = None) -> None:
    """Clear counters and pending faults; with `data=True` also delete every stored object."""
    _call("POST", base_url, "/_emulator/reset", {"data": data}, api_key)


def fire_deployment(base_url: str, deployment_id: str, *, workspace: str | None = None) -> Any:
    """The deployment's schedule reaches its next occurrence now; returns the run (a dict)."""
    path = f"/_emulator/deployments/{deployment_id}/fire"
    return _call("POST", base_url, path, None, workspace=workspace)


def agent_write(
    base_url: str,
    memory_store_id: str,
    *,
    session_id: str,
    path: str,
    content: str,
    workspace: str | None = None,
) -> Any:
    """A session's agent writes `content` at `path` in an attached store; returns the memory."""
    spec = {"session_id": session_id, "path": path, "content": content}
    route = f"/_emulator/memory_stores/{memory_store_id}/agent_writes"
    return _call("POST", base_url, route, spec, workspace=workspace)


def _call(
    method: str,
    base_url: str,
    path: str,
    body: dict[str, Any] | None = None,
    api_key: str | None = None,
    *,
    workspace: str | None = None,
) -> Any:
    import httpx2

    headers = {"x-api-key": api_key} if api_key else {}
    if workspace is not None:
        headers["anthropic-workspace-id"] = workspace
    if method == "POST" and body is None:
        body = {}  # the admin API takes JSON bodies only
    url = base_url.rstrip("/") + path
    response = httpx2.request(method, url, json=body, headers=headers, timeout=_TIMEOUT)
    if response.status_code != 200:
        raise AdminError(f"{method} {path}: {response.status_code} {response.text}")
    return response.json()
