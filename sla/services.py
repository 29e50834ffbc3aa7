"""What the SLA side does when the lifecycle moves (SPEC S14–S21).

`leads.services` and `scoring.services` call these hooks inside their
transaction; each one starts, stops or re-targets clocks and writes alerts to
the outbox in that same transaction. Nothing here sends anything: workers
deliver the outbox after commit (`notifications`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from notifications import messages
from notifications.services import notify, webhook_emit

from . import clock as engine
from . import selectors
from .models import AssignmentRule, ClockTransition, RoundRobinCursor, SlaClock

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from leads.models import Attempt, Disposition, Handoff, Lead, QualityFlag, StageChange

log = logging.getLogger(__name__)

Kind = SlaClock.Kind
State = SlaClock.State
# Clocks that belong to the SDR's work on the lead; they end when the lead leaves the SDR's hands.
LEAD_WORK_KINDS = (Kind.FIRST_ATTEMPT, Kind.ATTEMPTS, Kind.DISPOSITION)
# Marketing's commitments (SLAs cut both ways): their breaches go to marketing ops.
MARKETING_KINDS = (Kind.DATA_COMPLETE, Kind.QUALITY_RESPONSE)
# The framework's "full contact information" and lead source (Lead Response Data).
REQUIRED_FIELDS = {
    "first_name": "name",
    "title": "title",
    "email": "email",
    "phone": "phone",
    "company": "company",
    "source_id": "source",
}


# --- clocks -------------------------------------------------------------------


def _facts(c: SlaClock) -> engine.ClockFacts:
    return engine.ClockFacts(started_at=c.started_at, due_at=c.due_at, state=c.state, stopped_at=c.stopped_at)


def clock_start(
    *,
    lead: Lead,
    kind: str,
    start: dt.datetime,
    target: dt.timedelta,
    calendar: Any,
    owner: Any = None,
    handoff: Handoff | None = None,
    flag: QualityFlag | None = None,
    warn_before: dt.timedelta = dt.timedelta(0),
    note: str = "started",
) -> SlaClock:
    """Start a running clock due `target` of business time after `start`, and record the transition."""
    due = engine.due_at(start=start, target=target, calendar=calendar)
    clock = SlaClock.objects.create(
        lead=lead, kind=kind, owner=owner, handoff=handoff, quality_flag=flag, started_at=start, due_at=due,
        warn_at=engine.warn_at(start=start, due=due, warn_before=warn_before),
    )
    ClockTransition.objects.create(clock=clock, at=start, from_state="", to_state=State.RUNNING, due_at=due, note=note)
    return clock


def _running(qs: QuerySet[SlaClock]) -> list[SlaClock]:
    """Clocks still counting (or paused), locked for this transaction."""
    return list(qs.filter(state__in=[State.RUNNING, State.PAUSED]).select_for_update().order_by("pk"))


def clocks_stop(*, clocks: Iterable[SlaClock], at: dt.datetime, note: str) -> None:
    """The commitment was fulfilled at `at`: met if on time, else breached (and stamped when it fell due)."""
    for c in clocks:
        new_state = engine.stop_state(_facts(c), at)
        old_state = c.state
        c.state = new_state
        c.stopped_at = at
        c.warn_at = None
        fields = ["state", "stopped_at", "warn_at"]
        if new_state == State.BREACHED and c.breached_at is None:
            # The sweeper had not reached it yet: the breach happened at the due time, not now.
            c.breached_at = c.due_at
            fields.append("breached_at")
        c.save(update_fields=fields)
        ClockTransition.objects.create(clock=c, at=at, from_state=old_state, to_state=new_state, due_at=c.due_at,
                                       note=note)
        if new_state == State.BREACHED and old_state == State.RUNNING:
            _announce_breach(clock=c, now=at)


def clocks_cancel(*, clocks: Iterable[SlaClock], at: dt.datetime, note: str) -> None:
    for c in clocks:
        old = c.state
        c.state = State.CANCELLED
        c.stopped_at = at
        c.warn_at = None
        c.save(update_fields=["state", "stopped_at", "warn_at"])
        ClockTransition.objects.create(clock=c, at=at, from_state=old, to_state=State.CANCELLED, due_at=c.due_at,
                                       note=note)


def _calendar_of_clock(c: SlaClock) -> Any:
    if c.kind in LEAD_WORK_KINDS:
        policy = selectors.policy_for(c.lead.grade)
        if policy is not None:
            return selectors.calendar_of(policy.calendar)
        return selectors.calendar_of(None)
    return selectors.target_for(c.kind)[1]


def clock_pause(*, clock: SlaClock, now: dt.datetime, note: str) -> bool:
    """Stop a running clock's time (e.g. the prospect asked to be called after a holiday). False if not running."""
    if clock.state != State.RUNNING or now >= clock.due_at:
        return False
    clock.paused_remaining = engine.remaining_at(due=clock.due_at, at=now, calendar=_calendar_of_clock(clock))
    clock.state = State.PAUSED
    clock.warn_at = None
    clock.save(update_fields=["paused_remaining", "state", "warn_at"])
    ClockTransition.objects.create(clock=clock, at=now, from_state=State.RUNNING, to_state=State.PAUSED,
                                   due_at=clock.due_at, note=note)
    return True


