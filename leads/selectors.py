"""Reads for leads: the API list, the SDR queue, the lead page and the AE inbox.

Every page reads in a fixed number of queries whatever its size: one query for
the page of rows, then one per related list for the whole page (never per row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.access import AnyUser, handoffs_visible_to, leads_visible_to
from accounts.models import Role
from sla import selectors as sla_selectors
from sla.models import SlaClock

from .models import Attempt, Campaign, Disposition, Event, Handoff, Lead, Qualification, Stage, StageChange

# The main queue holds leads an SDR still owes work on; SQLs and beyond are the AE's.
QUEUE_STAGES = (Stage.MQL, Stage.SAL)
# Clocks another team works against never order the SDR's queue.
NOT_SDR_CLOCKS = (
    SlaClock.Kind.AE_REVIEW,
    SlaClock.Kind.AE_DECISION,
    SlaClock.Kind.DEMO_SCHEDULING,
    SlaClock.Kind.DATA_COMPLETE,
    SlaClock.Kind.QUALITY_RESPONSE,
)
TAB_WORK = "work"
TAB_PERIODIC = "periodic"


def lead_list_queryset() -> QuerySet[Lead]:
    """Leads with what the S30 body needs loaded in a fixed number of queries."""
    return Lead.objects.select_related("owner").prefetch_related("sla_clocks")


# --- the SDR queue (SPEC S4, S5, S15) ------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the SDR narrowed the queue to; empty strings mean "any"."""

    tab: str = TAB_WORK
    grade: str = ""
    stage: str = ""
    source: str = ""  # campaign id, or "none" for leads without a campaign
    q: str = ""
    owner: str = ""  # an SDR's user id, or "none" for unassigned leads (managers only)


@dataclass
class QueueRow:
    lead: Lead
    due_at: dt.datetime | None
    clock: SlaClock | None
    overdue: bool
    next_step: dict[str, Any] | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    counts: dict[str, int]
    page: int
    pages: int
    returned: list[Handoff] = field(default_factory=list)


def open_clocks_q() -> Q:
    """Clocks whose commitment is still owed: running, or breached by the sweeper and not yet fulfilled.

    The breach sweep moves an overdue clock to "breached" while the work is still
    undone (stopped_at stays empty); such a lead is the most urgent of all, so it
    must keep its place at the top of the queue.
    """
    return Q(state=SlaClock.State.RUNNING) | Q(state=SlaClock.State.BREACHED, stopped_at__isnull=True)


def _sdr_open_clocks() -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(open_clocks_q()).exclude(kind__in=NOT_SDR_CLOCKS)


def _queue_base(user: AnyUser, tab: str) -> QuerySet[Lead]:
    base = Lead.objects.filter(merged_into__isnull=True)
    if tab == TAB_PERIODIC:
        # Grade C periodic checks (S5) stay at stage "lead": they are not MQLs.
        base = base.filter(stage=Stage.LEAD, queue_entered_at__isnull=False)
    else:
        base = base.filter(stage__in=QUEUE_STAGES)
    return leads_visible_to(user, base)


def queue_queryset(*, user: AnyUser, filters: QueueFilters) -> QuerySet[Lead]:
    """The user's queue leads, most urgent first.

    Urgency is the earliest due time among the lead's open SDR clocks (see `open_clocks_q`). Sorting
    ascending on it puts overdue leads first (their due time is in the past, the
    most overdue at the very top), then the rest by due time; leads with no
    running clock come last, oldest first.
    """
    qs = _queue_base(user, filters.tab)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.source == "none":
        qs = qs.filter(Q(source__isnull=True) | Q(source__campaign__isnull=True))
    elif filters.source.isdigit():
        qs = qs.filter(source__campaign_id=int(filters.source))
    # Only managers see other SDRs' leads, so for an SDR this narrows nothing they could not see.
    if filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        qs = qs.filter(owner_id=int(filters.owner))
    for term in filters.q.split()[:5]:
        qs = qs.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(company__icontains=term)
        )
    next_due = _sdr_open_clocks().filter(lead=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    return qs.annotate(next_due=Subquery(next_due)).order_by(F("next_due").asc(nulls_last=True), "created_at", "pk")


def queue_page(
    *, user: AnyUser, filters: QueueFilters, now: dt.datetime, page: int = 1, per_page: int = 50
) -> QueuePage:
    """One page of the queue with everything its rows show, in a bounded number of queries."""
    qs = queue_queryset(user=user, filters=filters)
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    leads = list(qs.select_related("source__campaign", "owner")[(page - 1) * per_page : page * per_page])
    ids = [lead.pk for lead in leads]
    earliest: dict[int, SlaClock] = {}
    for clock in _sdr_open_clocks().filter(lead_id__in=ids).order_by("due_at", "pk"):
        earliest.setdefault(clock.lead_id, clock)
    steps = sla_selectors.next_steps(leads, now) if leads else {}
    rows = [
        QueueRow(
            lead=lead,
            due_at=lead.next_due,  # type: ignore[attr-defined]
            clock=earliest.get(lead.pk),
            overdue=lead.next_due is not None and lead.next_due < now,  # type: ignore[attr-defined]
            next_step=steps.get(lead.pk),
        )
        for lead in leads
    ]
    unfiltered = not (filters.grade or filters.stage or filters.source or filters.q)
    counts = {
        tab: total if (unfiltered and tab == filters.tab) else _queue_base(user, tab).count()
        for tab in (TAB_WORK, TAB_PERIODIC)
    }
    returned = list(
        handoffs_visible_to(user, Handoff.objects.all())
        .filter(decision=Handoff.Decision.REJECTED, feedback_call_done_at__isnull=True)
        .select_related("lead", "ae")
        .order_by("feedback_call_due_at")[:20]
    )
    return QueuePage(rows=rows, total=total, counts=counts, page=page, pages=pages, returned=returned)


def queue_campaigns() -> list[Campaign]:
    """Campaigns for the source filter."""
    return list(Campaign.objects.order_by("name").only("pk", "name"))


def queue_sdrs() -> list[Any]:
    """SDRs for the manager's owner filter."""
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.SDR)
        .order_by("first_name", "username")
        .only("pk", "username", "first_name", "last_name")
    )


