"""Query-string parameters and opaque `page_...` cursors for list endpoints.

A cursor is `page_` + base64 of `direction:order:created_us:id`: it points strictly
after (or, for `prev_page`, before) one row in one sort order, so it stays valid while
other rows are inserted. Reusing a cursor with a different `order` is a 400, as on the
real API.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import parse_rfc3339_us
from agentform.emulator.store import ListQuery, Page

_PREFIX = "page_"


@dataclass(frozen=True)
class Cursor:
    direction: str  # "after" | "before"
    order: str  # "asc" | "desc"
    key: tuple[int, str]


def encode_cursor(direction: str, order: str, key: tuple[int, str]) -> str:
    raw = f"{direction}:{order}:{key[0]}:{key[1]}".encode()
    return _PREFIX + base64.urlsafe_b64encode(raw).decode()


def decode_cursor(token: str, order: str) -> Cursor:
    try:
        if not token.startswith(_PREFIX):
            raise ValueError(token)
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :].encode()).decode()
        direction, cursor_order, us, object_id = raw.split(":", 3)
        if direction not in ("after", "before") or cursor_order not in ("asc", "desc"):
            raise ValueError(raw)
        cursor = Cursor(direction, cursor_order, (int(us), object_id))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_request("page: invalid page cursor") from None
    if cursor.order != order:
        raise invalid_request("page: the cursor was issued for a different `order`")
    return cursor


class QueryParams:
    """Typed access to a request's query string (`name[]=a&name[]=b` lists included)."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._items = list(items)

    def get(self, name: str) -> str | None:
        for key, value in reversed(self._items):
            if key == name:
                return value
        return None

    def values(self, name: str) -> list[str]:
        return [v for k, v in self._items if k in (name, f"{name}[]")]

    def integer(
        self, name: str, *, default: int | None, minimum: int, maximum: int | None
    ) -> int | None:
        raw = self.get(name)
        if raw is None:
            return default
        value = _integer(raw)
        if value is None:
            raise invalid_request(f"{name}: Input should be a valid integer")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            raise invalid_request(
                f"{name}: must be {'between ' if upper else 'at least '}{minimum}{upper}"
            )
        return value

    def limit(self, *, default: int, maximum: int) -> int:
        """`limit`, between 1 and `maximum` (400 otherwise)."""
        value = self.integer("limit", default=default, minimum=1, maximum=maximum)
        return default if value is None else value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        raw = self.get(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise invalid_request(f"{name}: Input should be a valid boolean")

    def choice(self, name: str, options: Sequence[str], *, default: str) -> str:
        raw = self.get(name)
        if raw is None:
            return default
        if raw not in options:
            raise invalid_request(
                f"{name}: Input should be {' or '.join(repr(o) for o in options)}"
            )
        return raw

    def time_filters(self, operators: Sequence[str]) -> list[tuple[str, int]]:
        """[("gte", microseconds), ...] for each `created_at[op]` present."""
        filters = []
        for op in operators:
            raw = self.get(f"created_at[{op}]")
            if raw is None:
                continue
            try:
                filters.append((op, parse_rfc3339_us(raw)))
            except ValueError:
                raise invalid_request(
                    f"created_at[{op}]: Input should be an RFC 3339 timestamp"
                ) from None
        return filters


def _integer(raw: str) -> int | None:
    """`"20"` -> 20, and `"20.0"` -> 20 as the API's lax validation has it; else None."""
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        number = float(raw)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


SQL_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def add_time_filters(
    query: ListQuery, filters: list[tuple[str, int]], column: str = "created_us"
) -> None:
    for op, micros in filters:
        query.where.append(f"{column} {SQL_OPERATORS[op]} ?")
        query.params.append(micros)


def apply_cursor(query: ListQuery, params: QueryParams, order: str) -> None:
    token = params.get("page")
    if not token:
        return
    cursor = decode_cursor(token, order)
    if cursor.direction == "after":
        query.after = cursor.key
    else:
        query.before = cursor.key


def page_json(
    page: Page,
    order: str,
    *,
    backwards: bool,
    first_page: bool,
    with_prev: bool = False,
    render: Callable[[str], str] | None = None,
) -> str:
    """The list envelope: `{"data": [...], "next_page": ...}` (+ `prev_page` when asked)."""
    more_after = page.has_more if not backwards else True
    more_before = (not first_page) if not backwards else page.has_more
    next_page = encode_cursor("after", order, page.keys[-1]) if page.keys and more_after else None
    bodies = page.bodies if render is None else [render(b) for b in page.bodies]
    parts = ['{"data":[', ",".join(bodies), '],"next_page":', _quoted(next_page)]
    if with_prev:
        prev_page = (
            encode_cursor("before", order, page.keys[0]) if page.keys and more_before else None
        )
        parts += [',"prev_page":', _quoted(prev_page)]
    parts.append("}")
    return "".join(parts)


def _quoted(value: str | None) -> str:
    return "null" if value is None else f'"{value}"'
