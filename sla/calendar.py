"""Business-time arithmetic (SPEC S18). Pure: no ORM, no clock; aware datetimes in, aware UTC out.

Working hours are local wall-clock intervals in the calendar's zone. Every
interval is turned into UTC instants before any arithmetic, so a DST change
inside a day counts the real elapsed time, never wall-clock differences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
# How far ahead we look for open time before declaring a calendar closed for good.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    """`hours` maps weekday (Mon=0) to local (start, end) intervals; `always_open` means 24×7."""

    tz: str = "Asia/Kolkata"
    always_open: bool = True
    hours: tuple[tuple[int, dt.time, dt.time], ...] = ()
    holidays: frozenset[dt.date] = field(default_factory=frozenset)


DEFAULT_CALENDAR = Calendar()


class ClosedCalendarError(ValueError):
    """The calendar has no working time within MAX_DAYS."""


def _local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    # fold=0 picks the first of an ambiguous local time; a skipped local time
    # (spring forward) maps to the instant just after the gap, which is what a
    # person opening the office at that wall-clock time experiences.
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _day_intervals(cal: Calendar, day: dt.date, zone: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """Open intervals of one local day as UTC instants."""
    if day in cal.holidays:
        return []
    if cal.always_open:
        start = _local_instant(day, dt.time(0), zone)
        end = _local_instant(day + dt.timedelta(days=1), dt.time(0), zone)
        return [(start, end)]
    weekday = day.weekday()
    spans = sorted((s, e) for wd, s, e in cal.hours if wd == weekday and e > s)
    return [(_local_instant(day, s, zone), _local_instant(day, e, zone)) for s, e in spans]


def open_intervals(cal: Calendar, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Open intervals from `start` onwards (clipped to start), in time order."""
    zone = ZoneInfo(cal.tz)
    start = start.astimezone(UTC)
    # Start one day early: a local day that began yesterday in UTC terms may still be open.
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(MAX_DAYS):
        for a, b in _day_intervals(cal, day, zone):
            if b <= start:
                continue
            yield max(a, start), b
        day += dt.timedelta(days=1)
    raise ClosedCalendarError(f"no working time within {MAX_DAYS} days of {start.isoformat()}")


def add_business_time(cal: Calendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The instant when `duration` of open time has passed after `start` (SPEC S18).

    A start outside working hours begins counting at the next opening, so a
    Saturday 17:58 Grade B lead on a Mon–Sat 9–18 calendar is due Monday 9:58.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if duration < dt.timedelta(0):
        raise ValueError("duration must not be negative")
    if cal.always_open and not cal.holidays:
        return start.astimezone(UTC) + duration
    remaining = duration
    for a, b in open_intervals(cal, start):
        span = b - a
        if remaining <= span:
            # A zero duration lands on the next opening, not on a closed instant.
            return a + remaining
        remaining -= span
    raise AssertionError("unreachable")  # open_intervals raises first


def business_time_between(cal: Calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Open time between two instants (zero if end ≤ start)."""
    if end <= start:
        return dt.timedelta(0)
    if cal.always_open and not cal.holidays:
        return end - start
    total = dt.timedelta(0)
    for a, b in open_intervals(cal, start):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def is_open(cal: Calendar, at: dt.datetime) -> bool:
    a, _ = next(open_intervals(cal, at))
    return a == at.astimezone(UTC)
