"""Every report other than the scorecard (SPEC S24), as data.

Each report function takes a `Period` (and `now`) and returns a plain dict:
`{report, title, period, summary, tables: [{key, title, columns: [[key, label]], rows}], chart}`.
The page, the JSON endpoint and the CSV export all render that one dict, so the
three can never disagree. All numbers come from grouped aggregate queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import Role
from leads.models import Attempt, Grade, Handoff, Lead, Opportunity, QualityFlag
from sla.models import SlaClock

from . import metrics as m
from .models import SlaAgreement
from .periods import IST, Period, month_of, period_containing
from .scorecard import active_agreement

ZERO = Decimal("0")


def _period(p: Period) -> dict[str, str]:
    return {"kind": p.kind, "label": p.label, "start": p.first_day.isoformat(), "end": p.last_day.isoformat()}


def _table(key: str, title: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": key, "title": title, "columns": [list(c) for c in columns], "rows": rows}


def _num(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v


def _rate(a: int, b: int) -> float | None:
    return None if not b else round(a / b, 4)


def _in(p: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": p.start, f"{field}__lt": p.end})


def _alive() -> Any:
    return Lead.objects.filter(merged_into__isnull=True)


# --- Daily ------------------------------------------------------------------


def daily_report(day: Period, *, now: dt.datetime) -> dict[str, Any]:
    """New MQLs by grade, open MQLs past their first-attempt SLA, speed-to-lead violations."""
    by_grade = dict(
        m.week_mqls(day).values_list("grade").annotate(n=Count("pk")).order_by("grade").values_list("grade", "n")
    )
    past = SlaClock.objects.filter(
        kind=SlaClock.Kind.FIRST_ATTEMPT, state__in=[SlaClock.State.RUNNING, SlaClock.State.BREACHED],
        stopped_at__isnull=True, due_at__lt=min(now, day.end),
    ).select_related("lead", "owner").order_by("due_at")[:200]  # fmt: skip
    violations = SlaClock.objects.filter(
        _in(day, "due_at"), kind=SlaClock.Kind.FIRST_ATTEMPT, state=SlaClock.State.BREACHED
    ).select_related("lead", "owner")[:200]
    open_rows = [
        {"lead": c.lead.name or c.lead.email, "company": c.lead.company, "grade": c.lead.grade,
         "owner": str(c.owner or ""), "due_at": c.due_at.isoformat()}
        for c in past
    ]  # fmt: skip
    viol_rows = [
        {"lead": c.lead.name or c.lead.email, "grade": c.lead.grade, "owner": str(c.owner or ""),
         "due_at": c.due_at.isoformat(), "attempted_at": c.stopped_at.isoformat() if c.stopped_at else ""}
        for c in violations
    ]  # fmt: skip
    grades = [{"grade": g, "mqls": by_grade.get(g, 0)} for g in (Grade.A, Grade.B, Grade.C, Grade.D)]
    return {
        "report": "daily",
        "title": "Daily report",
        "period": _period(day),
        "summary": {
            "new_mqls_by_grade": {g["grade"]: g["mqls"] for g in grades if g["mqls"]},
            "open_past_sla": len(open_rows),
            "speed_violations": len(viol_rows),
        },
        "tables": [
            _table("new_mqls", "New MQLs by grade", [("grade", "Grade"), ("mqls", "MQLs")], grades),
            _table("open_past_sla", "Open MQLs past SLA",
                   [("lead", "Lead"), ("company", "Company"), ("grade", "Grade"), ("owner", "SDR"),
                    ("due_at", "Was due")], open_rows),
            _table("violations", "Speed-to-lead violations",
                   [("lead", "Lead"), ("grade", "Grade"), ("owner", "SDR"), ("due_at", "Due"),
                    ("attempted_at", "First attempt")], viol_rows),
        ],  # fmt: skip
        "chart": {"type": "bar", "labels": [g["grade"] for g in grades],
                  "datasets": [{"label": "New MQLs", "data": [g["mqls"] for g in grades]}]},  # fmt: skip
    }


# --- Weekly -----------------------------------------------------------------

FUNNEL = [("lead", "created_at"), ("mql", "mql_at"), ("sal", "sal_at"), ("sql", "sql_at"),
          ("opportunity", "opportunity_at"), ("customer", "customer_at")]  # fmt: skip


def funnel(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """How many leads reached each stage during the period, with step conversion (one query)."""
    agg = _alive().aggregate(**{stage: Count("pk", filter=_in(period, field)) for stage, field in FUNNEL})
    rows, prev = [], None
    for stage, _ in FUNNEL:
        rows.append({"stage": stage.upper(), "count": agg[stage],
                     "from_previous": None if prev is None else _rate(agg[stage], prev)})  # fmt: skip
        prev = agg[stage]
    return {
        "report": "funnel", "title": "Conversion funnel", "period": _period(period),
        "summary": {r["stage"]: r["count"] for r in rows},
        "tables": [_table("funnel", "Stage reached in the period",
                          [("stage", "Stage"), ("count", "Leads"), ("from_previous", "Of previous stage")], rows)],
        "chart": {"type": "bar", "horizontal": True, "labels": [r["stage"] for r in rows],
                  "datasets": [{"label": "Leads", "data": [r["count"] for r in rows]}]},
    }  # fmt: skip


def sla_compliance(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Clocks due in the period by kind: met, breached, compliance — and the scorecard's criteria."""
    from .scorecard import compute

    rows = list(
        SlaClock.objects.filter(_in(period, "due_at"))
        .values("kind")
        .annotate(
            met=Count("pk", filter=Q(state=SlaClock.State.MET)),
            breached=Count("pk", filter=Q(state=SlaClock.State.BREACHED)),
            running=Count("pk", filter=Q(state=SlaClock.State.RUNNING)),
        )
        .order_by("kind")
    )
    labels = dict(SlaClock.Kind.choices)
    for r in rows:
        r["sla"] = labels.get(r.pop("kind"), "")
        r["compliance"] = _rate(r["met"], r["met"] + r["breached"])
    card = compute(period, now=now) if period.kind == "week" else None
    tables = [_table("clocks", "SLA clocks due in the period",
                     [("sla", "SLA"), ("met", "Met"), ("breached", "Breached"), ("running", "Still running"),
                      ("compliance", "Compliance")], rows)]  # fmt: skip
    if card:
        tables.append(_table("criteria", "SLA criteria (framework)",
                             [("side", "Side"), ("label", "Criterion"), ("met", "Met"), ("detail", "Actual")],
                             [{"side": c.side, "label": c.label, "met": c.met, "detail": c.detail}
                              for c in card.criteria]))  # fmt: skip
    return {
        "report": "sla", "title": "SLA compliance summary", "period": _period(period),
        "summary": {"health": card.health if card else None,
                    "marketing": card.metric("marketing_sla_compliance").actual if card else None,
                    "sales": card.metric("sales_sla_compliance").actual if card else None},
        "tables": tables,
        "chart": {"type": "bar", "stacked": True, "labels": [r["sla"] for r in rows],
                  "datasets": [{"label": "Met", "data": [r["met"] for r in rows]},
                               {"label": "Breached", "data": [r["breached"] for r in rows]}]},
    }  # fmt: skip


