"""Writes for leads: intake, lifecycle moves, attempts, dispositions, handoffs, merges.

Every function here is keyword-only, runs in one transaction, and records a
history row for every stage change in that same transaction (SPEC S2). The SLA
app is told of each lifecycle event through `sla.services` so clocks, owners and
alerts follow in the same transaction (the notification outbox, SPEC S21).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import ApiKey
from scoring import services as scoring_services
from sla import services as sla_services

from .models import (
    ActorKind,
    Attempt,
    Campaign,
    Disposition,
    Event,
    Handoff,
    Lead,
    Opportunity,
    Qualification,
    QualityFlag,
    Source,
    Stage,
    StageChange,
)

# Submission fields copied onto the lead when present (SPEC S28).
LEAD_ATTRIBUTES = (
    "first_name",
    "last_name",
    "title",
    "phone",
    "company",
    "industry",
    "function",
    "employees",
    "revenue_cr",
    "shipments_per_day",
)

# Timestamp the lead carries for entering each stage (framework: CRM Required Fields).
STAGE_TIMESTAMP = {
    Stage.MQL: "mql_at",
    Stage.SAL: "sal_at",
    Stage.SQL: "sql_at",
    Stage.OPPORTUNITY: "opportunity_at",
    Stage.CUSTOMER: "customer_at",
}


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, an API key, or the system (SPEC S2)."""

    kind: str
    user: AbstractBaseUser | None = None
    api_key: ApiKey | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def of_user(cls, user: AbstractBaseUser) -> Actor:
        return cls(kind=ActorKind.USER, user=user)

    @classmethod
    def of_key(cls, key: ApiKey) -> Actor:
        return cls(kind=ActorKind.API_KEY, api_key=key)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _fail(**errors: str) -> ValidationError:
    return ValidationError({field: [message] for field, message in errors.items()})


# --- stage changes ----------------------------------------------------------


def lead_change_stage(*, lead: Lead, to_stage: str, actor: Actor, reason: str, now: dt.datetime) -> StageChange:
    """Move the lead to `to_stage`, stamp its stage date and write the history row."""
    if not reason.strip():
        raise ValueError("a stage change needs a reason")
    from_stage = lead.stage
    change = StageChange.objects.create(
        lead=lead,
        from_stage=from_stage,
        to_stage=to_stage,
        at=now,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        reason=reason,
    )
    lead.stage = to_stage
    fields = ["stage", "updated_at"]
    stamp = STAGE_TIMESTAMP.get(Stage(to_stage))
    if stamp and getattr(lead, stamp) is None:
        setattr(lead, stamp, now)
        fields.append(stamp)
        if to_stage == Stage.MQL:
            lead.mql_grade = lead.grade
            fields.append("mql_grade")
    lead.save(update_fields=fields)
    sla_services.lead_stage_changed(lead=lead, change=change, now=now)
    return change


# --- intake -----------------------------------------------------------------


def source_get_or_create(*, campaign: str = "", channel: str = "", content: str = "") -> Source | None:
    campaign, channel, content = campaign.strip(), channel.strip(), content.strip()
    if not (campaign or channel or content):
        return None
    # Nearly every submission names a source that exists: find it with one
    # joined query; only a new campaign/source takes the get_or_create path.
    # The constraints make the match unique: no ORDER BY/LIMIT for `.first()` to compile.
    known = next(iter(
        (Source.objects.filter(campaign__name=campaign) if campaign else Source.objects.filter(campaign__isnull=True))
        .filter(channel=channel, content=content)
    ), None)
    if known is not None:
        return known
    camp = None
    if campaign:
        camp, _ = Campaign.objects.get_or_create(name=campaign, defaults={"channel": channel})
    source, _ = Source.objects.get_or_create(campaign=camp, channel=channel, content=content)
    return source


def _lead_lock_or_create(
    *, email: str, actor: Actor, now: dt.datetime, defaults: dict[str, Any] | None = None
) -> tuple[Lead, bool]:
    """The lead for this email, locked for the rest of the transaction; created if new.

    A new lead is inserted with `defaults` already set (one INSERT rather than
    an INSERT and an UPDATE on the intake hot path). Two simultaneous
    submissions for one email meet at the unique index: the loser's insert
    fails inside its savepoint and it locks the winner's row.
    """
    # email is unique: at most one row, so no ORDER BY/LIMIT for `.first()` to compile.
    lead = next(iter(Lead.objects.select_for_update().filter(email=email)), None)
    if lead is not None:
        return lead, False
    try:
        with transaction.atomic():
            lead = Lead.objects.create(**{"email": email, "first_touch_at": now, **(defaults or {})})
    except IntegrityError:
        return Lead.objects.select_for_update().get(email=email), False
    StageChange.objects.create(
        lead=lead,
        from_stage="",
        to_stage=Stage.LEAD,
        at=now,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        reason="Created by web-form submission",
    )
    return lead, True


