"""`/_emulator/`: fault injection, counters and reset. Not part of the real API: never
counted, delayed or faulted. When the emulator has an API key, these endpoints want it
too (a reset wipes every object); POSTs must be JSON, so a cross-origin form or
`text/plain` request from a web page cannot reach them."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from agentform.emulator.api import emulator, json_response
from agentform.emulator.faults import FaultSpecError, parse_fault
from agentform.emulator.wire import dumps


async def add_fault(request: Request) -> Response:
    try:
        spec = await request.json()
        if not isinstance(spec, dict):
            raise FaultSpecError("expected a JSON object")
        fault = parse_fault(spec)
    except (ValueError, FaultSpecError) as exc:
        return Response(dumps({"error": str(exc)}), status_code=400, media_type="application/json")
    em = emulator(request)
    em.faults.add(fault)
    return json_response(dumps({"ok": True, "pending": em.faults.pending()}))


async def counters(request: Request) -> Response:
    em = emulator(request)
    requests = em.counters.snapshot()
    payload = {
        "requests": requests,
        "faults_fired": em.faults.fired,
        "total": sum(requests.values()),
    }
    return json_response(dumps(payload))


async def reset(request: Request) -> Response:
    raw = await request.body()
    data = False
    if raw.strip():
        try:
            data = bool((await request.json()).get("data", False))
        except (ValueError, AttributeError):
            return Response(dumps({"error": 'expected {"data": true|false}'}), status_code=400)
    emulator(request).reset(data=data)
    return json_response(dumps({"ok": True, "data_wiped": data}))


async def health(request: Request) -> Response:
    return json_response(dumps({"ok": True}))


async def guard(request: Request) -> None:
    """The emulator's API key (when it has one), and JSON bodies only."""
    key = emulator(request).config.api_key
    bearer = request.headers.get("authorization", "")
    presented = request.headers.get("x-api-key") or bearer.removeprefix("Bearer ").strip()
    if key is not None and not hmac.compare_digest(presented.encode(), key.encode()):
        raise HTTPException(401, "the admin API wants the emulator's API key (x-api-key)")
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise HTTPException(415, "the admin API accepts only application/json bodies")


def router() -> APIRouter:
    admin = APIRouter(prefix="/_emulator", dependencies=[Depends(guard)])
    admin.add_api_route("/faults", add_fault, methods=["POST"], include_in_schema=False)
    admin.add_api_route("/counters", counters, methods=["GET"], include_in_schema=False)
    admin.add_api_route("/reset", reset, methods=["POST"], include_in_schema=False)
    admin.add_api_route("/health", health, methods=["GET"], include_in_schema=False)
    return admin
