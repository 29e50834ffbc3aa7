"""The weekly scorecard (SPEC S23): actuals from `metrics`, targets from the
active SLA Agreement, a status per metric, the SLA criteria of each side and
the overall health.

Health (S23): GREEN when every measurable criterion is met; RED on a Level 3
condition (S19: SLA failure rate >50%, SLA compliance under the agreement's
floor for its number of weeks running — read from *stored* weekly results —,
or rejection rate above the critical band) or when either side meets under
half its criteria; YELLOW otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from . import metrics as m
from .messages import fmt_value
from .models import SlaAgreement, WeeklyResult
from .periods import Period

MET, MISSED, CONCERN, CRITICAL, INFO, NO_DATA = "met", "missed", "concern", "critical", "info", "no_data"
GREEN, YELLOW, RED = "GREEN", "YELLOW", "RED"


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str
    section: str
    unit: str  # count | rate | lakh | minutes | days
    actual: float | int | None
    target: float | int | None
    status: str
    note: str = ""

    @property
    def definition(self) -> str:
        return m.DEFINITIONS[self.key]

    def api(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "actual": self.actual,
            "target": self.target,
            "status": self.status,
        }


@dataclass(frozen=True)
class Criterion:
    key: str
    side: str  # marketing | sales
    label: str
    met: bool | None  # None: nothing to measure this week
    detail: str


@dataclass(frozen=True)
class Scorecard:
    week: Period
    health: str
    metrics: list[MetricRow]
    criteria: list[Criterion]
    level3: list[str] = field(default_factory=list)

    def metric(self, key: str) -> MetricRow:
        return next(row for row in self.metrics if row.key == key)

    def api(self) -> dict[str, Any]:
        """The public S29 body."""
        return {
            "week": self.week.label,
            "start": self.week.first_day.isoformat(),
            "end": self.week.last_day.isoformat(),
            "health": self.health,
            "metrics": [row.api() for row in self.metrics],
        }

    def stored(self) -> dict[str, Any]:
        """What a WeeklyResult keeps: the S29 body plus criteria and Level 3 conditions."""
        return {**self.api(), "criteria": [asdict(c) for c in self.criteria], "level3": self.level3}


def active_agreement() -> SlaAgreement:
    """The one active agreement; the framework's defaults (unsaved) if none is active."""
    found = SlaAgreement.objects.filter(is_active=True).first()
    if found is not None:
        return found
    today = dt.date.today()  # noqa: DTZ011 — placeholder dates on an unsaved default
    return SlaAgreement(
        effective_on=today, review_on=today, marketing_party="", sales_party="",
        pipeline_goal_quarter_lakh=Decimal("300"), mqls_per_month=100,
    )  # fmt: skip