@transaction.atomic
def submission_receive(*, data: dict[str, Any], actor: Actor, now: dt.datetime) -> tuple[Lead, bool]:
    """Store a validated web-form submission (SPEC S28, S6) and rescore the lead.

    A second submission for the same normalised email updates the lead with
    the values it carries and adds its event; it never creates a second lead.
    """
    email = normalise_email(data["email"])
    attributes = {
        name: data[name] for name in LEAD_ATTRIBUTES if data.get(name) is not None and data.get(name) != ""
    }
    src = data.get("source") or {}
    source = source_get_or_create(**src) if src else None
    event = data.get("event")
    occurred = (event.get("occurred_at") or now) if event else None
    # What a brand-new lead carries goes into its INSERT; an existing lead (or
    # the loser of a creation race) is updated below exactly as before.
    defaults: dict[str, Any] = dict(attributes)
    if data.get("context"):
        defaults["context"] = data["context"]
    if source is not None:
        defaults["source"] = source
    if occurred is not None and occurred < now:
        defaults["first_touch_at"] = occurred
    lead, created = _lead_lock_or_create(email=email, actor=actor, now=now, defaults=defaults)
    fields = ["updated_at"]
    if not created:
        for name, value in attributes.items():
            setattr(lead, name, value)
            fields.append(name)
        if data.get("context"):
            lead.context = f"{lead.context}\n\n{data['context']}".strip() if lead.context else data["context"]
            fields.append("context")
        if source is not None and lead.source_id is None:
            lead.source = source
            fields.append("source")
    new_events = []
    if event:
        Event.objects.create(
            lead=lead, type=event["type"], occurred_at=occurred, asset=event.get("asset", ""), source=source
        )
        new_events.append((event["type"], occurred, event.get("asset", "")))
        if lead.first_touch_at is None or occurred < lead.first_touch_at:
            lead.first_touch_at = occurred
            fields.append("first_touch_at")
    if len(fields) > 1 or not created:
        lead.save(update_fields=fields)
    # A lead created in this transaction has exactly the events stored above:
    # scoring need not read them back.
    scoring_services.lead_rescore(lead=lead, now=now, actor=actor, events=new_events if created else None)
    return lead, created


@transaction.atomic
def events_record(*, items: list[dict[str, Any]], actor: Actor, now: dt.datetime) -> list[Lead]:
    """Add engagement events for known leads in one transaction; rescore each lead once.

    Raises ValidationError naming the position of each event whose email is unknown.
    """
    emails = {normalise_email(item["email"]) for item in items}
    leads = {lead.email: lead for lead in Lead.objects.select_for_update().filter(email__in=emails).order_by("pk")}
    unknown = {
        f"[{i}].email": f"No lead with email {item['email']!r}."
        for i, item in enumerate(items)
        if normalise_email(item["email"]) not in leads
    }
    if unknown:
        raise _fail(**unknown)
    Event.objects.bulk_create(
        [
            Event(
                lead=leads[normalise_email(item["email"])],
                type=item["type"],
                occurred_at=item.get("occurred_at") or now,
                asset=item.get("asset", ""),
            )
            for item in items
        ]
    )
    # One rescore pass for all the batch's leads: a fixed number of queries
    # for up to 1000 events, not a few per lead.
    touched = [leads[email] for email in sorted(emails)]
    scoring_services.leads_rescore(lead_ids=[lead.pk for lead in touched], now=now)
    return touched


# --- SDR work ---------------------------------------------------------------