def clock_resume(*, clock: SlaClock, now: dt.datetime, note: str) -> bool:
    """Run a paused clock again: due after the business time it had left. False if not paused."""
    if clock.state != State.PAUSED:
        return False
    remaining = clock.paused_remaining or dt.timedelta(0)
    clock.due_at = engine.resumed_due(remaining=remaining, now=now, calendar=_calendar_of_clock(clock))
    clock.state = State.RUNNING
    clock.paused_remaining = None
    clock.save(update_fields=["due_at", "state", "paused_remaining"])
    ClockTransition.objects.create(clock=clock, at=now, from_state=State.PAUSED, to_state=State.RUNNING,
                                   due_at=clock.due_at, note=note)
    return True


# --- assignment ---------------------------------------------------------------


def _rule_matches(rule: AssignmentRule, lead: Lead) -> bool:
    value = rule.value.strip().lower()
    F = AssignmentRule.Field
    if rule.field == F.PHONE_PREFIX:
        return lead.phone.replace(" ", "").startswith(value.replace(" ", ""))
    if rule.field == F.SOURCE_CHANNEL:
        actual = lead.source.channel if lead.source_id else ""
    elif rule.field == F.CAMPAIGN:
        actual = lead.source.campaign.name if lead.source_id and lead.source.campaign_id else ""
    else:
        actual = getattr(lead, rule.field, "") or ""
    return actual.strip().lower() == value


def assignee_for(*, role: str, lead: Lead) -> AbstractBaseUser | None:
    """Who gets this lead (role "sdr") or its handoff (role "ae"): the first matching rule, else round-robin.

    Round-robin is safe under concurrency: the role's cursor row is locked
    (select_for_update) while the next person is chosen.
    """
    active = selectors.active_members(role)
    active_ids = set(active.values_list("pk", flat=True))
    for rule in AssignmentRule.objects.filter(role=role, active=True).select_related("assignee"):
        if rule.assignee_id in active_ids and _rule_matches(rule, lead):
            return rule.assignee
    ids = sorted(active_ids)
    if not ids:
        log.warning("no active %s to assign lead %s to", role, lead.pk)
        return None
    cursor = RoundRobinCursor.objects.select_for_update().filter(role=role).first()
    if cursor is None:
        try:
            with transaction.atomic():
                RoundRobinCursor.objects.create(role=role)
        except IntegrityError:
            pass
        cursor = RoundRobinCursor.objects.select_for_update().get(role=role)
    after = [pk for pk in ids if cursor.last_user_id is None or pk > cursor.last_user_id]
    chosen = after[0] if after else ids[0]
    cursor.last_user_id = chosen
    cursor.save(update_fields=["last_user_id"])
    return active.get(pk=chosen)


def ae_for_handoff(*, lead: Lead) -> AbstractBaseUser | None:
    """The AE who receives this lead's SQL handoff: assignment rules, then round-robin over active AEs."""
    return assignee_for(role="ae", lead=lead)


# --- lead lifecycle -----------------------------------------------------------


def _stamp(at: dt.datetime) -> str:
    return str(int(at.timestamp()))


def _recent_events(lead: Lead) -> list[Any]:
    return list(lead.events.order_by("-occurred_at", "-pk")[:10])


def missing_data(lead: Lead) -> list[str]:
    """The framework's required lead data that this lead lacks (empty when the package is complete)."""
    return [label for field, label in REQUIRED_FIELDS.items() if not getattr(lead, field)]


