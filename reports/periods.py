"""Report periods (SPEC S22): ISO weeks, months and quarters in Asia/Kolkata.

A period is a half-open UTC interval [start, end) so a timestamp belongs to
exactly one week; the dates shown to people are the local Monday and Sunday.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


class BadPeriod(ValueError):
    """The period text is not a valid week, month or quarter."""


@dataclass(frozen=True)
class Period:
    kind: str  # "week" | "month" | "quarter" | "day"
    label: str  # 2026-W48, 2026-11, 2026-Q4, 2026-11-30
    first_day: dt.date  # local (IST) first day
    last_day: dt.date  # local (IST) last day, inclusive

    @property
    def start(self) -> dt.datetime:
        """Aware start instant (IST midnight of the first day)."""
        return dt.datetime.combine(self.first_day, dt.time.min, tzinfo=IST)

    @property
    def end(self) -> dt.datetime:
        """Aware end instant, exclusive (IST midnight after the last day)."""
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=IST)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(seconds=1))


def week_of(day: dt.date) -> Period:
    year, week, _ = day.isocalendar()
    monday = dt.date.fromisocalendar(year, week, 1)
    return Period("week", f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6))


def parse_week(text: str) -> Period:
    """`YYYY-Www` → the ISO week; raises BadPeriod for anything else (week 53 only where it exists)."""
    m = WEEK_RE.match(text or "")
    if not m:
        raise BadPeriod("Use an ISO week like 2026-W07.")
    try:
        monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise BadPeriod(f"{text} is not a week of {m[1]}.")
    return week_of(monday)


def month_of(day: dt.date) -> Period:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return Period("month", f"{first:%Y-%m}", first, nxt - dt.timedelta(days=1))


def parse_month(text: str) -> Period:
    m = MONTH_RE.match(text or "")
    if not m or not 1 <= int(m[2]) <= 12:
        raise BadPeriod("Use a month like 2026-11.")
    return month_of(dt.date(int(m[1]), int(m[2]), 1))


def quarter_of(day: dt.date) -> Period:
    q = (day.month - 1) // 3
    first = dt.date(day.year, q * 3 + 1, 1)
    last = month_of(dt.date(day.year, q * 3 + 3, 1)).last_day
    return Period("quarter", f"{day.year}-Q{q + 1}", first, last)


def parse_quarter(text: str) -> Period:
    m = QUARTER_RE.match(text or "")
    if not m:
        raise BadPeriod("Use a quarter like 2026-Q4.")
    return quarter_of(dt.date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))


def day_of(day: dt.date) -> Period:
    return Period("day", day.isoformat(), day, day)


def parse_day(text: str) -> Period:
    try:
        return day_of(dt.date.fromisoformat(text))
    except (TypeError, ValueError):
        raise BadPeriod("Use a date like 2026-11-30.")


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(IST).date()


def period_containing(kind: str, at: dt.datetime) -> Period:
    day = local_date(at)
    return {"week": week_of, "month": month_of, "quarter": quarter_of, "day": day_of}[kind](day)


def last_complete(kind: str, now: dt.datetime) -> Period:
    """The most recent period that has fully ended (last week, yesterday, last month...)."""
    return period_containing(kind, now).previous()


PARSERS = {"week": parse_week, "month": parse_month, "quarter": parse_quarter, "day": parse_day}


def parse(kind: str, text: str) -> Period:
    return PARSERS[kind](text)