@transaction.atomic
def attempt_log(
    *, lead: Lead, sdr: AbstractBaseUser | None, channel: str, outcome: str, notes: str = "", now: dt.datetime
) -> Attempt:
    """Record a contact attempt; the first one stops the speed-to-lead clock (SPEC S14)."""
    if lead.stage not in (Stage.LEAD, Stage.MQL, Stage.SAL):
        raise _fail(stage=f"Attempts are logged on open leads; this lead is {lead.get_stage_display()}.")
    attempt = Attempt.objects.create(lead=lead, sdr=sdr, channel=channel, outcome=outcome, notes=notes, at=now)
    Lead.objects.filter(pk=lead.pk).update(total_attempts=F("total_attempts") + 1)
    lead.refresh_from_db(fields=["total_attempts"])
    lead.last_attempt_at = now
    fields = ["last_attempt_at", "updated_at"]
    if lead.first_attempt_at is None:
        lead.first_attempt_at = now
        fields.append("first_attempt_at")
    if outcome == Attempt.Outcome.CONNECTED and lead.connected_at is None:
        lead.connected_at = now
        fields.append("connected_at")
    lead.save(update_fields=fields)
    sla_services.attempt_logged(lead=lead, attempt=attempt, now=now)
    return attempt


@transaction.atomic
def lead_accept(*, lead: Lead, user: AbstractBaseUser, now: dt.datetime) -> StageChange:
    """MQL → SAL: the SDR accepts after at least one logged attempt (SPEC S4)."""
    if lead.stage != Stage.MQL:
        raise _fail(stage=f"Only an MQL can be accepted; this lead is {lead.get_stage_display()}.")
    if lead.total_attempts < 1:
        raise _fail(attempts="Log at least one contact attempt before accepting the lead.")
    return lead_change_stage(
        lead=lead, to_stage=Stage.SAL, actor=Actor.of_user(user), reason="Accepted by SDR", now=now
    )


@transaction.atomic
def discovery_record(*, lead: Lead, user: AbstractBaseUser, at: dt.datetime, now: dt.datetime) -> None:
    if lead.stage != Stage.SAL:
        raise _fail(stage="Record the discovery call on an accepted lead (SAL).")
    if at > now + dt.timedelta(minutes=5):
        raise _fail(at="A discovery call is recorded once it has taken place.")
    lead.discovery_call_at = at
    lead.save(update_fields=["discovery_call_at", "updated_at"])


@transaction.atomic
def qualification_save(
    *, lead: Lead, user: AbstractBaseUser, scores: dict[str, int], notes: dict[str, str], now: dt.datetime
) -> Qualification:
    """Store BANT+T (SPEC S13): every criterion 0–3 with a note."""
    errors = {}
    for criterion in Qualification.CRITERIA:
        value = scores.get(criterion)
        if value is None or not 0 <= int(value) <= 3:
            errors[criterion] = "Score each criterion from 0 to 3."
        elif int(value) > 0 and not (notes.get(criterion) or "").strip():
            errors[f"{criterion}_note"] = "Add a note saying why."
    if errors:
        raise _fail(**errors)
    values: dict[str, Any] = {c: int(scores[c]) for c in Qualification.CRITERIA}
    values |= {f"{c}_note": (notes.get(c) or "").strip() for c in Qualification.CRITERIA}
    qual, _ = Qualification.objects.update_or_create(
        lead=lead, defaults={**values, "updated_by": user, "updated_at": now}
    )
    return qual


def qualification_gaps(lead: Lead) -> list[str]:
    """What still stands between this lead and an SQL (SPEC S4), in words an SDR can act on."""
    gaps = []
    if lead.stage != Stage.SAL:
        gaps.append(f"The lead must be accepted (SAL) first; it is {lead.get_stage_display()}.")
    if lead.discovery_call_at is None:
        gaps.append("Record the completed discovery call.")
    qual = Qualification.objects.filter(lead=lead).first()
    if qual is None:
        gaps.append("Score BANT+T.")
    else:
        unmet = qual.unmet()
        if unmet:
            gaps.append("BANT+T criteria not met: " + ", ".join(c.capitalize() for c in unmet) + ".")
        if qual.total < Qualification.PASS_TOTAL:
            gaps.append(f"BANT+T score is {qual.total}/15; {Qualification.PASS_TOTAL}/15 is needed.")
    return gaps