def _lead_payload(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.pk, "email": lead.email, "name": lead.name, "company": lead.company, "stage": lead.stage,
        "grade": lead.grade, "score": {"total": lead.score_total, "fit": lead.score_fit,
                                       "engagement": lead.score_engagement},
        "owner": lead.owner.get_username() if lead.owner_id else None,
        "mql_at": lead.mql_at.isoformat() if lead.mql_at else None,
    }


def _queue_entry(*, lead: Lead, now: dt.datetime, periodic_check: bool) -> None:
    """Assign an SDR, start the follow-up clocks and write the alert (SPEC S14, S20)."""
    policy = selectors.policy_for(lead.grade)
    if policy is None:
        return
    if lead.owner_id is None or not selectors.active_members("sdr").filter(pk=lead.owner_id).exists():
        # New work goes to someone who can do it: a returning lead whose SDR left is reassigned.
        owner = assignee_for(role="sdr", lead=lead)
        if owner is not None:
            lead.owner = owner
            lead.save(update_fields=["owner", "updated_at"])
    calendar = selectors.calendar_of(policy.calendar)
    first = None
    if lead.first_attempt_at is None:
        existing = _running(SlaClock.objects.filter(lead=lead, kind=Kind.FIRST_ATTEMPT, state=State.RUNNING))
        if existing:
            first = existing[0]
            _retarget(clock=first, target=policy.first_attempt, warn_before=policy.warn_before, calendar=calendar,
                      now=now, note=f"Grade {lead.grade} MQL")
        else:
            first = clock_start(lead=lead, kind=Kind.FIRST_ATTEMPT, start=now, target=policy.first_attempt,
                                calendar=calendar, owner=lead.owner, warn_before=policy.warn_before,
                                note=f"Grade {lead.grade}")
    if not SlaClock.objects.filter(lead=lead, kind=Kind.ATTEMPTS, state=State.RUNNING).exists():
        clock_start(lead=lead, kind=Kind.ATTEMPTS, start=now, target=policy.window, calendar=calendar,
                    owner=lead.owner, note=f"{policy.total_attempts} attempts")
    if not periodic_check:
        clock_start(lead=lead, kind=Kind.DISPOSITION, start=now, target=policy.disposition, calendar=calendar,
                    owner=lead.owner)
        target, cal = selectors.target_for(Kind.DATA_COMPLETE, known={policy.calendar_id: calendar})
        data_clock = clock_start(lead=lead, kind=Kind.DATA_COMPLETE, start=now, target=target, calendar=cal)
        missing = missing_data(lead)
        if not missing:
            clocks_stop(clocks=[data_clock], at=now, note="complete at MQL")
        else:
            notify(key=f"incomplete:{lead.pk}:{_stamp(now)}",
                   message=messages.data_incomplete(lead=lead, missing=missing, due_at=data_clock.due_at),
                   users=selectors.active_members("marketing_ops"), now=now)
    due = first.due_at if first else now
    message = messages.mql_alert(lead=lead, events=_recent_events(lead), target=policy.first_attempt, due_at=due,
                                 periodic_check=periodic_check)
    kind = "periodic" if periodic_check else "mql"
    notify(key=f"{kind}:{lead.pk}:{_stamp(now)}", message=message, team_channel=True,
           users=[lead.owner] if lead.owner_id else [], phone=lead.grade == "A", now=now)


def _retarget(*, clock: SlaClock, target: dt.timedelta, warn_before: dt.timedelta, calendar: Any,
              now: dt.datetime, note: str) -> bool:
    """Tighten a running clock to `target` from now if that ends sooner (SPEC S14). True if it moved."""
    new_due = engine.retarget_on_rise(current_due=clock.due_at, rise_at=now, new_target=target, calendar=calendar)
    if new_due >= clock.due_at:
        return False
    clock.due_at = new_due
    clock.warn_at = engine.warn_at(start=now, due=new_due, warn_before=warn_before)
    clock.save(update_fields=["due_at", "warn_at"])
    ClockTransition.objects.create(clock=clock, at=now, from_state=State.RUNNING, to_state=State.RUNNING,
                                   due_at=new_due, note=f"re-targeted: {note}")
    return True


