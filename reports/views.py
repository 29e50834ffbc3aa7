"""Report pages (managers only) and their CSV exports (SPEC S24, S25)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import can_read_reports

from . import scorecard as sc
from .messages import UNITS, fmt_value
from .models import SlaAgreement
from .periods import BadPeriod, Period, week_of
from .reports import REPORTS
from .selectors import build_report, report_csv, requested_period, requested_week, scorecard_csv, weekly_history


def managers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_reports(request.user):
            raise PermissionDenied("Reports are for managers.")
        return view(request, *args, **kwargs)

    return wrapped


def _csv(body: str, name: str) -> HttpResponse:
    resp = HttpResponse(body, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return resp


# The recalibration review has its own page (with forms); the others share report.html.
NAV = [("scorecard", "Scorecard", "week")] + [
    (s.key, s.title, s.period_kind) for s in REPORTS.values() if s.key != "recalibration"
]


@managers_only
def scorecard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        week = requested_week(request.GET.get("week"), now)
    except BadPeriod as exc:
        return HttpResponseBadRequest(f"week: {exc}")
    card = sc.compute(week, now=now)
    if request.GET.get("format") == "csv":
        return _csv(scorecard_csv(card), f"scorecard-{week.label}")
    sections: dict[str, list[dict[str, Any]]] = {}
    for row in card.metrics:
        sections.setdefault(row.section, []).append(
            {"row": row, "actual": fmt_value(row.actual, UNITS[row.key]),
             "target": "" if row.target is None else fmt_value(row.target, UNITS[row.key])}
        )  # fmt: skip
    history = weekly_history(week.previous(), 11)
    trend = {
        "labels": [r.week for r in history] + [week.label],
        "datasets": [
            {"label": key.replace("_", " "), "data": [(r.metric(key) or {}).get("actual") for r in history]
             + [card.metric(key).actual]}
            for key in ("mql_acceptance_rate", "follow_up_compliance", "mql_to_sql_rate", "sql_rejection_rate",
                        "marketing_sla_compliance", "sales_sla_compliance")
        ],
    }  # fmt: skip
    return render(request, "reports/scorecard.html", {
        "card": card, "week": week, "sections": sections, "trend": trend, "nav": NAV, "current": "scorecard",
        "prev": week.previous().label, "next": _next_week(week),
    })  # fmt: skip


def _next_week(week: Period) -> str:
    return week_of(week.last_day + dt.timedelta(days=1)).label


@managers_only
def report(request: HttpRequest, key: str) -> HttpResponse:
    spec = REPORTS.get(key)
    if spec is None:
        raise Http404("No such report")
    now = timezone.now()
    try:
        period = requested_period(spec.period_kind, request.GET, now)
    except BadPeriod as exc:
        return HttpResponseBadRequest(f"{spec.period_kind}: {exc}")
    data = build_report(key, period, now)
    if request.GET.get("format") == "csv":
        return _csv(report_csv(data), f"{key}-{period.label}")
    return render(request, "reports/report.html", {
        "data": data, "spec": spec, "period": period, "nav": NAV, "current": key,
    })  # fmt: skip


@managers_only
def agreement(request: HttpRequest) -> HttpResponse:
    """The active SLA Agreement, printable (framework: SLA Agreement Template)."""
    ag = SlaAgreement.objects.filter(is_active=True).first()
    return render(request, "reports/agreement.html", {"ag": ag or sc.active_agreement(), "nav": NAV,
                                                      "current": "agreement"})  # fmt: skip


@managers_only
def recalibration(request: HttpRequest) -> HttpResponse:
    """The quarterly recalibration review: target vs actual, proposed changes, modelled impact, decision."""
    from scoring.models import RuleSet

    from . import services
    from .models import RecalibrationReview
    from .periods import parse_quarter, quarter_of
    from .recalibration import current_performance

    now = timezone.now()
    try:
        quarter = parse_quarter(request.GET["quarter"]) if request.GET.get("quarter") else quarter_of(
            timezone.localdate(now))  # fmt: skip
    except BadPeriod as exc:
        return HttpResponseBadRequest(f"quarter: {exc}")
    if request.GET.get("format") == "csv":
        return _csv(report_csv(build_report("recalibration", quarter, now)), f"recalibration-{quarter.label}")
    review, _ = RecalibrationReview.objects.get_or_create(quarter=quarter.label)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "model":
                draft = RuleSet.objects.filter(pk=request.POST.get("draft_rule_set") or 0).first()
                review.draft_rule_set = draft
                review.save(update_fields=["draft_rule_set"])
                services.recalibration_model_impact(review=review, now=now)
            elif request.POST.get("action") == "decide":
                services.recalibration_decide(
                    review=review, decision=request.POST.get("decision", ""), details=request.POST.get("details", ""),
                    vp_sales=request.POST.get("vp_sales", ""),
                    marketing_director=request.POST.get("marketing_director", ""), on=timezone.localdate(now),
                )  # fmt: skip
            return redirect(f"{request.path}?quarter={quarter.label}")
        except ValidationError as exc:
            errors = exc.message_dict
    return render(request, "reports/recalibration.html", {
        "quarter": quarter, "review": review, "performance": current_performance(quarter, now=now),
        "drafts": RuleSet.objects.exclude(status=RuleSet.Status.ARCHIVED).order_by("-version"),
        "decisions": RecalibrationReview.Decision.choices[1:], "errors": errors, "nav": NAV,
        "current": "recalibration",
    }, status=400 if errors else 200)  # fmt: skip
