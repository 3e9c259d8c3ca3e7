"""The session event log: user events as accepted, server events as emitted, listing.

Events are stored in arrival order (`seq`), which is also their `processed_at` order
for everything the server emits. User events are echoed with `processed_at: null` while
queued and get a timestamp when the session processes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms, new_id, parse_rfc3339_us
from agentform.emulator.pagination import SQL_OPERATORS, QueryParams, decode_cursor, encode_cursor
from agentform.emulator.wire import Json, dumps, loads

if TYPE_CHECKING:
    from agentform.emulator.state import Emulator

_INSERT = "INSERT INTO events (session_id, id, type, processed_us, body) VALUES (?, ?, ?, ?, ?)"
_REPLY_EVENTS = ("user.message", "user.tool_result", "user.custom_tool_result")
# Echoed with `processed_at` already set: "processed on receipt" (the API's own guidance).
_ON_RECEIPT = ("user.define_outcome", "user.custom_tool_result", "user.tool_result")


def append(em: Emulator, session_id: str, event: Json) -> Json:
    """Persist a server-emitted event (new id, processed now) and publish it to streams."""
    now_ms = em.clock.now_ms()
    full = {"type": event["type"], "id": new_id("sevt"), **event, "processed_at": format_ms(now_ms)}
    _insert(em, session_id, full, now_ms * 1000)
    em.hub.publish(session_id, full)
    return full


def accept(em: Emulator, session_id: str, params: list[Json], *, self_hosted: bool) -> list[Json]:
    """Store the user events of one send request; returns their echoes (queued)."""
    _check_batch(params, self_hosted=self_hosted)
    echoes = [_echo(em, param) for param in params]
    with em.store.transaction() as conn:
        for echo in echoes:
            conn.execute(
                _INSERT, (session_id, echo["id"], echo["type"], _micros(echo), dumps(echo))
            )
    return echoes


def mark_processed(em: Emulator, session_id: str, event_id: str) -> Json:
    """Stamp a queued user event as processed now, and publish it to streams."""
    row = em.store.one("SELECT body FROM events WHERE id = ?", (event_id,))
    event = loads(row[0]) if row else {"type": "unknown", "id": event_id}
    if event.get("processed_at") is None:  # some are processed on receipt
        now_ms = em.clock.now_ms()
        event["processed_at"] = format_ms(now_ms)
        with em.store.transaction() as conn:
            conn.execute(
                "UPDATE events SET processed_us = ?, body = ? WHERE id = ?",
                (now_ms * 1000, dumps(event), event_id),
            )
    em.hub.publish(session_id, event)
    return event


def list_page(em: Emulator, session_id: str, params: QueryParams) -> str:
    limit = params.limit(default=1000, maximum=1000)
    order = params.choice("order", ("asc", "desc"), default="asc")
    clauses: list[str] = ["session_id = ?"]
    values: list[object] = [session_id]
    types = params.values("types")
    if types:
        clauses.append(f"type IN ({', '.join('?' for _ in types)})")
        values.extend(types)
    for op, micros in params.time_filters(("gt", "gte", "lt", "lte")):
        clauses.append(f"processed_us {SQL_OPERATORS[op]} ?")
        values.append(micros)
    token = params.get("page")
    if token:
        clauses.append("seq > ?" if order == "asc" else "seq < ?")
        values.append(decode_cursor(token, order).key[0])
    direction = "ASC" if order == "asc" else "DESC"
    where = " AND ".join(clauses)
    sql = f"SELECT seq, body FROM events WHERE {where} ORDER BY seq {direction} LIMIT ?"
    rows = em.store.all(sql, [*values, limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    next_page = dumps(encode_cursor("after", order, (rows[-1][0], "")) if more else None)
    return '{"data":[' + ",".join(body for _, body in rows) + '],"next_page":' + next_page + "}"


def _insert(em: Emulator, session_id: str, event: Json, processed_us: int | None) -> None:
    with em.store.transaction() as conn:
        conn.execute(_INSERT, (session_id, event["id"], event["type"], processed_us, dumps(event)))


def _echo(em: Emulator, param: Json) -> Json:
    echo: dict[str, Any] = {"type": param["type"], "id": new_id("sevt"), **param}
    if param["type"] == "user.define_outcome":
        echo["outcome_id"] = new_id("outc")
    if param["type"] in _ON_RECEIPT:
        echo["processed_at"] = format_ms(em.clock.now_ms())
    else:
        echo["processed_at"] = None
    return echo


def _micros(echo: Json) -> int | None:
    stamp = echo.get("processed_at")
    return None if stamp is None else parse_rfc3339_us(stamp)


def _check_batch(params: list[Json], *, self_hosted: bool) -> None:
    if not params:
        raise invalid_request("events: at least one event is required")
    for index, param in enumerate(params):
        kind = param["type"]
        denial = param.get("deny_message") is not None
        if kind == "user.tool_confirmation" and denial and param["result"] != "deny":
            raise invalid_request(
                f"events.{index}.deny_message: only allowed when result is 'deny'"
            )
        if kind == "user.tool_result" and not self_hosted:
            raise invalid_request(
                f"events.{index}: user.tool_result is only valid on self_hosted environments"
            )
        if kind == "system.message":
            last = index == len(params) - 1
            follows = index > 0 and params[index - 1]["type"] in _REPLY_EVENTS
            if not (last and follows):
                raise invalid_request(
                    f"events.{index}: a system.message must be the last event and directly follow "
                    "a user.message, user.tool_result or user.custom_tool_result"
                )