def lead_stage_changed(*, lead: Lead, change: StageChange, now: dt.datetime) -> None:
    """A stage change happened: on MQL assign, start clocks and alert; on leaving SDR work, close clocks.

    Every change is also a `lead.stage_changed` webhook event; MQL adds `lead.mql`.
    """
    to = change.to_stage
    if to == "mql":
        _queue_entry(lead=lead, now=now, periodic_check=False)
    elif to in ("sql", "opportunity", "customer", "nurture", "disqualified"):
        clocks = _running(SlaClock.objects.filter(lead=lead, kind__in=LEAD_WORK_KINDS))
        dispositioned = lead.dispositioned_at is not None and lead.dispositioned_at >= now
        done = [c for c in clocks if c.kind == Kind.DISPOSITION and dispositioned]
        clocks_stop(clocks=done, at=now, note=f"dispositioned ({to})")
        clocks_cancel(clocks=[c for c in clocks if c not in done], at=now, note=f"lead moved to {to}")
    payload = _lead_payload(lead) | {"from_stage": change.from_stage, "to_stage": to, "reason": change.reason}
    webhook_emit(event="lead.stage_changed", key=f"stage:{change.pk}", data=payload, now=now)
    if to == "mql":
        webhook_emit(event="lead.mql", key=f"lead.mql:{change.pk}", data=_lead_payload(lead), now=now)


def lead_grade_changed(*, lead: Lead, old_grade: str, now: dt.datetime) -> None:
    """The grade moved; a rise before first contact may tighten the first-attempt target (SPEC S14)."""
    if selectors.GRADE_RANK.get(lead.grade, 9) >= selectors.GRADE_RANK.get(old_grade, 9):
        return
    if lead.first_attempt_at is not None:
        return
    # Most grade changes happen before any clock runs (a new lead being scored): one query decides.
    running = _running(SlaClock.objects.filter(lead=lead, kind=Kind.FIRST_ATTEMPT, state=State.RUNNING))
    policy = selectors.policy_for(lead.grade) if running else None
    if policy is None:
        return
    calendar = selectors.calendar_of(policy.calendar)
    for c in running:
        _retarget(clock=c, target=policy.first_attempt, warn_before=policy.warn_before, calendar=calendar, now=now,
                  note=f"grade {old_grade}→{lead.grade}")


def lead_entered_periodic_check(*, lead: Lead, now: dt.datetime) -> None:
    """A Grade C ICP lead entered the SDR queue as a periodic check (SPEC S5): assign, clock, alert."""
    _queue_entry(lead=lead, now=now, periodic_check=True)


def attempt_logged(*, lead: Lead, attempt: Attempt, now: dt.datetime) -> None:
    """A contact attempt: the first stops the speed-to-lead clock; a connection or the grade's last
    unanswered attempt ends the attempts clock, and the last one dispositions Unable to Reach (S16)."""
    clocks_stop(clocks=_running(SlaClock.objects.filter(lead=lead, kind=Kind.FIRST_ATTEMPT)), at=now,
                note="first attempt")
    if attempt.outcome == "connected":
        clocks_stop(clocks=_running(SlaClock.objects.filter(lead=lead, kind=Kind.ATTEMPTS)), at=now, note="connected")
        return
    policy = selectors.policy_for(lead.grade)
    if policy is None or lead.connected_at is not None or lead.total_attempts < policy.total_attempts:
        return
    clocks_stop(clocks=_running(SlaClock.objects.filter(lead=lead, kind=Kind.ATTEMPTS)), at=now,
                note=f"{lead.total_attempts} attempts made")
    if lead.stage in ("lead", "mql", "sal") and not lead.dispositioned_at:
        from leads import services as lead_services

        lead_services.disposition_record(
            lead=lead,
            user=None,
            kind="unable_to_reach",
            summary=f"{lead.total_attempts} attempts over the Grade {lead.grade} cadence; no connection.",
            reason=f"No response after {lead.total_attempts} attempts (Grade {lead.grade} policy: "
            f"{policy.total_attempts}).",
            next_steps="Auto-nurture sequence; the SDR re-engages if the lead shows new intent.",
            now=now,
        )


