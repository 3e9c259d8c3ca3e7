"""Cron schedules (a deployment's): 5-field POSIX cron expressions evaluated in an IANA time zone.

The SDK (`BetaManagedAgentsScheduleParams`) defines the syntax: `minute hour
day-of-month month day-of-week`, day-of-week 0-7 with 0 and 7 both Sunday; the extended
syntax (seconds or year fields, `L`, `W`, `#`, `?`) and shortcuts such as `@daily` are
rejected. Each field takes `*`, a number, a range `a-b`, a list `a,b` and a step `/n`
(on `*`, a range, or a start `a/n` meaning `a-max/n`); months and weekdays also take
their three-letter English names, as most cron implementations do.

Day-of-month and day-of-week combine as in classic cron: when both are restricted (neither
starts with `*`) a day matches either; otherwise both must match. Times are wall-clock
times in the schedule's zone, as Anthropic's deployment guide describes: a time that a
spring-forward jump skips does not fire that day, and one that a fall-back repeats fires
twice.

Pure: the manifest checks, `plan` (next fire times) and the emulator share it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

UPCOMING = 5  # how many upcoming fire times a schedule reports
_HORIZON_DAYS = 366 * 9  # long enough to meet any satisfiable expression (Feb 29 included)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


class ScheduleError(ValueError):
    """A cron expression or time zone the API would reject; the message says why."""


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool  # day-of-month starts with `*`
    any_weekday: bool  # day-of-week starts with `*`

    def matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = (day.weekday() + 1) % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return by_day and by_weekday
        return by_day or by_weekday


def parse_cron(expression: str) -> Cron:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    weekdays = {0 if d == 7 else d for d in _field(weekday, "day-of-week", 0, 7, _WEEKDAYS)}
    return Cron(
        minutes=tuple(sorted(_field(minute, "minute", 0, 59))),
        hours=tuple(sorted(_field(hour, "hour", 0, 23))),
        days=frozenset(_field(day, "day-of-month", 1, 31)),
        months=frozenset(_field(month, "month", 1, 12, _MONTHS)),
        weekdays=frozenset(weekdays),
        any_day=day.startswith("*"),
        any_weekday=weekday.startswith("*"),
    )


def load_zone(name: str) -> ZoneInfo:
    if name not in _zone_names():
        raise ScheduleError(f"{name!r} is not an IANA time zone (for example 'Europe/Paris')")
    return ZoneInfo(name)


def upcoming(cron: Cron, zone: ZoneInfo, after: datetime, count: int = UPCOMING) -> list[datetime]:
    """The first `count` fire times strictly after `after` (aware, UTC), in order."""
    found: set[datetime] = set()
    day = after.astimezone(zone).date()
    for _ in range(_HORIZON_DAYS):
        if cron.matches(day):
            found.update(t for t in _fires_on(cron, zone, day) if t > after)
            if len(found) >= count:
                break
        day += timedelta(days=1)
    return sorted(found)[:count]


def _fires_on(cron: Cron, zone: ZoneInfo, day: date) -> set[datetime]:
    """The instants a day's wall-clock times fall on: skipped times none, repeated ones two."""
    times = set()
    for hour in cron.hours:
        for minute in cron.minutes:
            for fold in (0, 1):
                local = datetime(day.year, day.month, day.day, hour, minute, fold=fold, tzinfo=zone)
                instant = local.astimezone(timezone.utc)
                if instant.astimezone(zone).replace(tzinfo=None, fold=0) == local.replace(
                    tzinfo=None, fold=0
                ):
                    times.add(instant)
    return times


def _field(text: str, name: str, low: int, high: int, names: list[str] | None = None) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        values.update(_item(item, name, low, high, names))
    return values


def _item(item: str, name: str, low: int, high: int, names: list[str] | None) -> range:
    base, slash, step_text = item.partition("/")
    step = _number(step_text, name, names=None) if slash else 1
    if slash and step < 1:
        raise ScheduleError(f"{name}: step must be at least 1 in {item!r}")
    if base == "*":
        start, end = low, high
    elif "-" in base:
        first, _, last = base.partition("-")
        start, end = _number(first, name, names), _number(last, name, names)
    else:
        start = _number(base, name, names)
        end = high if slash else start
    if not low <= start <= end <= high:
        raise ScheduleError(f"{name}: {item!r} is outside {low}-{high} or reversed")
    return range(start, end + 1, step)


def _number(text: str, name: str, names: list[str] | None) -> int:
    if names is not None and text.lower() in names:
        return names.index(text.lower()) + (1 if len(names) == 12 else 0)
    if not text.isascii() or not text.isdigit():
        raise ScheduleError(
            f"{name}: {text!r} is not a number (extended cron syntax is not supported)"
        )
    return int(text)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})
