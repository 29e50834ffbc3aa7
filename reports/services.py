"""Report writes: freeze a finished week, detect escalations from the stored
history (S19), and deliver the scheduled reports (S25) through the outbox."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.models import Role
from notifications.services import notify

from . import scorecard as sc
from .messages import daily_report_message, escalation_message, scorecard_message
from .models import Escalation, RecalibrationReview, WeeklyResult
from .periods import Period


def weekly_result_store(*, week: Period, now: dt.datetime) -> WeeklyResult:
    """Compute the week's scorecard and store it (recomputed if already stored, keeping posted_at)."""
    card = sc.compute(week, now=now)
    result, _ = WeeklyResult.objects.update_or_create(
        week=week.label,
        defaults={"start": week.first_day, "health": card.health, "data": card.stored(), "computed_at": now},
    )
    return result


def _manager_emails() -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(groups__name=Role.MANAGER, is_active=True).exclude(email="").values_list("email", flat=True)
    )


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if getattr(settings, "SITE_URL", "") else path


@transaction.atomic
def weekly_scorecard_post(*, week: Period, now: dt.datetime) -> WeeklyResult:
    """Store last week's result and queue the scorecard for Slack (team channel) and
    managers' email. Idempotent per week: the outbox key is the week, so a re-run
    (beat retry, manual run) never posts twice."""
    result = weekly_result_store(week=week, now=now)
    link = _link(reverse("reports:scorecard") + f"?week={week.label}")
    notify(
        key=f"reports:scorecard:{week.label}",
        message=scorecard_message(result.data, link),
        team_channel=True,
        emails=_manager_emails(),
    )
    if result.posted_at is None:
        result.posted_at = now
        result.save(update_fields=["posted_at"])
    return result


@transaction.atomic
def daily_report_send(*, day: Period, now: dt.datetime) -> None:
    """Queue the daily report (new MQLs by grade, open MQLs past SLA, violations) for `day`."""
    from .reports import daily_report

    data = daily_report(day, now=now)
    link = _link(reverse("reports:report", args=["daily"]) + f"?day={day.label}")
    notify(
        key=f"reports:daily:{day.label}",
        message=daily_report_message(data, link),
        team_channel=True,
        emails=_manager_emails(),
    )


def _escalation(level: int, key: str, week: Period, now: dt.datetime, **text: str) -> Escalation | None:
    esc, created = Escalation.objects.get_or_create(
        level=level, key=key, week=week.label, defaults={"raised_at": now, **text}
    )
    return esc if created else None


@transaction.atomic
def escalations_detect(*, week: Period, now: dt.datetime) -> list[Escalation]:
    """Raise the week's escalations (S19) from stored weekly results, oldest history first.

    Level 1: each SLA criterion missed this week (for the weekly meeting).
    Level 2: the same criterion missed 3+ consecutive stored weeks (manager-to-manager notice).
    Level 3: a Level 3 condition of the week (SLA failure >50%, compliance under the floor for
    the agreement's number of weeks, rejection above the critical band) — leadership within 24 h.
    A week not yet stored is stored first. Each escalation is raised once (unique per level, key, week).
    """
    current = WeeklyResult.objects.filter(week=week.label).first() or weekly_result_store(week=week, now=now)
    labels = [week.label]
    p = week
    for _ in range(2):
        p = p.previous()
        labels.append(p.label)
    history = {r.week: r for r in WeeklyResult.objects.filter(week__in=labels)}
    raised: list[Escalation] = []
    for crit in current.data.get("criteria", []):
        if crit["met"] is not False:
            continue
        evidence = f"{crit['label']}: {crit['detail']} in {week.label}."
        e1 = _escalation(
            1, crit["key"], week, now,
            description=f"{crit['side'].capitalize()} SLA missed: {crit['label']}.",
            evidence=evidence,
            impact="A missed commitment in the shared SLA.",
            proposed_resolution="Discuss at the weekly alignment meeting.",
            requested_action="Owner explains the miss and the fix at the weekly alignment.",
        )  # fmt: skip
        raised += [e1] if e1 else []
        run = [history.get(label) for label in labels]
        if all(r is not None and (r.criterion(crit["key"]) or {}).get("met") is False for r in run):
            e2 = _escalation(
                2, crit["key"], week, now,
                description=f"Pattern: {crit['label']} missed {len(labels)} consecutive weeks.",
                evidence="; ".join(f"{r.week}: {r.criterion(crit['key'])['detail']}" for r in run if r),
                impact="A persistent miss erodes trust between marketing and sales.",
                proposed_resolution="Manager-to-manager discussion of the root cause.",
                requested_action="Marketing and sales managers agree a corrective plan this week.",
            )  # fmt: skip
            raised += [e2] if e2 else []
    for i, condition in enumerate(current.data.get("level3", [])):
        e3 = _escalation(
            3, f"level3_{i}", week, now,
            description=f"Systemic: {condition}.",
            evidence=f"Weekly scorecard {week.label}: health {current.health}.",
            impact="The SLA is failing systemically; pipeline targets are at risk.",
            proposed_resolution="Emergency alignment session with leadership.",
            requested_action="Leadership review within 24 hours.",
        )  # fmt: skip
        raised += [e3] if e3 else []
    for esc in raised:
        notify(
            key=f"reports:escalation:{esc.pk}",
            message=escalation_message(esc, _link(reverse("reports:escalations"))),
            team_channel=True,
            emails=_manager_emails(),
        )
        esc.notified_at = now
        esc.save(update_fields=["notified_at"])
    return raised



def recalibration_model_impact(*, review: RecalibrationReview, now: dt.datetime) -> RecalibrationReview:
    """Re-score the review's quarter under its draft rule set and store the impact."""
    from .periods import parse_quarter
    from .recalibration import rescore_quarter

    if review.draft_rule_set is None:
        raise ValidationError({"draft_rule_set": "Choose a draft rule set to model."})
    impact = rescore_quarter(parse_quarter(review.quarter), review.draft_rule_set, now=now)
    review.impact = impact.as_dict()
    review.save(update_fields=["impact"])
    return review


def recalibration_decide(
    *,
    review: RecalibrationReview,
    decision: str,
    details: str,
    vp_sales: str,
    marketing_director: str,
    on: dt.date,
) -> RecalibrationReview:
    """Record the decision with both sign-offs (framework: DECISION / Signed)."""
    errors = {}
    kinds = RecalibrationReview.Decision
    if decision not in (kinds.APPROVED, kinds.MODIFIED, kinds.REJECTED):
        errors["decision"] = "Approve, approve with modifications, or reject."
    if decision in (kinds.MODIFIED, kinds.REJECTED) and not details.strip():
        errors["details"] = "Say which modifications, or why it is rejected."
    if not vp_sales.strip():
        errors["vp_sales"] = "The VP Sales signs."
    if not marketing_director.strip():
        errors["marketing_director"] = "The Marketing Director signs."
    if errors:
        raise ValidationError(errors)
    review.decision, review.decision_details = decision, details.strip()
    review.vp_sales_signed_by, review.vp_sales_signed_on = vp_sales.strip(), on
    review.marketing_director_signed_by, review.marketing_director_signed_on = marketing_director.strip(), on
    review.save()
    return review
