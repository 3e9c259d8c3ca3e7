"""Deployment schedules in the emulator: a schedule param checked as the API does (400
naming the field), and its fire times as RFC 3339 strings. The cron syntax and the
wall-clock rules are `agentform.kinds.cron`'s.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from agentform.emulator.errors import invalid_request
from agentform.emulator.ids import format_ms
from agentform.kinds.cron import UPCOMING, Cron, ScheduleError, load_zone, parse_cron, upcoming

__all__ = ["UPCOMING", "Cron", "ScheduleError", "checked", "load_zone", "parse_cron", "upcoming"]


def checked(param: dict[str, str], now_ms: int) -> tuple[Cron, ZoneInfo]:
    """Parse a schedule param; 400 naming the field when it is invalid or never fires."""
    try:
        cron = parse_cron(param["expression"])
    except ScheduleError as exc:
        raise invalid_request(f"schedule.expression: {exc}") from None
    try:
        zone = load_zone(param["timezone"])
    except ScheduleError as exc:
        raise invalid_request(f"schedule.timezone: {exc}") from None
    if not upcoming(cron, zone, _instant(now_ms), count=1):
        raise invalid_request(
            f"schedule.expression: {param['expression']!r} never matches a calendar date"
        )
    return cron, zone


def upcoming_stamps(param: dict[str, str], *, after_ms: int) -> list[str]:
    """The next fire times after `after_ms`, as the API's RFC 3339 strings."""
    cron, zone = checked(param, after_ms)
    return [_stamp(t) for t in upcoming(cron, zone, _instant(after_ms))]


def next_fire_ms(param: dict[str, str], *, after_ms: int) -> int:
    """Milliseconds of the first fire time strictly after `after_ms`."""
    cron, zone = checked(param, after_ms)
    first = upcoming(cron, zone, _instant(after_ms), count=1)[0]
    return int(first.timestamp() * 1000)


def _instant(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def _stamp(moment: datetime) -> str:
    return format_ms(int(moment.timestamp() * 1000))
