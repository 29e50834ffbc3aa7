"""The SLA clock engine (SPEC S14, S18). Pure: frozen dataclasses in, values out, `now` passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import Calendar, add_business_time, business_time_between

RUNNING, MET, BREACHED, PAUSED, CANCELLED = "running", "met", "breached", "paused", "cancelled"


@dataclass(frozen=True)
class ClockFacts:
    started_at: dt.datetime
    due_at: dt.datetime
    state: str
    stopped_at: dt.datetime | None = None


def due_at(*, start: dt.datetime, target: dt.timedelta, calendar: Calendar) -> dt.datetime:
    """When a commitment of `target` business time, started at `start`, falls due."""
    return add_business_time(calendar, start, target)


def warn_at(*, start: dt.datetime, due: dt.datetime, warn_before: dt.timedelta) -> dt.datetime | None:
    """When to warn the owner of a coming breach; None if no warning applies or none fits after `start`."""
    if warn_before <= dt.timedelta(0):
        return None
    moment = due - warn_before
    return moment if moment > start else None


def retarget_on_rise(
    *, current_due: dt.datetime, rise_at: dt.datetime, new_target: dt.timedelta, calendar: Calendar
) -> dt.datetime:
    """A grade rise before first contact: the tighter target from the moment of the rise, if it ends sooner (S14)."""
    return min(current_due, due_at(start=rise_at, target=new_target, calendar=calendar))


def state_at(clock: ClockFacts, now: dt.datetime) -> str:
    """The clock's state at `now`: a running clock past its due time is breached."""
    if clock.state == RUNNING and now >= clock.due_at:
        return BREACHED
    return clock.state


def stop_state(clock: ClockFacts, at: dt.datetime) -> str:
    """The state a clock ends in when its commitment is fulfilled at `at`: met only if on time."""
    if clock.state in (MET, CANCELLED):
        return clock.state
    if clock.state == PAUSED:
        # Time stood still while paused: fulfilled before it ran out.
        return MET
    return MET if at < clock.due_at and clock.state == RUNNING else BREACHED


def remaining_at(*, due: dt.datetime, at: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Business time left on a clock at `at` (zero once due): what a pause keeps."""
    return business_time_between(calendar, at, due)


def resumed_due(*, remaining: dt.timedelta, now: dt.datetime, calendar: Calendar) -> dt.datetime:
    """A paused clock resumed at `now` is due after the business time it had left."""
    return add_business_time(calendar, now, remaining)