@transaction.atomic
def disposition_record(
    *,
    lead: Lead,
    user: AbstractBaseUser | None,
    kind: str,
    summary: str,
    reason: str,
    next_steps: str,
    reason_code: str = "",
    reengage_on: dt.date | None = None,
    now: dt.datetime,
) -> Disposition:
    """Disposition an MQL (SPEC S16). `user=None` means the system did it.

    Qualified creates the AE handoff; Nurture and Unable to Reach enrol the lead
    in nurture; Disqualified closes it with its reason code.
    """
    errors = {}
    for field, value in (("summary", summary), ("reason", reason), ("next_steps", next_steps)):
        if not value.strip():
            errors[field] = "This is required for every disposition."
    if kind not in Disposition.Kind.values:
        errors["kind"] = "Choose a disposition."
    if kind == Disposition.Kind.DISQUALIFIED and not reason_code:
        errors["reason_code"] = "Choose a reason code for a disqualification."
    if kind == Disposition.Kind.NURTURE and reengage_on is None:
        errors["reengage_on"] = "Set a re-engagement date for Nurture."
    if lead.stage not in (Stage.LEAD, Stage.MQL, Stage.SAL):
        errors["stage"] = f"This lead is already {lead.get_stage_display()}."
    if kind == Disposition.Kind.QUALIFIED and not errors:
        gaps = qualification_gaps(lead)
        if gaps:
            errors["kind"] = " ".join(gaps)
    if errors:
        raise _fail(**errors)
    actor = Actor.of_user(user) if user is not None else Actor.system()
    disp = Disposition.objects.create(
        lead=lead,
        kind=kind,
        reason_code=reason_code,
        summary=summary.strip(),
        reason=reason.strip(),
        next_steps=next_steps.strip(),
        reengage_on=reengage_on,
        by=user,
        at=now,
    )
    lead.disposition = kind
    lead.disposition_reason = reason_code
    lead.dispositioned_at = now
    lead.reengage_on = reengage_on
    lead.save(update_fields=["disposition", "disposition_reason", "dispositioned_at", "reengage_on", "updated_at"])
    label = Disposition.Kind(kind).label
    if kind == Disposition.Kind.QUALIFIED:
        lead_change_stage(lead=lead, to_stage=Stage.SQL, actor=actor, reason=f"Dispositioned {label}", now=now)
        handoff_create(lead=lead, sdr=user, now=now)
    elif kind == Disposition.Kind.DISQUALIFIED:
        lead_change_stage(
            lead=lead, to_stage=Stage.DISQUALIFIED, actor=actor, reason=f"Dispositioned {label}: {reason}", now=now
        )
    else:
        nurture_enrol(lead=lead, actor=actor, reason=f"Dispositioned {label}: {reason}", now=now)
    sla_services.lead_dispositioned(lead=lead, disposition=disp, now=now)
    return disp


def nurture_enrol(*, lead: Lead, actor: Actor, reason: str, now: dt.datetime) -> None:
    """Return the lead to marketing's nurture track (framework: auto-nurture enrolment)."""
    lead.nurture_enrolled_at = now
    lead.save(update_fields=["nurture_enrolled_at", "updated_at"])
    lead_change_stage(lead=lead, to_stage=Stage.NURTURE, actor=actor, reason=reason, now=now)
    sla_services.lead_nurture_enrolled(lead=lead, now=now)


@transaction.atomic
def quality_flag_raise(*, lead: Lead, user: AbstractBaseUser, kind: str, note: str, now: dt.datetime) -> QualityFlag:
    if not note.strip():
        raise _fail(note="Say what is wrong, so marketing can act on it.")
    flag = QualityFlag.objects.create(lead=lead, kind=kind, note=note.strip(), by=user, at=now)
    sla_services.quality_flag_raised(flag=flag, now=now)
    return flag


@transaction.atomic
def quality_flag_respond(*, flag: QualityFlag, user: AbstractBaseUser, response: str, now: dt.datetime) -> None:
    if not response.strip():
        raise _fail(response="Write a response.")
    flag.response = response.strip()
    flag.responded_at = now
    flag.responded_by = user
    flag.save(update_fields=["response", "responded_at", "responded_by"])
    sla_services.quality_flag_answered(flag=flag, now=now)


# --- AE handoffs ------------------------------------------------------------


def handoff_create(*, lead: Lead, sdr: AbstractBaseUser | None, now: dt.datetime) -> Handoff:
    ae = sla_services.ae_for_handoff(lead=lead)
    handoff = Handoff.objects.create(lead=lead, sdr=sdr or lead.owner, ae=ae, created_at=now)
    sla_services.handoff_created(handoff=handoff, now=now)
    return handoff


@transaction.atomic
def handoff_open(*, handoff: Handoff, user: AbstractBaseUser, now: dt.datetime) -> None:
    """The AE's first look at a handoff stops the 4-hour review clock (SPEC S17)."""
    if handoff.reviewed_at is not None or handoff.ae_id != user.pk:
        return
    handoff.reviewed_at = now
    handoff.save(update_fields=["reviewed_at"])
    sla_services.handoff_reviewed(handoff=handoff, now=now)