def lead_dispositioned(*, lead: Lead, disposition: Disposition, now: dt.datetime) -> None:
    """The lead was dispositioned: the disposition clock is met (if still running); attempts no longer owed."""
    clocks_stop(clocks=_running(SlaClock.objects.filter(lead=lead, kind=Kind.DISPOSITION)), at=now,
                note=f"dispositioned {disposition.kind}")
    clocks_cancel(clocks=_running(SlaClock.objects.filter(lead=lead, kind__in=[Kind.ATTEMPTS, Kind.FIRST_ATTEMPT])),
                  at=now, note=f"dispositioned {disposition.kind}")


def lead_nurture_enrolled(*, lead: Lead, now: dt.datetime) -> None:
    """The lead went back to marketing nurture: subscribers hear `lead.nurture_enrolled`."""
    webhook_emit(event="lead.nurture_enrolled", key=f"nurture:{lead.pk}:{_stamp(now)}",
                 data=_lead_payload(lead) | {"reengage_on": lead.reengage_on}, now=now)


def lead_merged(*, source: Lead, into: Lead, now: dt.datetime) -> None:
    """`source` was merged into `into`: the duplicate's running clocks are cancelled."""
    clocks_cancel(clocks=_running(SlaClock.objects.filter(lead=source)), at=now, note=f"merged into #{into.pk}")


def quality_flag_raised(*, flag: QualityFlag, now: dt.datetime) -> None:
    """An SDR flagged lead quality; marketing owes a response within 48 h (SLAs cut both ways)."""
    target, cal = selectors.target_for(Kind.QUALITY_RESPONSE)
    c = clock_start(lead=flag.lead, kind=Kind.QUALITY_RESPONSE, start=now, target=target, calendar=cal, flag=flag)
    notify(key=f"qflag:{flag.pk}", message=messages.quality_flag_raised(flag=flag, due_at=c.due_at),
           users=selectors.active_members("marketing_ops"), now=now)


def quality_flag_answered(*, flag: QualityFlag, now: dt.datetime) -> None:
    clocks_stop(clocks=_running(SlaClock.objects.filter(quality_flag=flag)), at=now, note="answered")


# --- AE handoffs --------------------------------------------------------------


def _handoff_clock(handoff: Handoff, kind: str, now: dt.datetime) -> SlaClock:
    target, cal = selectors.target_for(kind)
    return clock_start(lead=handoff.lead, handoff=handoff, kind=kind, start=now, target=target, calendar=cal,
                       owner=handoff.ae)


def handoff_created(*, handoff: Handoff, now: dt.datetime) -> None:
    """An SQL handoff was created: review (4 h) and decision (24 h) clocks start (SPEC S17)."""
    review = _handoff_clock(handoff, Kind.AE_REVIEW, now)
    decision = _handoff_clock(handoff, Kind.AE_DECISION, now)
    if handoff.ae_id:
        notify(key=f"handoff:{handoff.pk}", message=messages.handoff_alert(
            handoff=handoff, review_due=review.due_at, decision_due=decision.due_at), users=[handoff.ae], now=now)


def handoff_reviewed(*, handoff: Handoff, now: dt.datetime) -> None:
    clocks_stop(clocks=_running(SlaClock.objects.filter(handoff=handoff, kind=Kind.AE_REVIEW)), at=now,
                note="opened by AE")


def handoff_decided(*, handoff: Handoff, now: dt.datetime) -> None:
    """Accept/reject stops review and decision; acceptance starts demo scheduling, rejection the feedback call."""
    clocks_stop(clocks=_running(SlaClock.objects.filter(handoff=handoff, kind__in=[Kind.AE_REVIEW, Kind.AE_DECISION])),
                at=now, note=handoff.decision)
    if handoff.decision == "accepted":
        demo = _handoff_clock(handoff, Kind.DEMO_SCHEDULING, now)
        if handoff.demo_scheduled_at is not None:
            clocks_stop(clocks=[demo], at=now, note="demo scheduled at acceptance")
    elif handoff.decision == "rejected":
        _handoff_clock(handoff, Kind.FEEDBACK_CALL, now)


def handoff_demo_scheduled(*, handoff: Handoff, now: dt.datetime) -> None:
    clocks_stop(clocks=_running(SlaClock.objects.filter(handoff=handoff, kind=Kind.DEMO_SCHEDULING)), at=now,
                note="demo scheduled")


