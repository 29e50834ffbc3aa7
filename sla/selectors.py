"""Reads for SLAs that other apps use (reports, pages) and the services build on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .calendar import DEFAULT_CALENDAR, Calendar
from .models import BusinessCalendar, CadenceStep, SlaPolicy, SlaTarget, TeamMember

GRADE_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}
# Targets of clocks that do not depend on grade, used when the table has no row (framework defaults).
DEFAULT_TARGETS = {
    "ae_review": dt.timedelta(hours=4),
    "ae_decision": dt.timedelta(hours=24),
    "demo_scheduling": dt.timedelta(hours=48),
    "feedback_call": dt.timedelta(hours=48),
    "data_complete": dt.timedelta(minutes=5),
    "quality_response": dt.timedelta(hours=48),
}


# The framework's follow-up SLA (SPEC S14), used for a grade whose policy row is missing
# (the data migration ships these rows; a flushed test database has none).
DEFAULT_POLICIES = {
    "A": (dt.timedelta(minutes=5), dt.timedelta(minutes=1), 8, dt.timedelta(days=7)),
    "B": (dt.timedelta(hours=1), dt.timedelta(minutes=10), 6, dt.timedelta(days=10)),
    "C": (dt.timedelta(hours=24), dt.timedelta(0), 4, dt.timedelta(days=14)),
}


def policy_for(grade: str) -> SlaPolicy | None:
    """The follow-up policy of a grade; None for Grade D (no SDR work)."""
    if grade not in DEFAULT_POLICIES:
        return None
    policy = SlaPolicy.objects.select_related("calendar").filter(grade=grade).first()
    if policy is None:
        first, warn, total, window = DEFAULT_POLICIES[grade]
        policy = SlaPolicy(grade=grade, first_attempt=first, warn_before=warn, total_attempts=total, window=window)
    return policy


def first_attempt_target(grade: str) -> dt.timedelta | None:
    """How long an SDR has from MQL (Grade C: queue entry) to the first attempt; None for Grade D."""
    policy = policy_for(grade)
    return policy.first_attempt if policy else None


def calendar_of(model: BusinessCalendar | None) -> Calendar:
    """The pure calendar for a calendar row; the default row (or 24×7 Asia/Kolkata) when None."""
    if model is None:
        model = BusinessCalendar.objects.filter(is_default=True).first()
    if model is None:
        return DEFAULT_CALENDAR
    return Calendar(
        tz=model.timezone,
        always_open=model.always_open,
        hours=() if model.always_open else tuple((h.weekday, h.start, h.end) for h in model.hours.all()),
        holidays=frozenset(model.holidays.values_list("date", flat=True)),
    )


def target_for(kind: str, known: dict[int | None, Calendar] | None = None) -> tuple[dt.timedelta, Calendar]:
    """Target and calendar of a grade-independent clock kind; `known` maps calendar ids the caller
    already loaded (None: the default calendar) so they are not read again."""
    known = known or {}
    row = SlaTarget.objects.select_related("calendar").filter(kind=kind).first()
    target = row.target if row is not None else DEFAULT_TARGETS[kind]
    calendar_id = row.calendar_id if row is not None else None
    if calendar_id in known:
        return target, known[calendar_id]
    return target, calendar_of(row.calendar if row is not None else None)


def active_members(role: str) -> QuerySet[Any]:
    """Active people of a role (group), in a stable order; a TeamMember row marked inactive excludes them."""
    return (
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .exclude(team_member__active=False)
        .order_by("pk")
    )


def manager_of(user: Any) -> list[Any]:
    """Who hears about this person's breaches: their manager, else every active manager."""
    if user is None:
        return list(active_members("manager"))
    member = TeamMember.objects.filter(user=user).select_related("manager").first()
    if member is not None and member.manager_id and member.manager.is_active:
        return [member.manager]
    return list(active_members("manager"))


def next_steps(leads: Iterable[Any], now: dt.datetime) -> dict[int, dict]:
    """Each lead's next cadence step (SPEC S15) as {lead_id: {"number", "channel", "due_at", "label"}}.

    Computed for a whole page of leads at once: one query for the cadence
    table whatever the page size. A lead past its last step, without a grade
    policy, or not yet in the queue has no entry.
    """
    leads = list(leads)
    if not leads:
        return {}
    steps: dict[str, list[CadenceStep]] = {}
    for step in CadenceStep.objects.order_by("grade", "number"):
        steps.setdefault(step.grade, []).append(step)
    result: dict[int, dict] = {}
    for lead in leads:
        start = lead.mql_at or lead.queue_entered_at
        grade_steps = steps.get(lead.grade, [])
        if start is None or not grade_steps:
            continue
        index = lead.total_attempts
        if index >= len(grade_steps):
            continue
        step = grade_steps[index]
        result[lead.pk] = {
            "number": step.number,
            "channel": step.channel,
            "due_at": start + step.offset,
            "label": step.label,
            "overdue": now > start + step.offset,
        }
    return result