@transaction.atomic
def handoff_accept(
    *,
    handoff: Handoff,
    user: AbstractBaseUser,
    amount_lakh: Decimal,
    demo_at: dt.datetime | None,
    now: dt.datetime,
) -> Opportunity:
    """Accept an SQL: the lead becomes an opportunity with its amount (SPEC S4)."""
    errors = {}
    if handoff.decision != Handoff.Decision.PENDING:
        errors["decision"] = f"This handoff was already {handoff.get_decision_display().lower()}."
    if amount_lakh is None or amount_lakh <= 0:
        errors["amount_lakh"] = "Enter the opportunity amount in ₹ lakh."
    if errors:
        raise _fail(**errors)
    handoff.reviewed_at = handoff.reviewed_at or now
    handoff.decision = Handoff.Decision.ACCEPTED
    handoff.decided_at = now
    handoff.demo_scheduled_at = demo_at
    handoff.save(update_fields=["reviewed_at", "decision", "decided_at", "demo_scheduled_at"])
    opp = Opportunity.objects.create(
        lead=handoff.lead, handoff=handoff, ae=user, amount_lakh=amount_lakh, opened_at=now, demo_at=demo_at
    )
    lead_change_stage(
        lead=handoff.lead,
        to_stage=Stage.OPPORTUNITY,
        actor=Actor.of_user(user),
        reason=f"Accepted by AE (₹{amount_lakh} L)",
        now=now,
    )
    sla_services.handoff_decided(handoff=handoff, now=now)
    return opp


@transaction.atomic
def handoff_schedule_demo(*, handoff: Handoff, user: AbstractBaseUser, demo_at: dt.datetime, now: dt.datetime) -> None:
    handoff.demo_scheduled_at = demo_at
    handoff.save(update_fields=["demo_scheduled_at"])
    Opportunity.objects.filter(handoff=handoff).update(demo_at=demo_at)
    sla_services.handoff_demo_scheduled(handoff=handoff, now=now)


@transaction.atomic
def handoff_reject(
    *,
    handoff: Handoff,
    user: AbstractBaseUser,
    category: str,
    reason: str,
    recommendation: str,
    competitor: str = "",
    duplicate_of: Lead | None = None,
    now: dt.datetime,
) -> None:
    """Reject an SQL with category, reason and recommendation; run the category's action (SPEC S17)."""
    cat = Handoff.RejectionCategory
    errors = {}
    if handoff.decision != Handoff.Decision.PENDING:
        errors["decision"] = f"This handoff was already {handoff.get_decision_display().lower()}."
    if category not in cat.values:
        errors["category"] = "Choose a rejection category."
    if not reason.strip():
        errors["reason"] = "Give the specific reason for rejecting."
    if recommendation not in Handoff.Recommendation.values:
        errors["recommendation"] = "Recommend re-qualify, nurture or disqualify."
    if category == cat.COMPETITOR_COMMITTED and not competitor.strip():
        errors["competitor"] = "Name the competitor they chose."
    if category == cat.ALREADY_IN_PIPELINE and (duplicate_of is None or duplicate_of.pk == handoff.lead_id):
        errors["duplicate_of"] = "Pick the existing lead this one duplicates."
    if errors:
        raise _fail(**errors)
    lead = handoff.lead
    actor = Actor.of_user(user)
    handoff.reviewed_at = handoff.reviewed_at or now
    handoff.decision = Handoff.Decision.REJECTED
    handoff.decided_at = now
    handoff.rejection_category = category
    handoff.rejection_reason = reason.strip()
    handoff.recommendation = recommendation
    handoff.competitor = competitor.strip()
    handoff.duplicate_of = duplicate_of
    handoff.feedback_call_due_at = now + dt.timedelta(hours=48)
    handoff.save()
    label = cat(category).label
    why = f"Rejected by AE ({label}): {reason.strip()}"
    if category == cat.WRONG_FIT:
        lead.fit_review_flag = True
    elif category == cat.MISQUALIFIED:
        lead.coaching_flag = True
    elif category == cat.COMPETITOR_COMMITTED:
        lead.competitor = competitor.strip()
    lead.save(update_fields=["fit_review_flag", "coaching_flag", "competitor", "updated_at"])
    if category == cat.ALREADY_IN_PIPELINE:
        assert duplicate_of is not None
        lead_merge(source=lead, into=duplicate_of, actor=actor, reason=why, now=now)
    elif category == cat.NOT_READY or recommendation == Handoff.Recommendation.NURTURE:
        nurture_enrol(lead=lead, actor=actor, reason=why, now=now)
    elif recommendation == Handoff.Recommendation.DISQUALIFY:
        lead_change_stage(lead=lead, to_stage=Stage.DISQUALIFIED, actor=actor, reason=why, now=now)
    else:
        lead_change_stage(lead=lead, to_stage=Stage.SAL, actor=actor, reason=why + " — back to SDR", now=now)
    sla_services.handoff_decided(handoff=handoff, now=now)


