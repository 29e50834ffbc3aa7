"""Scorecard metrics (SPEC S23), one function per metric, each one aggregate query.

Every function takes a `Period` (a half-open [start, end) interval) and answers
with plain numbers; `None` means there is nothing to measure (no MQLs, no
decided handoffs...), never 0. No function loops over leads in Python: the
database counts, sums and averages. `DEFINITIONS` holds the sentence each page
shows next to its metric, so what is computed and what is said stay together.

Cohorts: rates about MQLs (acceptance, Grade A share, follow-up, MQL→SQL,
speed-to-lead) are about the MQLs *of the week* (mql_at in the week), followed
to today. Counts of events (SQLs created, handoffs decided, pipeline opened)
are about what happened *in the week*. Merged duplicates (S6) never count.

Indexes: every lead-table filter here is served by an index — the MQL cohort
by the partial `lead_mql_at_idx`, new leads by `created_at`, and SQLs,
opportunities and discovery calls by the partial indexes on sql_at,
opportunity_at and discovery_call_at (mostly-null columns, so the indexes stay
small). The smaller tables (handoffs by decided_at, opportunities by opened_at,
attempts, SLA clocks by due_at) are scanned once each; `manage.py
bench_scorecard` over 100k leads keeps the whole scorecard well under 1 s.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum

from accounts.models import Role
from leads.models import Attempt, Handoff, Lead, Opportunity
from sla.models import SlaClock, SlaPolicy
from sla.selectors import DEFAULT_POLICIES

from .periods import Period

DEFINITIONS: dict[str, str] = {
    "mqls_generated": "Leads that became MQL during the week (merged duplicates excluded).",
    "mql_acceptance_rate": "MQL quality: share of the week's MQLs that have reached SAL (accepted by an SDR).",
    "pipeline_sourced": "Opportunity value (₹ lakh) opened during the week from leads that were MQLs.",
    "grade_a_share": "Share of the week's MQLs that were Grade A (Hot) when they became MQL.",
    "data_quality": "Share of the week's new leads with name, title, email, phone, company and source all filled.",
    "speed_to_lead_avg_min": "Average minutes from MQL to first logged attempt, over the week's attempted MQLs "
    "(median and p90 by nearest rank).",
    "follow_up_compliance": "Share of the week's MQLs first attempted within their grade's first-attempt SLA "
    "(exactly at the target counts as met); MQLs whose deadline has not yet passed are left out.",
    "sqls_created": "Leads that became SQL during the week; shown with the week's MQL count.",
    "mql_to_sql_rate": "Share of the week's MQLs that have become SQL.",
    "sql_rejection_rate": "Handoffs rejected ÷ handoffs decided (accepted or rejected) during the week. "
    "Healthy <20%, concern 20–30%, critical >30%.",
    "new_pipeline": "Value (₹ lakh) of all opportunities opened during the week.",
    "marketing_sourced_pipeline": "Value (₹ lakh) of the week's new opportunities whose lead came from a marketing "
    "campaign, and its share of new pipeline.",
    "velocity_days": "Average days from MQL to opportunity for opportunities opened during the week.",
    "marketing_sla_compliance": "Share of the marketing criteria met: MQL volume ≥90% of target, acceptance ≥40%, "
    "data quality ≥95%.",
    "sales_sla_compliance": "Share of the sales criteria met: speed-to-lead within target for ≥90% of MQLs, every "
    "MQL dispositioned within 7 days, SQL rejection <20%, SDR activity ≥90% of target.",
    "disposition_compliance": "Share of the week's MQLs dispositioned within 7 days of MQL (MQLs still inside "
    "their 7 days are left out).",
    "sla_failure_rate": "Share of SLA clocks due during the week that were breached (of met + breached).",
    "sdr_activity": "Team calls (phone attempts), conversations (connected attempts), discovery calls and SQLs "
    "in the week against the per-SDR weekly targets × active SDRs.",
}


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def week_mqls(period: Period) -> QuerySet[Lead]:
    """The period's MQL cohort. Served by the partial index lead_mql_at_idx."""
    return Lead.objects.filter(_in(period, "mql_at"), merged_into__isnull=True)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


