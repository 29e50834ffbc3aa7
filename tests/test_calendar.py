"""Business-time arithmetic (SPEC S18): pure functions, tested to the minute."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import Calendar, ClosedCalendarError, add_business_time, business_time_between, is_open

IST = ZoneInfo("Asia/Kolkata")
NY = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
NINE_TO_SIX = (dt.time(9), dt.time(18))
MON_SAT = Calendar(tz="Asia/Kolkata", always_open=False, hours=tuple((d, *NINE_TO_SIX) for d in range(6)))
NY_OFFICE = Calendar(tz="America/New_York", always_open=False, hours=tuple((d, dt.time(9), dt.time(17))
                                                                          for d in range(5)))


def ist(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=IST)


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # 5 December 2026 is a Saturday.
        (ist(2026, 12, 5, 17, 58), H, ist(2026, 12, 7, 9, 58)),  # Saturday evening → Monday morning
        (ist(2026, 12, 4, 17, 30), H, ist(2026, 12, 5, 9, 30)),  # overnight into Saturday
        (ist(2026, 12, 7, 7, 0), H, ist(2026, 12, 7, 10, 0)),  # before opening: counts from 9:00
        (ist(2026, 12, 6, 12, 0), 5 * M, ist(2026, 12, 7, 9, 5)),  # Sunday is closed
        (ist(2026, 12, 7, 10, 0), 5 * M, ist(2026, 12, 7, 10, 5)),  # inside hours: plain addition
        (ist(2026, 12, 7, 17, 0), 24 * H, ist(2026, 12, 10, 14, 0)),  # 24 working hours: Mon 1 + Tue 9 + Wed 9 + Thu 5
        (ist(2026, 12, 7, 18, 0), dt.timedelta(0), ist(2026, 12, 8, 9, 0)),  # zero at closing → next opening
        (ist(2026, 12, 7, 17, 0), H, ist(2026, 12, 7, 18, 0)),  # ends exactly at closing
    ],
)
def test_due_times_on_a_mon_to_sat_nine_to_six_calendar(start, duration, due):
    assert add_business_time(MON_SAT, start, duration) == due


def test_a_holiday_is_skipped_whole():
    with_holiday = Calendar(tz=MON_SAT.tz, always_open=False, hours=MON_SAT.hours,
                            holidays=frozenset({dt.date(2026, 12, 7)}))

    assert add_business_time(with_holiday, ist(2026, 12, 5, 17, 58), H) == ist(2026, 12, 8, 9, 58)


def test_the_default_calendar_is_24x7_in_kolkata():
    cal = Calendar()

    assert add_business_time(cal, ist(2026, 12, 5, 23, 58), 5 * M) == ist(2026, 12, 6, 0, 3)
    assert add_business_time(cal, ist(2026, 12, 5, 17, 58), 7 * 24 * H) == ist(2026, 12, 12, 17, 58)


def test_a_holiday_on_a_24x7_calendar_closes_that_local_day():
    cal = Calendar(holidays=frozenset({dt.date(2026, 12, 25)}))

    assert add_business_time(cal, ist(2026, 12, 24, 23, 0), 2 * H) == ist(2026, 12, 26, 1, 0)


def test_a_24x7_day_across_spring_forward_counts_real_hours():
    # 8 March 2026: New York clocks jump 02:00 → 03:00, so that local day lasts 23 hours.
    cal = Calendar(tz="America/New_York", holidays=frozenset({dt.date(2026, 1, 1)}))

    due = add_business_time(cal, ny(2026, 3, 7, 12, 0), 24 * H)

    assert due == ny(2026, 3, 8, 13, 0)
    assert due - ny(2026, 3, 7, 12, 0) == 24 * H  # aware subtraction in UTC terms


def test_office_hours_across_spring_forward_and_fall_back_keep_local_opening_times():
    # Friday 6 March 16:00 + 2 working hours → Monday 9 March 10:00 New York time (now EDT).
    assert add_business_time(NY_OFFICE, ny(2026, 3, 6, 16, 0), 2 * H) == ny(2026, 3, 9, 10, 0)
    # …which is 14:00 UTC: the offset changed from −5 to −4 over the weekend.
    assert add_business_time(NY_OFFICE, ny(2026, 3, 6, 16, 0), 2 * H) == dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.UTC)
    # Friday 30 October 16:30 + 1 h → Monday 2 November 9:30 (EST again).
    assert add_business_time(NY_OFFICE, ny(2026, 10, 30, 16, 30), H) == ny(2026, 11, 2, 9, 30)


def test_a_start_given_in_another_zone_is_the_same_instant():
    start_utc = ist(2026, 12, 5, 17, 58).astimezone(dt.UTC)

    assert add_business_time(MON_SAT, start_utc, H) == ist(2026, 12, 7, 9, 58)


def test_open_time_between_two_instants_skips_closed_hours():
    assert business_time_between(MON_SAT, ist(2026, 12, 5, 17, 0), ist(2026, 12, 7, 10, 0)) == 2 * H
    assert business_time_between(MON_SAT, ist(2026, 12, 7, 10, 0), ist(2026, 12, 7, 9, 0)) == dt.timedelta(0)


def test_is_open_follows_working_hours():
    assert is_open(MON_SAT, ist(2026, 12, 7, 9, 0))
    assert not is_open(MON_SAT, ist(2026, 12, 6, 12, 0))


def test_a_calendar_with_no_working_time_fails_loudly():
    closed = Calendar(always_open=False, hours=())

    with pytest.raises(ClosedCalendarError):
        add_business_time(closed, ist(2026, 12, 7, 9, 0), H)


def test_naive_starts_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_time(MON_SAT, dt.datetime(2026, 12, 7, 9, 0), H)  # noqa: DTZ001