@transaction.atomic
def feedback_call_done(*, handoff: Handoff, user: AbstractBaseUser, now: dt.datetime) -> None:
    if handoff.feedback_call_done_at is None:
        handoff.feedback_call_done_at = now
        handoff.save(update_fields=["feedback_call_done_at"])
        sla_services.feedback_call_done(handoff=handoff, now=now)


@transaction.atomic
def opportunity_close(
    *, opportunity: Opportunity, user: AbstractBaseUser, won: bool, amount_lakh: Decimal | None, now: dt.datetime
) -> None:
    if opportunity.status != Opportunity.Status.OPEN:
        raise _fail(status="This opportunity is already closed.")
    opportunity.status = Opportunity.Status.WON if won else Opportunity.Status.LOST
    opportunity.closed_at = now
    opportunity.won_amount_lakh = (amount_lakh or opportunity.amount_lakh) if won else None
    opportunity.save(update_fields=["status", "closed_at", "won_amount_lakh"])
    if won:
        lead_change_stage(
            lead=opportunity.lead, to_stage=Stage.CUSTOMER, actor=Actor.of_user(user), reason="Opportunity won", now=now
        )


@transaction.atomic
def lead_merge(*, source: Lead, into: Lead, actor: Actor, reason: str, now: dt.datetime) -> Lead:
    """Merge `source` into `into` (SPEC S6): events, attempts, history and flags move to the survivor."""
    if source.pk == into.pk:
        raise _fail(duplicate_of="A lead cannot be merged into itself.")
    Event.objects.filter(lead=source).update(lead=into)
    Attempt.objects.filter(lead=source).update(lead=into)
    QualityFlag.objects.filter(lead=source).update(lead=into)
    Disposition.objects.filter(lead=source).update(lead=into)
    # History rows are immutable; they follow the survivor by a set-based move.
    StageChange.objects.filter(lead=source).update(lead=into)
    Lead.objects.filter(pk=into.pk).update(total_attempts=F("total_attempts") + source.total_attempts)
    into.refresh_from_db()
    for field in ("phone", "title", "company", "industry", "function", "employees", "revenue_cr", "shipments_per_day"):
        if getattr(into, field) in (None, "") and getattr(source, field) not in (None, ""):
            setattr(into, field, getattr(source, field))
    if source.first_touch_at and (into.first_touch_at is None or source.first_touch_at < into.first_touch_at):
        into.first_touch_at = source.first_touch_at
    into.save()
    source.merged_into = into
    source.save(update_fields=["merged_into", "updated_at"])
    lead_change_stage(
        lead=source, to_stage=Stage.DISQUALIFIED, actor=actor, reason=f"Merged into lead #{into.pk}: {reason}", now=now
    )
    sla_services.lead_merged(source=source, into=into, now=now)
    scoring_services.lead_rescore(lead=into, now=now, actor=actor)
    return into


@transaction.atomic
def lead_change_stage_manually(
    *, lead: Lead, to_stage: str, user: AbstractBaseUser, reason: str, now: dt.datetime
) -> StageChange:
    """A stage change made by hand (admin): the history row names the user, and the audit trail
    records who, when, and the stage before and after."""
    from accounts.services import audit_record

    if to_stage not in Stage.values:
        raise _fail(to_stage="Choose a stage.")
    if to_stage == lead.stage:
        raise _fail(to_stage=f"The lead is already {lead.get_stage_display()}.")
    if not reason.strip():
        raise _fail(reason="Say why the stage is being changed by hand.")
    before = {"stage": lead.stage}
    change = lead_change_stage(
        lead=lead, to_stage=to_stage, actor=Actor.of_user(user), reason=f"Manual: {reason.strip()}", now=now
    )
    audit_record(user=user, action="stage_change", obj=lead, before=before,
                 after={"stage": to_stage, "reason": reason.strip()})
    return change
