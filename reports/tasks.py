"""Beat tasks for scheduled reports (SPEC S25, S19): thin wrappers over services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services
from .periods import last_complete


@shared_task
def post_weekly_scorecard() -> str:
    """Monday 09:00 IST: store last week's result and post the scorecard (once per week)."""
    now = timezone.now()
    week = last_complete("week", now)
    services.weekly_scorecard_post(week=week, now=now)
    return week.label


@shared_task
def send_daily_report() -> str:
    """Each morning: yesterday's daily report to Slack and managers' email (once per day)."""
    now = timezone.now()
    day = last_complete("day", now)
    services.daily_report_send(day=day, now=now)
    return day.label


@shared_task
def detect_escalations() -> int:
    """Weekly, after the scorecard: raise S19 escalations from the stored weekly results."""
    now = timezone.now()
    return len(services.escalations_detect(week=last_complete("week", now), now=now))
