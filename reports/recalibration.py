"""The quarterly SLA recalibration review (framework: SLA Recalibration; SPEC S24).

`current_performance` is the template's target-vs-actual table for a quarter;
`rescore_quarter` models the impact of a draft scoring rule set by re-scoring
the quarter's leads under both the published and the draft rules with the pure
scoring engine, each at the quarter's end (or now, for the running quarter).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Avg, DurationField, ExpressionWrapper, F, Sum

from leads.models import Lead, Opportunity
from scoring import engine
from scoring.models import RuleSet
from scoring.selectors import PK, active_rules, compiled_rules_for, events_by_lead, facts_of, lead_rows

from . import metrics as m
from .models import SlaAgreement
from .periods import Period
from .scorecard import active_agreement, rejection_band


def _check(ok: bool | None) -> str:
    return "—" if ok is None else ("✓" if ok else "✗")


def current_performance(quarter: Period, *, now: dt.datetime, agreement: SlaAgreement | None = None) -> list[dict]:
    """Target vs actual for the quarter's SLA items (the recalibration template's first table)."""
    ag = agreement or active_agreement()
    mqls = m.mqls_generated(quarter)
    target_mqls = ag.mqls_per_month * 3
    acceptance = m.mql_acceptance_rate(quarter)
    grade_a = m.week_mqls(quarter).filter(grade="A", first_attempt_at__isnull=False).aggregate(
        v=Avg(ExpressionWrapper(F("first_attempt_at") - F("mql_at"), output_field=DurationField()))
    )["v"]
    speed_a = None if grade_a is None else round(grade_a.total_seconds() / 60, 1)
    to_sql = m.mql_to_sql_rate(quarter)
    rej = m.sql_rejections(quarter).rate
    pipeline = float(m.marketing_sourced_pipeline(quarter))

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.0%}"

    return [
        {"item": "MQL Volume", "target": target_mqls, "actual": mqls, "met": _check(mqls >= target_mqls)},
        {"item": "MQL Acceptance Rate", "target": pct(float(ag.acceptance_rate)), "actual": pct(acceptance),
         "met": _check(None if acceptance is None else acceptance >= float(ag.acceptance_rate))},
        {"item": "Speed-to-Lead (A)", "target": f"{ag.speed_to_lead_minutes} min",
         "actual": "—" if speed_a is None else f"{speed_a} min",
         "met": _check(None if speed_a is None else speed_a <= ag.speed_to_lead_minutes)},
        {"item": "SQL Rate", "target": pct(float(ag.mql_to_sql_rate)), "actual": pct(to_sql),
         "met": _check(None if to_sql is None else to_sql >= float(ag.mql_to_sql_rate))},
        {"item": "Rejection Rate", "target": f"<{pct(float(ag.rejection_rate))}", "actual": pct(rej),
         "met": _check(None if rej is None else
                       rejection_band(rej, float(ag.rejection_rate), float(ag.rejection_rate_critical)) == "met")},
        {"item": "Marketing-sourced pipeline", "target": f"₹{ag.pipeline_goal_quarter_lakh}L",
         "actual": f"₹{pipeline:,.2f}L", "met": _check(pipeline >= float(ag.pipeline_goal_quarter_lakh))},
    ]  # fmt: skip


@dataclass
class Impact:
    """What the draft would have changed for the quarter's leads."""

    rule_set: int
    at: str
    leads: int = 0
    grades_before: dict[str, int] = field(default_factory=dict)
    grades_after: dict[str, int] = field(default_factory=dict)
    changed_grade: int = 0
    mqls_before: int = 0
    mqls_after: int = 0
    newly_qualifying: int = 0
    no_longer_qualifying: int = 0
    pipeline_lakh: float = 0.0  # actual pipeline of the quarter's leads
    pipeline_at_risk_lakh: float = 0.0  # ... of leads that qualify now but would not under the draft
    pipeline_new_estimate_lakh: float = 0.0  # newly qualifying leads × the quarter's actual pipeline per MQL
    pipeline_impact: float | None = None  # (new estimate − at risk) ÷ actual pipeline

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def rescore_quarter(quarter: Period, rule_set: RuleSet, *, now: dt.datetime, batch_size: int = 2000) -> Impact:
    """Re-score the quarter's new leads under the published rules and under `rule_set`.

    Both sides are scored at the same moment (the quarter's end, or now) from the events known
    by then, so the difference is the rules alone. Streams leads in batches of `batch_size`.
    """
    at = min(now, quarter.end)
    before, after = active_rules(), compiled_rules_for(rule_set)
    since = at - max(before.longest_window, after.longest_window)
    at_us = engine.to_epoch_us(at)
    cohort = Lead.objects.filter(created_at__gte=quarter.start, created_at__lt=quarter.end, merged_into__isnull=True)
    amounts = {
        lead_id: float(amount or 0)
        for lead_id, amount in Opportunity.objects.filter(lead__in=cohort)
        .values("lead_id").annotate(v=Sum("amount_lakh")).values_list("lead_id", "v")
    }  # fmt: skip
    out = Impact(rule_set=rule_set.version, at=at.isoformat())
    g_before: Counter[str] = Counter()
    g_after: Counter[str] = Counter()
    last = 0
    while True:
        rows = list(lead_rows(cohort.filter(pk__gt=last).order_by("pk"))[:batch_size])
        if not rows:
            break
        last = rows[-1][PK]
        events = events_by_lead(lead_ids=[r[PK] for r in rows], since=since)
        for row in rows:
            # Only what was known at `at` (the events table also holds later events).
            evs = [e for e in events.get(row[PK], ()) if _us(e[1]) <= at_us]
            facts = facts_of(row)
            b = engine.score_lead(facts, evs, before, at)
            a = engine.score_lead(facts, evs, after, at)
            out.leads += 1
            g_before[b.grade] += 1
            g_after[a.grade] += 1
            out.changed_grade += a.grade != b.grade
            out.mqls_before += b.qualifies_mql
            out.mqls_after += a.qualifies_mql
            amount = amounts.get(row[PK], 0.0)
            out.pipeline_lakh += amount
            if b.qualifies_mql and not a.qualifies_mql:
                out.no_longer_qualifying += 1
                out.pipeline_at_risk_lakh += amount
            elif a.qualifies_mql and not b.qualifies_mql:
                out.newly_qualifying += 1
    real_mqls = m.mqls_generated(quarter)
    per_mql = out.pipeline_lakh / real_mqls if real_mqls else 0.0
    out.pipeline_new_estimate_lakh = round(out.newly_qualifying * per_mql, 2)
    out.pipeline_at_risk_lakh = round(out.pipeline_at_risk_lakh, 2)
    out.pipeline_lakh = round(out.pipeline_lakh, 2)
    if out.pipeline_lakh:
        delta = out.pipeline_new_estimate_lakh - out.pipeline_at_risk_lakh
        out.pipeline_impact = round(delta / out.pipeline_lakh, 4)
    out.grades_before = {g: g_before[g] for g in "ABCD"}
    out.grades_after = {g: g_after[g] for g in "ABCD"}
    return out


def _us(at: dt.datetime | int) -> int:
    return at if isinstance(at, int) else engine.to_epoch_us(at)