def _r(value: float | Decimal | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _at_least(actual: float | None, target: float) -> str:
    return NO_DATA if actual is None else (MET if actual >= target else MISSED)


def _at_most(actual: float | None, target: float) -> str:
    return NO_DATA if actual is None else (MET if actual <= target else MISSED)


def rejection_band(rate: float | None, healthy_below: float, critical_above: float) -> str:
    """Framework bands: healthy <20%, concern 20–30% (both ends), critical >30%."""
    if rate is None:
        return NO_DATA
    if rate > critical_above:
        return CRITICAL
    return CONCERN if rate >= healthy_below else MET


def _pct(x: float | None) -> str:
    return fmt_value(x, "rate")


def compute(week: Period, *, now: dt.datetime, agreement: SlaAgreement | None = None) -> Scorecard:
    """Compute the week's scorecard: ~20 aggregate queries whatever the data size."""
    ag = agreement or active_agreement()
    f = float
    mql_target = f(ag.mqls_weekly)
    pipeline_target = f(ag.pipeline_goal_weekly_lakh)

    mqls = m.mqls_generated(week)
    acceptance = m.mql_acceptance_rate(week)
    sourced = m.pipeline_sourced(week)
    grade_a = m.grade_a_share(week)
    quality = m.data_quality(week)
    speed = m.speed_to_lead(week)
    follow_up = m.follow_up_compliance(week, now)
    sqls = m.sqls_created(week)
    to_sql = m.mql_to_sql_rate(week)
    rejections = m.sql_rejections(week)
    pipeline = m.new_pipeline(week)
    marketing_pipeline = m.marketing_sourced_pipeline(week)
    velocity = m.velocity_days(week)
    dispositions = m.disposition_compliance(week, now, ag.disposition_days)
    failure = m.sla_failure_rate(week)
    activity = m.sdr_activity(week)

    rej_rate = rejections.rate
    rej_status = rejection_band(rej_rate, f(ag.rejection_rate), f(ag.rejection_rate_critical))
    share = None if not pipeline else f(marketing_pipeline) / f(pipeline)
    volume_floor = f(ag.mql_volume_floor) * mql_target

    # --- SLA criteria (framework: Metric Definitions) ---
    floor = f(ag.activity_floor)
    act_targets = {
        "calls": ag.calls_weekly * activity.sdrs,
        "conversations": ag.conversations_weekly * activity.sdrs,
        "discovery_calls": ag.discovery_calls_weekly * activity.sdrs,
        "sqls": ag.sqls_weekly * activity.sdrs,
    }
    act_actual = {
        "calls": activity.calls,
        "conversations": activity.conversations,
        "discovery_calls": activity.discovery_calls,
        "sqls": activity.sqls,
    }
    activity_met = None if not activity.sdrs else all(act_actual[k] >= floor * act_targets[k] for k in act_targets)
    criteria = [
        Criterion("mql_volume", "marketing", "MQL volume ≥90% of target", mqls >= volume_floor,
                  f"{mqls} of {mql_target:.1f} (needs {volume_floor:.1f})"),
        Criterion("acceptance_rate", "marketing", "Acceptance rate ≥40%",
                  None if acceptance is None else acceptance >= f(ag.acceptance_rate), _pct(acceptance)),
        Criterion("data_quality", "marketing", "Data quality ≥95%",
                  None if quality is None else quality >= f(ag.data_quality), _pct(quality)),
        Criterion("speed_to_lead", "sales", "Speed-to-lead within target for ≥90% of MQLs",
                  None if follow_up is None else follow_up >= f(ag.follow_up_compliance), _pct(follow_up)),
        Criterion("disposition", "sales", f"All MQLs dispositioned within {ag.disposition_days} days",
                  None if dispositions is None else dispositions >= 1.0, _pct(dispositions)),
        Criterion("rejection_rate", "sales", "SQL rejection rate <20%",
                  None if rej_rate is None else rej_status == MET, _pct(rej_rate)),
        Criterion("activity", "sales", "SDR activity ≥90% of target", activity_met,
                  ", ".join(f"{k.replace('_', ' ')} {act_actual[k]}/{act_targets[k]}" for k in act_targets)),
    ]  # fmt: skip
    marketing = _compliance(criteria, "marketing")
    sales = _compliance(criteria, "sales")

    level3 = []
    if failure is not None and failure > 0.5:
        level3.append(f"SLA failure rate {_pct(failure)} is above 50%")
    if rej_status == CRITICAL:
        level3.append(f"SQL rejection rate {_pct(rej_rate)} is above {_pct(f(ag.rejection_rate_critical))}")
    level3 += _compliance_runs(week, ag, {"marketing": marketing, "sales": sales})

    measurable = [c.met for c in criteria if c.met is not None]
    if level3 or any(x is not None and x < 0.5 for x in (marketing, sales)):
        health = RED
    elif all(measurable):
        health = GREEN
    else:
        health = YELLOW

    rows = [
        MetricRow("mqls_generated", "MQLs generated", "Marketing performance", "count", mqls, _r(mql_target, 2),
                  MET if mqls >= volume_floor else MISSED),
        MetricRow("mql_acceptance_rate", "MQL quality (accepted)", "Marketing performance", "rate",
                  _r(acceptance, 4), _r(ag.acceptance_rate, 4), _at_least(acceptance, f(ag.acceptance_rate))),
        MetricRow("pipeline_sourced", "Pipeline sourced", "Marketing performance", "lakh", _r(sourced, 2),
                  _r(pipeline_target, 2), MET if f(sourced) >= pipeline_target else MISSED),
        MetricRow("grade_a_share", "Grade A MQLs", "Marketing performance", "rate", _r(grade_a, 4), None,
                  NO_DATA if grade_a is None else INFO),
        MetricRow("data_quality", "Data quality (complete records)", "Marketing performance", "rate",
                  _r(quality, 4), _r(ag.data_quality, 4), _at_least(quality, f(ag.data_quality))),
        MetricRow("speed_to_lead_avg_min", "Speed-to-lead (avg, minutes)", "Sales performance", "minutes",
                  _r(speed.avg_min, 1), ag.speed_to_lead_minutes, _at_most(speed.avg_min, ag.speed_to_lead_minutes),
                  note="" if not speed.attempted else
                  f"median {speed.median_min:.1f}, p90 {speed.p90_min:.1f} over {speed.attempted} MQLs"),
        MetricRow("follow_up_compliance", "Follow-up compliance (within SLA)", "Sales performance", "rate",
                  _r(follow_up, 4), _r(ag.follow_up_compliance, 4),
                  _at_least(follow_up, f(ag.follow_up_compliance))),
        MetricRow("sqls_created", "SQLs created", "Sales performance", "count", sqls, None, INFO,
                  note=f"from {mqls} MQLs"),
        MetricRow("mql_to_sql_rate", "MQL→SQL rate", "Sales performance", "rate", _r(to_sql, 4),
                  _r(ag.mql_to_sql_rate, 4), _at_least(to_sql, f(ag.mql_to_sql_rate))),
        MetricRow("sql_rejection_rate", "SQL rejection rate", "Sales performance", "rate", _r(rej_rate, 4),
                  _r(ag.rejection_rate, 4), rej_status,
                  note=f"{rejections.rejected} of {rejections.decided} decided handoffs"),
        MetricRow("new_pipeline", "New pipeline", "Pipeline health", "lakh", _r(pipeline, 2), None, INFO),
        MetricRow("marketing_sourced_pipeline", "Marketing-sourced pipeline", "Pipeline health", "lakh",
                  _r(marketing_pipeline, 2), _r(pipeline_target, 2),
                  MET if f(marketing_pipeline) >= pipeline_target else MISSED,
                  note="" if share is None else f"{share:.0%} of new pipeline"),
        MetricRow("velocity_days", "Velocity (avg days MQL → opportunity)", "Pipeline health", "days",
                  _r(velocity, 1), None, NO_DATA if velocity is None else INFO),
        MetricRow("marketing_sla_compliance", "Marketing SLA", "SLA compliance", "rate", _r(marketing, 4), 1.0,
                  NO_DATA if marketing is None else (MET if marketing >= 1.0 else MISSED)),
        MetricRow("sales_sla_compliance", "Sales SLA", "SLA compliance", "rate", _r(sales, 4), 1.0,
                  NO_DATA if sales is None else (MET if sales >= 1.0 else MISSED)),
    ]  # fmt: skip
    return Scorecard(week, health, rows, criteria, level3)


def _compliance(criteria: list[Criterion], side: str) -> float | None:
    measured = [c.met for c in criteria if c.side == side and c.met is not None]
    return None if not measured else sum(measured) / len(measured)


def _compliance_runs(week: Period, ag: SlaAgreement, now_values: dict[str, float | None]) -> list[str]:
    """Level 3 'compliance under the floor for N+ weeks', read from stored history (one query)."""
    weeks_needed = max(1, ag.escalation_weeks)
    floor = float(ag.escalation_compliance_floor)
    previous: list[Period] = []
    p = week
    for _ in range(weeks_needed - 1):
        p = p.previous()
        previous.append(p)
    stored = {r.week: r for r in WeeklyResult.objects.filter(week__in=[p.label for p in previous])}
    out = []
    for side, value in now_values.items():
        if value is None or value >= floor:
            continue
        run = True
        for p in previous:
            row = stored.get(p.label)
            past = row.metric(f"{side}_sla_compliance") if row else None
            if past is None or past["actual"] is None or past["actual"] >= floor:
                run = False
                break
        if run:
            out.append(f"{side.capitalize()} SLA compliance under {floor:.0%} for {weeks_needed}+ weeks")
    return out