def sdr_activity(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Per SDR: calls, conversations, discovery calls, SQLs and same-day MQL follow-up against
    the agreement's daily or weekly targets (daily for a day, weekly otherwise)."""
    ag: SlaAgreement = active_agreement()
    daily = period.kind == "day"
    targets = {
        "calls": ag.calls_daily if daily else ag.calls_weekly,
        "conversations": ag.conversations_daily if daily else ag.conversations_weekly,
        "discovery_calls": ag.discovery_calls_daily if daily else ag.discovery_calls_weekly,
        "sqls": ag.sqls_daily if daily else ag.sqls_weekly,
    }
    sdrs = list(get_user_model().objects.filter(groups__name=Role.SDR).order_by("username"))
    att = {
        r["sdr"]: r
        for r in Attempt.objects.filter(_in(period, "at"))
        .values("sdr")
        .annotate(
            calls=Count("pk", filter=Q(channel="phone")), conversations=Count("pk", filter=Q(outcome="connected"))
        )
    }
    # MQL follow-up: the share of the SDR's MQLs of the period attempted on the (IST) day they became
    # MQL (daily target), and attempted at all (weekly target: 100% of MQLs touched).
    lead_rows = {
        r["owner"]: r
        for r in _alive()
        .annotate(first_day=TruncDate("mql_at", tzinfo=IST))
        .values("owner")
        .annotate(
            discovery_calls=Count("pk", filter=_in(period, "discovery_call_at")),
            sqls=Count("pk", filter=_in(period, "sql_at")),
            mqls=Count("pk", filter=_in(period, "mql_at")),
            touched=Count("pk", filter=_in(period, "mql_at") & Q(first_attempt_at__isnull=False)),
            same_day=Count("pk", filter=_in(period, "mql_at") & Q(first_attempt_at__isnull=False)
                           & Q(first_day=TruncDate("first_attempt_at", tzinfo=IST))),
        )
    }
    rows = []
    for sdr in sdrs:
        a, lr = att.get(sdr.pk, {}), lead_rows.get(sdr.pk, {})
        row = {"sdr": sdr.get_full_name() or sdr.username,
               "calls": a.get("calls", 0), "conversations": a.get("conversations", 0),
               "discovery_calls": lr.get("discovery_calls", 0), "sqls": lr.get("sqls", 0),
               "mqls": lr.get("mqls", 0), "mqls_touched": _rate(lr.get("touched", 0), lr.get("mqls", 0)),
               "same_day_follow_up": _rate(lr.get("same_day", 0), lr.get("mqls", 0))}  # fmt: skip
        row["on_target"] = all(row[k] >= targets[k] for k in targets)
        rows.append(row)
    cols = [("sdr", "SDR")] + [(k, f"{k.replace('_', ' ').capitalize()} (target {t})") for k, t in targets.items()]
    cols += [("mqls", "MQLs"), ("same_day_follow_up", "Same-day MQL follow-up (target 100%)"),
             ("mqls_touched", "MQLs touched (target 100%)"), ("on_target", "On target")]
    return {
        "report": "sdr", "title": f"SDR activity ({'daily' if daily else 'weekly'} targets)", "period": _period(period),
        "summary": {"targets": targets, "sdrs": len(rows), "on_target": sum(r["on_target"] for r in rows)},
        "tables": [_table("sdrs", "Activity per SDR", cols, rows)],
        "chart": {"type": "bar", "labels": [r["sdr"] for r in rows],
                  "datasets": [{"label": k.replace("_", " "), "data": [r[k] for r in rows]} for k in targets]},
    }  # fmt: skip


# --- Monthly ----------------------------------------------------------------


def trends(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """The 12 months ending with `period`'s month: MQLs, SALs, SQLs, opportunities, customers,
    pipeline and won revenue per month (two grouped queries for the whole span)."""
    months = [month_of(period.first_day)]
    for _ in range(11):
        months.insert(0, months[0].previous())
    span = Period("month", "", months[0].first_day, months[-1].last_day)
    counts = _alive().aggregate(**{
        f"{stage}_{i}": Count("pk", filter=_in(mo, field))
        for i, mo in enumerate(months) for stage, field in FUNNEL[1:]
    })  # fmt: skip
    money = Opportunity.objects.filter(Q(_in(span, "opened_at")) | Q(_in(span, "closed_at"))).aggregate(**{
        f"pipe_{i}": Coalesce(Sum("amount_lakh", filter=_in(mo, "opened_at")), ZERO) for i, mo in enumerate(months)
    }, **{
        f"won_{i}": Coalesce(Sum("won_amount_lakh", filter=_in(mo, "closed_at") & Q(status="won")), ZERO)
        for i, mo in enumerate(months)
    })  # fmt: skip
    rows = []
    for i, mo in enumerate(months):
        row: dict[str, Any] = {"month": mo.label}
        row.update({stage: counts[f"{stage}_{i}"] for stage, _ in FUNNEL[1:]})
        row["pipeline_lakh"] = _num(money[f"pipe_{i}"])
        row["won_lakh"] = _num(money[f"won_{i}"])
        row["mql_to_sql"] = _rate(row["sql"], row["mql"])
        rows.append(row)
    cols = [("month", "Month"), ("mql", "MQLs"), ("sal", "SALs"), ("sql", "SQLs"), ("opportunity", "Opportunities"),
            ("customer", "Customers"), ("pipeline_lakh", "Pipeline ₹L"), ("won_lakh", "Won ₹L"),
            ("mql_to_sql", "MQL→SQL")]  # fmt: skip
    return {
        "report": "trends", "title": "Monthly trends (12 months)", "period": _period(period), "summary": {},
        "tables": [_table("months", "Per month", cols, rows)],
        "chart": {"type": "line", "labels": [r["month"] for r in rows],
                  "datasets": [{"label": "MQLs", "data": [r["mql"] for r in rows]},
                               {"label": "SQLs", "data": [r["sql"] for r in rows]},
                               {"label": "Opportunities", "data": [r["opportunity"] for r in rows]}]},
    }  # fmt: skip


def _by_campaign(period: Period) -> list[dict[str, Any]]:
    """MQLs, SQLs, customers, pipeline and won revenue per campaign in the period (two grouped queries)."""
    lead_rows = (
        _alive()
        .values(campaign=F("source__campaign__name"), channel=F("source__channel"))
        .annotate(
            leads=Count("pk", filter=_in(period, "created_at")),
            mqls=Count("pk", filter=_in(period, "mql_at")),
            sqls=Count("pk", filter=_in(period, "sql_at")),
            customers=Count("pk", filter=_in(period, "customer_at")),
        )
    )
    money = {
        (r["campaign"], r["channel"]): r
        for r in Opportunity.objects.filter(lead__merged_into__isnull=True)
        .values(campaign=F("lead__source__campaign__name"), channel=F("lead__source__channel"))
        .annotate(
            pipeline=Coalesce(Sum("amount_lakh", filter=_in(period, "opened_at")), ZERO),
            won=Coalesce(Sum("won_amount_lakh", filter=_in(period, "closed_at") & Q(status="won")), ZERO),
        )
    }
    rows = []
    for r in lead_rows:
        mo = money.get((r["campaign"], r["channel"]), {})
        rows.append({**r, "campaign": r["campaign"] or "(no campaign)", "channel": r["channel"] or "",
                     "pipeline_lakh": _num(mo.get("pipeline", ZERO)), "won_lakh": _num(mo.get("won", ZERO))})
    rows.sort(key=lambda r: (-r["pipeline_lakh"], r["campaign"], r["channel"]))
    return [r for r in rows if r["leads"] or r["mqls"] or r["sqls"] or r["customers"] or r["pipeline_lakh"]]


def attribution(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    rows = _by_campaign(period)
    cols = [("campaign", "Campaign"), ("channel", "Channel"), ("leads", "New leads"), ("mqls", "MQLs"),
            ("sqls", "SQLs"), ("customers", "Customers"), ("pipeline_lakh", "Pipeline ₹L"), ("won_lakh", "Won ₹L")]
    return {
        "report": "attribution", "title": "Source attribution", "period": _period(period), "summary": {},
        "tables": [_table("sources", "By campaign and channel", cols, rows)],
        "chart": {"type": "bar", "labels": [f"{r['campaign']} / {r['channel']}" for r in rows],
                  "datasets": [{"label": "Pipeline ₹L", "data": [r["pipeline_lakh"] for r in rows]}]},
    }  # fmt: skip


def campaign_roi(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Pipeline and won revenue of each campaign against its cost (campaign.cost_lakh)."""
    from leads.models import Campaign

    per: dict[str, dict[str, Any]] = {}
    for r in _by_campaign(period):
        acc = per.setdefault(r["campaign"], {"campaign": r["campaign"], "mqls": 0, "sqls": 0, "customers": 0,
                                             "pipeline_lakh": 0.0, "won_lakh": 0.0})  # fmt: skip
        for k in ("mqls", "sqls", "customers", "pipeline_lakh", "won_lakh"):
            acc[k] += r[k]
    costs = dict(Campaign.objects.values_list("name", "cost_lakh"))
    rows = []
    for name, acc in per.items():
        cost = float(costs.get(name, 0) or 0)
        acc["cost_lakh"] = cost
        acc["pipeline_per_cost"] = round(acc["pipeline_lakh"] / cost, 2) if cost else None
        acc["roi"] = round((acc["won_lakh"] - cost) / cost, 4) if cost else None
        rows.append(acc)
    cols = [("campaign", "Campaign"), ("cost_lakh", "Cost ₹L"), ("mqls", "MQLs"), ("sqls", "SQLs"),
            ("customers", "Customers"), ("pipeline_lakh", "Pipeline ₹L"), ("won_lakh", "Won ₹L"),
            ("pipeline_per_cost", "Pipeline per ₹ spent"), ("roi", "ROI (won − cost) ÷ cost")]  # fmt: skip
    return {
        "report": "roi", "title": "Campaign ROI", "period": _period(period), "summary": {},
        "tables": [_table("campaigns", "By campaign", cols, rows)],
        "chart": {"type": "bar", "labels": [r["campaign"] for r in rows],
                  "datasets": [{"label": "Cost ₹L", "data": [r["cost_lakh"] for r in rows]},
                               {"label": "Pipeline ₹L", "data": [r["pipeline_lakh"] for r in rows]},
                               {"label": "Won ₹L", "data": [r["won_lakh"] for r in rows]}]},
    }  # fmt: skip


# --- Feedback ---------------------------------------------------------------


FLAG_SECTIONS = {"content_gap": "Content requests", "objection": "Objection patterns",
                 "incorrect_data": "Incorrect data"}  # fmt: skip


def quality_feedback(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """The framework's weekly LEAD QUALITY FEEDBACK, pre-filled: campaigns converting well and
    poorly, missing information, content requests and objections from SDR flags, rejection reasons."""
    camps = _by_campaign(period)
    positive = [f"{r['campaign']} leads converting well: {r['sqls']} SQLs from {r['mqls']} MQLs"
                for r in camps if r["mqls"] and r["sqls"] / r["mqls"] >= 0.4]  # fmt: skip
    concerns = [f"{r['campaign']} generating low-quality leads: {r['sqls']} SQLs from {r['mqls']} MQLs"
                for r in camps if r["mqls"] >= 3 and r["sqls"] / r["mqls"] < 0.2]  # fmt: skip
    flags = list(
        QualityFlag.objects.filter(_in(period, "at")).values("kind", "note").annotate(n=Count("pk")).order_by("-n")[:60]
    )
    rejections = list(
        Handoff.objects.filter(_in(period, "decided_at"), decision=Handoff.Decision.REJECTED)
        .values("rejection_category").annotate(n=Count("pk")).order_by("-n")
    )  # fmt: skip
    incomplete = _alive().filter(_in(period, "created_at")).exclude(m.COMPLETE_RECORD).aggregate(
        phone=Count("pk", filter=Q(phone="")), title=Count("pk", filter=Q(title="")),
        source=Count("pk", filter=Q(source__isnull=True)), company=Count("pk", filter=Q(company="")),
    )  # fmt: skip
    cat = dict(Handoff.RejectionCategory.choices)
    rows = (
        [{"section": "Positive patterns", "item": t} for t in positive]
        + [{"section": "Concerns", "item": t} for t in concerns]
        + [{"section": "Concerns", "item": f"Missing information: {k} absent on {n} new leads"}
           for k, n in incomplete.items() if n]
        + [{"section": "Concerns", "item": f"AE rejections – {cat.get(r['rejection_category'], '?')}: {r['n']}"}
           for r in rejections]
        + [{"section": FLAG_SECTIONS[f["kind"]], "item": f"{f['note']} (×{f['n']})"} for f in flags
           if f["kind"] in FLAG_SECTIONS]
    )  # fmt: skip
    return {
        "report": "quality", "title": "Lead quality feedback (weekly summary)", "period": _period(period),
        "summary": {"positive": len(positive), "concerns": len(concerns)},
        "tables": [_table("feedback", "LEAD QUALITY FEEDBACK", [("section", "Section"), ("item", "Item")], rows)],
        "chart": None,
    }  # fmt: skip


def campaign_feedback(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    """The framework's CAMPAIGN FEEDBACK REPORT per campaign, pre-filled: total leads, qualified
    share, a 1–5 quality rating from the MQL→SQL rate, and objections heard on its leads."""
    rows = []
    per: dict[str, dict[str, Any]] = {}
    for r in _by_campaign(period):
        acc = per.setdefault(r["campaign"], {"campaign": r["campaign"], "leads": 0, "mqls": 0, "sqls": 0})
        for k in ("leads", "mqls", "sqls"):
            acc[k] += r[k]
    objections: dict[str, list[str]] = {}
    for name, note in (
        QualityFlag.objects.filter(_in(period, "at"), kind="objection")
        .values_list("lead__source__campaign__name", "note").distinct()[:200]
    ):  # fmt: skip
        objections.setdefault(name or "(no campaign)", []).append(note)
    for name, acc in per.items():
        qualified = _rate(acc["sqls"], acc["mqls"])
        rating = None if qualified is None else max(1, min(5, 1 + int(qualified * 10)))
        rows.append({**acc, "qualified": qualified, "quality_rating": rating,
                     "objections": "; ".join(objections.get(name, [])[:5])})  # fmt: skip
    cols = [("campaign", "Campaign"), ("leads", "Total leads"), ("mqls", "MQLs"), ("sqls", "SQLs"),
            ("qualified", "Qualified (SQL ÷ MQL)"), ("quality_rating", "Quality rating (1–5)"),
            ("objections", "Objections encountered")]  # fmt: skip
    return {
        "report": "campaigns", "title": "Campaign feedback report", "period": _period(period), "summary": {},
        "tables": [_table("campaigns", "CAMPAIGN FEEDBACK REPORT", cols, rows)], "chart": None,
    }  # fmt: skip


def escalations(period: Period, *, now: dt.datetime) -> dict[str, Any]:
    from .models import Escalation

    rows = list(
        Escalation.objects.order_by("-week", "-level")[:200].values(
            "week", "level", "key", "description", "evidence", "requested_action", "raised_at"
        )
    )
    for r in rows:
        r["raised_at"] = r["raised_at"].isoformat()
    cols = [("week", "Week"), ("level", "Level"), ("description", "Issue"), ("evidence", "Evidence"),
            ("requested_action", "Requested action"), ("raised_at", "Raised")]  # fmt: skip
    return {"report": "escalations", "title": "Escalations", "period": _period(period), "summary": {},
            "tables": [_table("escalations", "Escalation notices", cols, rows)], "chart": None}  # fmt: skip


# --- Meeting packs (framework: Meeting Cadence) -----------------------------------------------


def standup(day: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Daily stand-up: yesterday's hot (Grade A) leads and any lead of the day with an issue
    (first-attempt SLA breached, never attempted, or flagged by an SDR)."""
    breached = SlaClock.objects.filter(kind=SlaClock.Kind.FIRST_ATTEMPT, state=SlaClock.State.BREACHED)
    flagged = QualityFlag.objects.filter(_in(day, "at")).values("lead_id")
    leads = (
        _alive()
        .filter(Q(_in(day, "mql_at")) & (Q(grade="A") | Q(pk__in=breached.values("lead_id")) | Q(pk__in=flagged)))
        .select_related("owner", "source__campaign")
        .annotate(breaches=Count("sla_clocks", filter=Q(sla_clocks__state=SlaClock.State.BREACHED)),
                  flags=Count("quality_flags", distinct=True))
        .order_by("grade", "mql_at")[:300]
    )  # fmt: skip
    rows = []
    for lead in leads:
        issues = []
        if lead.first_attempt_at is None:
            issues.append("not attempted")
        if lead.breaches:
            issues.append(f"{lead.breaches} SLA breach(es)")
        if lead.flags:
            issues.append(f"{lead.flags} quality flag(s)")
        delay = None if lead.first_attempt_at is None else lead.first_attempt_at - lead.mql_at
        mins = None if delay is None else round(delay.total_seconds() / 60, 1)
        rows.append({"lead": lead.name or lead.email, "company": lead.company, "grade": lead.grade,
                     "source": str(lead.source or ""), "owner": str(lead.owner or ""), "stage": lead.stage,
                     "minutes_to_first_attempt": mins, "issues": ", ".join(issues)})  # fmt: skip
    cols = [("lead", "Lead"), ("company", "Company"), ("grade", "Grade"), ("source", "Source"), ("owner", "SDR"),
            ("stage", "Stage"), ("minutes_to_first_attempt", "Min to first attempt"), ("issues", "Issues")]
    return {"report": "standup", "title": "Daily stand-up", "period": _period(day),
            "summary": {"hot": sum(r["grade"] == "A" for r in rows),
                        "with_issues": sum(bool(r["issues"]) for r in rows)},
            "tables": [_table("leads", "Hot leads from yesterday and leads with issues", cols, rows)],
            "chart": None}  # fmt: skip


def weekly_alignment(week: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Weekly alignment agenda: 1. scorecard, 2. lead quality (converted, rejected with reasons,
    patterns), 3. campaign feedback, 4. next week's priorities (from the missed criteria)."""
    from .scorecard import compute

    card = compute(week, now=now)
    score_rows = [{"metric": r.label, "actual": r.actual, "target": r.target, "status": r.status} for r in card.metrics]
    converted = [
        {"lead": lead.name or lead.email, "company": lead.company, "source": str(lead.source or ""),
         "amount_lakh": _num(getattr(getattr(lead, "opportunity", None), "amount_lakh", None))}
        for lead in _alive().filter(_in(week, "opportunity_at")).select_related("source__campaign",
                                                                                 "opportunity")[:100]
    ]  # fmt: skip
    cat = dict(Handoff.RejectionCategory.choices)
    rejected = [
        {"lead": h.lead.name or h.lead.email, "company": h.lead.company, "category": cat.get(h.rejection_category, ""),
         "reason": h.rejection_reason, "recommendation": h.recommendation, "sdr": str(h.sdr or "")}
        for h in Handoff.objects.filter(_in(week, "decided_at"), decision="rejected").select_related("lead",
                                                                                                     "sdr")[:100]
    ]  # fmt: skip
    quality = quality_feedback(week, now=now)["tables"][0]
    priorities = [{"item": f"Fix: {c.label} ({c.detail})"} for c in card.criteria if c.met is False]
    return {
        "report": "weekly", "title": "Weekly alignment agenda", "period": _period(week),
        "summary": {"health": card.health, "level3": card.level3},
        "tables": [
            _table("scorecard", "1. Weekly scorecard (10 min)",
                   [("metric", "Metric"), ("actual", "Actual"), ("target", "Target"), ("status", "Status")],
                   score_rows),
            _table("converted", "2a. Which leads converted?",
                   [("lead", "Lead"), ("company", "Company"), ("source", "Source"), ("amount_lakh", "₹L")], converted),
            _table("rejected", "2b. Which leads were rejected? Why?",
                   [("lead", "Lead"), ("company", "Company"), ("category", "Category"), ("reason", "Reason"),
                    ("recommendation", "Recommendation"), ("sdr", "SDR")], rejected),
            {**quality, "title": "2c. Pattern observations"},
            {**campaign_feedback(week, now=now)["tables"][0], "key": "campaign_feedback",
             "title": "3. Campaign feedback (what resonated, objections)"},
            _table("priorities", "4. Next week priorities", [("item", "Item")], priorities),
        ],
        "chart": None,
    }  # fmt: skip


def _pack(key: str, title: str, period: Period, parts: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    tables = []
    for heading, data in parts:
        for t in data["tables"]:
            tables.append({**t, "title": f"{heading}: {t['title']}"})
    chart = next((d["chart"] for _, d in parts if d.get("chart")), None)
    return {"report": key, "title": title, "period": _period(period), "summary": {}, "tables": tables, "chart": chart}


def monthly_review(month: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Monthly review: metrics (trends), funnel, SLA performance, campaign effectiveness."""
    return _pack("monthly", "Monthly review", month, [
        ("1. Monthly metrics", trends(month, now=now)), ("2. Funnel", funnel(month, now=now)),
        ("3. SLA performance", sla_compliance(month, now=now)),
        ("4. Campaign effectiveness", campaign_roi(month, now=now)),
    ])  # fmt: skip


def quarterly_review(quarter: Period, *, now: dt.datetime) -> dict[str, Any]:
    """Quarterly business review: performance vs goals, attribution, SLA (recalibration input)."""
    from .recalibration import current_performance

    last_month = month_of(quarter.last_day)
    goals = {"tables": [_table("goals", "Target vs actual",
                               [("item", "SLA item"), ("target", "Target"), ("actual", "Actual"), ("met", "Status")],
                               current_performance(quarter, now=now))], "chart": None}  # fmt: skip
    return _pack("qbr", "Quarterly business review", quarter, [
        ("1. Performance vs goals", goals),
        ("1. Monthly trend", trends(last_month, now=now)), ("2. Attribution", attribution(quarter, now=now)),
        ("2. Campaign ROI", campaign_roi(quarter, now=now)),
        ("3. SLA recalibration input", sla_compliance(quarter, now=now)),
        ("3. Escalations", escalations(quarter, now=now)),
    ])  # fmt: skip


def _flat(value: Any) -> Any:
    return ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value


def recalibration(quarter: Period, *, now: dt.datetime) -> dict[str, Any]:
    """The recalibration review as data: target vs actual, proposed changes, modelled impact, decision."""
    from .models import RecalibrationReview
    from .recalibration import current_performance

    review = RecalibrationReview.objects.filter(quarter=quarter.label).first()
    impact = review.impact if review else {}
    decision = [] if review is None else [{
        "decision": review.get_decision_display(), "details": review.decision_details,
        "vp_sales": review.vp_sales_signed_by, "marketing_director": review.marketing_director_signed_by,
        "signed_on": review.vp_sales_signed_on.isoformat() if review.vp_sales_signed_on else "",
    }]  # fmt: skip
    return {
        "report": "recalibration", "title": "SLA recalibration review", "period": _period(quarter),
        "summary": {"impact": impact},
        "tables": [
            _table("performance", "Current SLA performance",
                   [("item", "SLA item"), ("target", "Target"), ("actual", "Actual"), ("met", "Status")],
                   current_performance(quarter, now=now)),
            _table("proposed", "Proposed changes",
                   [("item", "SLA item"), ("current", "Current"), ("proposed", "Proposed"), ("rationale", "Rationale")],
                   list(review.proposed_changes) if review else []),
            _table("impact", "Impact analysis", [("measure", "Measure"), ("value", "Value")],
                   [{"measure": k, "value": _flat(v)} for k, v in impact.items()]),
            _table("decision", "Decision",
                   [("decision", "Decision"), ("details", "Details"), ("vp_sales", "VP Sales"),
                    ("marketing_director", "Marketing Director"), ("signed_on", "Date")], decision),
        ],
        "chart": None,
    }  # fmt: skip


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    period_kind: str
    build: Callable[..., dict[str, Any]]


REPORTS: dict[str, ReportSpec] = {
    s.key: s
    for s in [
        ReportSpec("daily", "Daily report", "day", daily_report),
        ReportSpec("funnel", "Conversion funnel", "week", funnel),
        ReportSpec("sla", "SLA compliance summary", "week", sla_compliance),
        ReportSpec("sdr", "SDR activity (weekly)", "week", sdr_activity),
        ReportSpec("sdr-daily", "SDR activity (daily)", "day", sdr_activity),
        ReportSpec("quality", "Lead quality feedback", "week", quality_feedback),
        ReportSpec("trends", "Monthly trends", "month", trends),
        ReportSpec("attribution", "Source attribution", "month", attribution),
        ReportSpec("roi", "Campaign ROI", "month", campaign_roi),
        ReportSpec("campaigns", "Campaign feedback", "month", campaign_feedback),
        ReportSpec("escalations", "Escalations", "week", escalations),
        ReportSpec("standup", "Daily stand-up", "day", standup),
        ReportSpec("weekly", "Weekly alignment agenda", "week", weekly_alignment),
        ReportSpec("monthly", "Monthly review", "month", monthly_review),
        ReportSpec("qbr", "Quarterly business review", "quarter", quarterly_review),
        ReportSpec("recalibration", "Recalibration review", "quarter", recalibration),
    ]
}


def default_period(kind: str, now: dt.datetime) -> Period:
    """Weeks and days default to the last complete one; months to the current month."""
    if kind in ("month", "quarter"):
        return period_containing(kind, now)
    return period_containing(kind, now).previous()