_DELAY = ExpressionWrapper(F("first_attempt_at") - F("mql_at"), output_field=DurationField())


def _minutes(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 60


# --- Marketing performance --------------------------------------------------


def mqls_generated(period: Period) -> int:
    return week_mqls(period).count()


def mql_acceptance_rate(period: Period) -> float | None:
    agg = week_mqls(period).aggregate(n=Count("pk"), sal=Count("pk", filter=Q(sal_at__isnull=False)))
    return _rate(agg["sal"], agg["n"])


def pipeline_sourced(period: Period) -> Decimal:
    total = Opportunity.objects.filter(
        _in(period, "opened_at"), lead__mql_at__isnull=False, lead__merged_into__isnull=True
    ).aggregate(v=Sum("amount_lakh"))["v"]
    return total or Decimal("0")


def grade_a_share(period: Period) -> float | None:
    agg = week_mqls(period).aggregate(n=Count("pk"), a=Count("pk", filter=Q(mql_grade="A")))
    return _rate(agg["a"], agg["n"])


COMPLETE_RECORD = (
    ~Q(first_name="") & ~Q(title="") & ~Q(email="") & ~Q(phone="") & ~Q(company="") & Q(source__isnull=False)
)


def data_quality(period: Period) -> float | None:
    agg = Lead.objects.filter(_in(period, "created_at"), merged_into__isnull=True).aggregate(
        n=Count("pk"), ok=Count("pk", filter=COMPLETE_RECORD)
    )
    return _rate(agg["ok"], agg["n"])


# --- Sales performance ------------------------------------------------------


@dataclass(frozen=True)
class SpeedToLead:
    attempted: int
    avg_min: float | None
    median_min: float | None
    p90_min: float | None


def speed_to_lead(period: Period) -> SpeedToLead:
    """Average, median and p90 minutes from MQL to first attempt (three small queries:
    the aggregate, then the two nearest-rank values read through the mql_at index)."""
    qs = week_mqls(period).filter(first_attempt_at__isnull=False)
    agg = qs.aggregate(n=Count("pk"), avg=Avg(_DELAY))
    n = agg["n"]
    if not n:
        return SpeedToLead(0, None, None, None)
    ordered = qs.annotate(delay=_DELAY).order_by("delay").values_list("delay", flat=True)

    def rank(p: float) -> float | None:
        return _minutes(ordered[max(1, math.ceil(p * n)) - 1])

    return SpeedToLead(n, _minutes(agg["avg"]), rank(0.5), rank(0.9))


def first_attempt_targets() -> dict[str, dt.timedelta]:
    """Each grade's first-attempt target from the admin-editable policies, in one query (the
    framework's defaults where a row is missing). The grade that counts is the one the lead had
    when it became MQL (`mql_grade`), so later decay does not move the target."""
    found = dict(SlaPolicy.objects.values_list("grade", "first_attempt"))
    out = {g: found.get(g) or DEFAULT_POLICIES[g][0] for g in ("A", "B", "C")}
    out["D"] = out["C"]
    return out


def follow_up_compliance(period: Period, now: dt.datetime) -> float | None:
    met, due = Q(pk__in=[]), Q(first_attempt_at__isnull=False)
    for grade, target in first_attempt_targets().items():
        met |= Q(mql_grade=grade, first_attempt_at__lte=F("mql_at") + target)
        due |= Q(mql_grade=grade, mql_at__lte=now - target)
    agg = week_mqls(period).filter(due).aggregate(n=Count("pk"), ok=Count("pk", filter=met))
    return _rate(agg["ok"], agg["n"])


def sqls_created(period: Period) -> int:
    return Lead.objects.filter(_in(period, "sql_at"), merged_into__isnull=True).count()


def mql_to_sql_rate(period: Period) -> float | None:
    agg = week_mqls(period).aggregate(n=Count("pk"), sql=Count("pk", filter=Q(sql_at__isnull=False)))
    return _rate(agg["sql"], agg["n"])


@dataclass(frozen=True)
class Rejections:
    decided: int
    rejected: int

    @property
    def rate(self) -> float | None:
        return _rate(self.rejected, self.decided)


def sql_rejections(period: Period) -> Rejections:
    agg = Handoff.objects.filter(
        _in(period, "decided_at"), decision__in=[Handoff.Decision.ACCEPTED, Handoff.Decision.REJECTED]
    ).aggregate(n=Count("pk"), rejected=Count("pk", filter=Q(decision=Handoff.Decision.REJECTED)))
    return Rejections(agg["n"], agg["rejected"])


def disposition_compliance(period: Period, now: dt.datetime, days: int = 7) -> float | None:
    window = dt.timedelta(days=days)
    agg = (
        week_mqls(period)
        .filter(Q(dispositioned_at__isnull=False) | Q(mql_at__lte=now - window))
        .aggregate(n=Count("pk"), ok=Count("pk", filter=Q(dispositioned_at__lte=F("mql_at") + window)))
    )
    return _rate(agg["ok"], agg["n"])


def sla_failure_rate(period: Period) -> float | None:
    agg = SlaClock.objects.filter(
        _in(period, "due_at"), state__in=[SlaClock.State.MET, SlaClock.State.BREACHED]
    ).aggregate(n=Count("pk"), bad=Count("pk", filter=Q(state=SlaClock.State.BREACHED)))
    return _rate(agg["bad"], agg["n"])


@dataclass(frozen=True)
class Activity:
    sdrs: int
    calls: int
    conversations: int
    discovery_calls: int
    sqls: int


def sdr_activity(period: Period) -> Activity:
    """The team's activity in the period (three aggregate queries)."""
    sdrs = get_user_model().objects.filter(groups__name=Role.SDR, is_active=True).count()
    att = Attempt.objects.filter(_in(period, "at")).aggregate(
        calls=Count("pk", filter=Q(channel=Attempt.Channel.PHONE)),
        conv=Count("pk", filter=Q(outcome=Attempt.Outcome.CONNECTED)),
    )
    # The OR of two ranges lets Postgres combine the two partial indexes instead of scanning leads.
    disc, sql = _in(period, "discovery_call_at"), _in(period, "sql_at")
    leads = Lead.objects.filter(disc | sql, merged_into__isnull=True).aggregate(
        disc=Count("pk", filter=disc), sqls=Count("pk", filter=sql)
    )
    return Activity(sdrs, att["calls"], att["conv"], leads["disc"], leads["sqls"])


# --- Pipeline health --------------------------------------------------------


def new_pipeline(period: Period) -> Decimal:
    total = Opportunity.objects.filter(_in(period, "opened_at"), lead__merged_into__isnull=True).aggregate(
        v=Sum("amount_lakh")
    )["v"]
    return total or Decimal("0")


def marketing_sourced_pipeline(period: Period) -> Decimal:
    total = Opportunity.objects.filter(
        _in(period, "opened_at"), lead__merged_into__isnull=True, lead__source__campaign__isnull=False
    ).aggregate(v=Sum("amount_lakh"))["v"]
    return total or Decimal("0")


def velocity_days(period: Period) -> float | None:
    avg = Lead.objects.filter(_in(period, "opportunity_at"), mql_at__isnull=False, merged_into__isnull=True).aggregate(
        v=Avg(ExpressionWrapper(F("opportunity_at") - F("mql_at"), output_field=DurationField()))
    )["v"]
    return None if avg is None else avg.total_seconds() / 86400
