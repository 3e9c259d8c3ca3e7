"""Cron schedules as pure functions: parsing, fire times, time zones and DST."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agentform.emulator.schedules import ScheduleError, load_zone, parse_cron, upcoming

UTC = timezone.utc


def fires(expression: str, zone: str, after: datetime, count: int = 5) -> list[str]:
    times = upcoming(parse_cron(expression), load_zone(zone), after, count)
    return [t.strftime("%Y-%m-%d %H:%M") for t in times]


def test_weekdays_at_nine_in_a_zone() -> None:
    friday_noon_utc = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # 04:00 in Los Angeles
    assert fires("0 9 * * 1-5", "America/Los_Angeles", friday_noon_utc) == [
        "2026-03-06 17:00",  # Friday 09:00 PST
        "2026-03-09 16:00",  # Monday 09:00 PDT: the clocks changed on Sunday
        "2026-03-10 16:00",
        "2026-03-11 16:00",
        "2026-03-12 16:00",
    ]


def test_fire_times_are_strictly_after_the_start() -> None:
    on_the_minute = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert fires("0 10 * * *", "UTC", on_the_minute, 1) == ["2026-01-02 10:00"]
    assert fires("*/15 * * * *", "UTC", on_the_minute, 3) == [
        "2026-01-01 10:15",
        "2026-01-01 10:30",
        "2026-01-01 10:45",
    ]


def test_spring_forward_skips_and_fall_back_repeats() -> None:
    new_york = "America/New_York"
    before_spring = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)
    # 02:30 does not exist on 8 March 2026 in New York: that day has no fire.
    assert fires("30 2 * * *", new_york, before_spring, 3) == [
        "2026-03-07 07:30",
        "2026-03-09 06:30",
        "2026-03-10 06:30",
    ]
    before_fall = datetime(2026, 10, 31, 0, 0, tzinfo=UTC)
    # 01:30 happens twice on 1 November 2026: once in EDT, once in EST.
    assert fires("30 1 * * *", new_york, before_fall, 4) == [
        "2026-10-31 05:30",
        "2026-11-01 05:30",
        "2026-11-01 06:30",
        "2026-11-02 06:30",
    ]


def test_day_of_month_and_weekday_match_either_when_both_are_set() -> None:
    start = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert fires("0 0 13 * fri", "UTC", start, 3) == [
        "2026-03-06 00:00",  # a Friday
        "2026-03-13 00:00",  # the 13th (also a Friday)
        "2026-03-20 00:00",
    ]
    assert fires("0 0 */10 * *", "UTC", start, 3) == [
        "2026-03-11 00:00",
        "2026-03-21 00:00",
        "2026-03-31 00:00",
    ]


def test_sunday_is_zero_or_seven_and_names_work() -> None:
    start = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
    expected = ["2026-03-08 06:00", "2026-03-15 06:00"]
    assert fires("0 6 * * 0", "UTC", start, 2) == expected
    assert fires("0 6 * * 7", "UTC", start, 2) == expected
    assert fires("0 6 * * SUN", "UTC", start, 2) == expected
    assert fires("0 6 1 jan,jul *", "UTC", start, 2) == ["2026-07-01 06:00", "2027-01-01 06:00"]


def test_a_leap_day_schedule_finds_its_rare_dates() -> None:
    start = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert fires("0 0 29 2 *", "UTC", start, 2) == ["2028-02-29 00:00", "2032-02-29 00:00"]
    assert fires("0 0 31 2 *", "UTC", start, 2) == []


@pytest.mark.parametrize(
    "expression",
    [
        "@daily",
        "0 9 * *",
        "0 0 9 * * 1",
        "0 9 L * *",
        "0 9 15W * *",
        "0 9 * * 1#2",
        "0 9 ? * *",
        "60 * * * *",
        "0 24 * * *",
        "0 0 0 * *",
        "0 0 * 13 *",
        "0 0 * * 8",
        "5-1 * * * *",
        "*/0 * * * *",
        "1,,2 * * * *",
        "-5 * * * *",
        "0 9 * * funday",
    ],
)
def test_unsupported_or_invalid_expressions_are_rejected(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_cron(expression)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "utc+1", "../etc/passwd", "America"])
def test_unknown_time_zones_are_rejected(name: str) -> None:
    with pytest.raises(ScheduleError, match="IANA"):
        load_zone(name)