# --- the lead page (SPEC S12, S13, S16, S17) -------------------------------------


@dataclass
class LeadPage:
    lead: Lead
    events: list[Event]
    attempts: list[Attempt]
    history: list[StageChange]
    clocks: list[SlaClock]
    dispositions: list[Disposition]
    handoffs: list[Handoff]
    flags: list[Any]
    qualification: Qualification | None
    trigger: str
    first_contact_due: dt.datetime | None
    score_rules: list[dict[str, Any]]


def lead_page_queryset() -> QuerySet[Lead]:
    return Lead.objects.select_related("owner", "source__campaign", "merged_into")


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def lead_page(*, lead: Lead, now: dt.datetime) -> LeadPage:
    """Everything the lead page shows, one query per list."""
    events = list(lead.events.select_related("source__campaign").order_by("-occurred_at", "-pk")[:100])
    attempts = list(lead.attempts.select_related("sdr").order_by("-at", "-pk"))
    history = list(lead.stage_changes.select_related("actor_user", "actor_api_key").order_by("-at", "-pk"))
    clocks = list(lead.sla_clocks.select_related("owner", "handoff").order_by("due_at", "pk"))
    dispositions = list(lead.dispositions.select_related("by").order_by("-at", "-pk"))
    handoffs = list(lead.handoffs.select_related("ae", "sdr", "duplicate_of").order_by("-created_at"))
    flags = list(lead.quality_flags.select_related("by").order_by("-at"))
    qualification = Qualification.objects.filter(lead=lead).first()
    # The trigger is the engagement that brought the lead over the line: the last
    # event up to its MQL (or queue entry) moment, else the latest one.
    moment = lead.mql_at or lead.queue_entered_at
    before = (e for e in events if moment is None or e.occurred_at <= moment)
    trigger_event = next(before, events[0] if events else None)
    first_due = next((c.due_at for c in clocks if c.kind == SlaClock.Kind.FIRST_ATTEMPT), None)
    if first_due is None and (lead.mql_at or lead.queue_entered_at):
        target = sla_selectors.first_attempt_target(lead.grade)
        if target is not None:
            first_due = (lead.mql_at or lead.queue_entered_at) + target  # type: ignore[operator]
    rules = []
    for item in lead.score_breakdown or []:
        if not isinstance(item, dict):
            continue
        rules.append({**item, "expires": _parse_time(item.get("expires_at"))})
    rules.sort(key=lambda r: (r.get("kind") != "fit", -(r.get("points") or 0)))
    return LeadPage(
        lead=lead,
        events=events,
        attempts=attempts,
        history=history,
        clocks=clocks,
        dispositions=dispositions,
        handoffs=handoffs,
        flags=flags,
        qualification=qualification,
        trigger=trigger_event.get_type_display() if trigger_event else "",
        first_contact_due=first_due,
        score_rules=rules,
    )


# --- the AE inbox (SPEC S17) -----------------------------------------------------

INBOX_PENDING = "pending"
INBOX_ACCEPTED = "accepted"
INBOX_REJECTED = "rejected"


def inbox_queryset(*, user: AnyUser, tab: str) -> QuerySet[Handoff]:
    """The user's handoffs in a tab, the clocks they run against prefetched.

    Pending handoffs come oldest first (the review clock runs from creation).
    """
    qs = handoffs_visible_to(user, Handoff.objects.all()).select_related(
        "lead__source__campaign", "sdr", "ae", "lead__opportunity"
    )
    clocks = Prefetch("clocks", queryset=SlaClock.objects.order_by("due_at"), to_attr="clock_list")
    if tab == INBOX_ACCEPTED:
        return qs.filter(decision=Handoff.Decision.ACCEPTED).prefetch_related(clocks).order_by("-decided_at")
    if tab == INBOX_REJECTED:
        return qs.filter(decision=Handoff.Decision.REJECTED).prefetch_related(clocks).order_by("-decided_at")
    return qs.filter(decision=Handoff.Decision.PENDING).prefetch_related(clocks).order_by("created_at")


def inbox_counts(*, user: AnyUser) -> dict[str, int]:
    qs = handoffs_visible_to(user, Handoff.objects.all())
    counts = {INBOX_PENDING: 0, INBOX_ACCEPTED: 0, INBOX_REJECTED: 0}
    for row in qs.order_by().values("decision").annotate(n=Count("pk")):
        counts[row["decision"]] = row["n"]
    return counts


def handoff_queryset() -> QuerySet[Handoff]:
    return Handoff.objects.select_related("lead__source__campaign", "lead__owner", "sdr", "ae", "duplicate_of")


def duplicate_candidates(*, handoff: Handoff, limit: int = 10) -> list[Lead]:
    """Existing records this handoff's lead may duplicate: same company or same email domain."""
    lead = handoff.lead
    cond = Q(pk__in=[])
    if lead.company.strip():
        cond |= Q(company__iexact=lead.company.strip())
    domain = lead.email.rpartition("@")[2]
    if domain:
        cond |= Q(email__iendswith="@" + domain)
    return list(
        Lead.objects.filter(cond, merged_into__isnull=True)
        .exclude(pk=lead.pk)
        .select_related("owner")
        .order_by("-updated_at")[:limit]
    )
