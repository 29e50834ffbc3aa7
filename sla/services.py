"""What the SLA side does when the lifecycle moves (SPEC S14–S21).

`leads.services` and `scoring.services` call these hooks inside their
transaction; each one starts, stops or re-targets clocks and writes alerts to
the outbox in that same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from leads.models import Attempt, Disposition, Handoff, Lead, QualityFlag, StageChange


def lead_stage_changed(*, lead: Lead, change: StageChange, now: dt.datetime) -> None:
    """A stage change happened (assignment and clocks on MQL, cancellations on exit)."""


def lead_grade_changed(*, lead: Lead, old_grade: str, now: dt.datetime) -> None:
    """The grade moved; a rise before first contact may tighten the first-attempt target."""


def lead_entered_periodic_check(*, lead: Lead, now: dt.datetime) -> None:
    """A Grade C ICP lead entered the SDR queue as a periodic check (SPEC S5)."""


def attempt_logged(*, lead: Lead, attempt: Attempt, now: dt.datetime) -> None:
    """A contact attempt was logged."""


def lead_dispositioned(*, lead: Lead, disposition: Disposition, now: dt.datetime) -> None:
    """The lead was dispositioned."""


def lead_nurture_enrolled(*, lead: Lead, now: dt.datetime) -> None:
    """The lead went back to marketing nurture."""


def lead_merged(*, source: Lead, into: Lead, now: dt.datetime) -> None:
    """`source` was merged into `into`."""


def quality_flag_raised(*, flag: QualityFlag, now: dt.datetime) -> None:
    """An SDR flagged lead quality; marketing owes a response within 48 h."""


def quality_flag_answered(*, flag: QualityFlag, now: dt.datetime) -> None:
    """Marketing answered a quality flag."""


def ae_for_handoff(*, lead: Lead) -> AbstractBaseUser | None:
    """The AE who receives this lead's SQL handoff."""
    return get_user_model().objects.filter(groups__name="ae", is_active=True).order_by("pk").first()


def handoff_created(*, handoff: Handoff, now: dt.datetime) -> None:
    """An SQL handoff was created: review and decision clocks start."""


def handoff_reviewed(*, handoff: Handoff, now: dt.datetime) -> None:
    """The AE opened the handoff."""


def handoff_decided(*, handoff: Handoff, now: dt.datetime) -> None:
    """The AE accepted or rejected."""


def handoff_demo_scheduled(*, handoff: Handoff, now: dt.datetime) -> None:
    """A demo was scheduled."""


def feedback_call_done(*, handoff: Handoff, now: dt.datetime) -> None:
    """The rejection feedback call took place."""