def feedback_call_done(*, handoff: Handoff, now: dt.datetime) -> None:
    clocks_stop(clocks=_running(SlaClock.objects.filter(handoff=handoff, kind=Kind.FEEDBACK_CALL)), at=now,
                note="feedback call held")


# --- breach detection -----------------------------------------------------------


def _announce_breach(*, clock: SlaClock, now: dt.datetime) -> None:
    """Breach alerts to the owner and their manager (marketing ops for marketing's clocks) and `sla.breached`."""
    lead = clock.lead
    owner = clock.owner
    if owner is not None:
        users = [owner, *selectors.manager_of(owner)]
    elif clock.kind in MARKETING_KINDS:
        users = list(selectors.active_members("marketing_ops")) + list(selectors.active_members("manager"))
    else:
        # An unassigned sales commitment: the managers must see it.
        users = list(selectors.active_members("manager"))
    users = list({u.pk: u for u in users}.values())
    notify(key=f"breach:{clock.pk}", message=messages.breach_alert(clock=clock, lead=lead, owner=owner), users=users,
           now=now)
    webhook_emit(event="sla.breached", key=f"sla.breached:{clock.pk}", now=now, data={
        "clock": {"id": clock.pk, "kind": clock.kind, "started_at": clock.started_at, "due_at": clock.due_at,
                  "owner": owner.get_username() if owner else None},
        "lead": _lead_payload(lead),
    })


def clock_breach(*, clock_id: int, now: dt.datetime) -> bool:
    """Record one due clock as breached, if it still is running and due (claimed by a conditional update)."""
    with transaction.atomic():
        clock = SlaClock.objects.select_related("lead", "owner").filter(pk=clock_id).first()
        if clock is None or clock.state != State.RUNNING or clock.due_at > now:
            return False
        if clock.kind == Kind.DATA_COMPLETE and not missing_data(clock.lead):
            # Marketing completed the package since MQL; its last update is when (no hook tells us sooner).
            done_at = min(clock.lead.updated_at or now, now)
            clocks_stop(clocks=[clock], at=done_at, note="completed")
            return False
        claimed = SlaClock.objects.filter(pk=clock_id, state=State.RUNNING, due_at__lte=now).update(
            state=State.BREACHED, breached_at=clock.due_at, warn_at=None
        )
        if claimed != 1:
            return False
        clock.state, clock.breached_at = State.BREACHED, clock.due_at
        ClockTransition.objects.create(clock=clock, at=now, from_state=State.RUNNING, to_state=State.BREACHED,
                                       due_at=clock.due_at, note="breached")
        _announce_breach(clock=clock, now=now)
        return True


def clock_warn(*, clock_id: int, now: dt.datetime) -> bool:
    """Warn a running clock's owner shortly before the breach (Grade A/B first attempt)."""
    with transaction.atomic():
        claimed = SlaClock.objects.filter(pk=clock_id, state=State.RUNNING, warn_at__lte=now).update(warn_at=None)
        if claimed != 1:
            return False
        clock = SlaClock.objects.select_related("lead", "owner").get(pk=clock_id)
        if clock.owner is None:
            return False
        clock.warn_at = now
        notify(key=f"warn:{clock.pk}:{_stamp(clock.due_at)}", message=messages.breach_warning(clock=clock,
               lead=clock.lead), users=[clock.owner], now=now)
        return True


def clocks_sweep(*, now: dt.datetime, batch: int = 500) -> dict[str, int]:
    """One pass of the beat sweep: warnings then breaches due by `now`, oldest first, one transaction each.

    One bad row is logged and skipped; it never stops the sweep.
    """
    counts = {"warned": 0, "breached": 0}
    warn_ids = list(
        SlaClock.objects.filter(state=State.RUNNING, warn_at__lte=now).order_by("warn_at").values_list("pk", flat=True)[
            :batch
        ]
    )
    for pk in warn_ids:
        try:
            counts["warned"] += clock_warn(clock_id=pk, now=now)
        except Exception:
            log.exception("warning for clock %s failed", pk)
    due_ids = list(
        SlaClock.objects.filter(state=State.RUNNING, due_at__lte=now).order_by("due_at").values_list("pk", flat=True)[
            :batch
        ]
    )
    for pk in due_ids:
        try:
            counts["breached"] += clock_breach(clock_id=pk, now=now)
        except Exception:
            log.exception("breach of clock %s failed", pk)
    return counts
