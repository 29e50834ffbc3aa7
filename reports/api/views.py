"""Report endpoints under /api/v1/reports/ (SPEC S29 for the scorecard)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import can_read_reports
from accounts.auth import request_api_key
from reports import scorecard as sc
from reports.periods import BadPeriod
from reports.reports import REPORTS
from reports.selectors import build_report, report_csv, requested_period, requested_week, scorecard_csv


class CanReadReports(permissions.BasePermission):
    message = "Reports are readable by managers and read/admin API keys."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        key = request_api_key(request)
        if key is None and not (request.user and request.user.is_authenticated):
            return False
        return can_read_reports(request.user, key)


class MetricOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    actual = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    status = serializers.CharField()


class ScorecardOutput(serializers.Serializer):
    week = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    health = serializers.ChoiceField(choices=["GREEN", "YELLOW", "RED"])
    metrics = MetricOutput(many=True)


class ScorecardView(APIView):
    permission_classes = [CanReadReports]

    @extend_schema(
        operation_id="reports_scorecard",
        parameters=[
            OpenApiParameter("week", str, description="ISO week YYYY-Www (default: last complete week)"),
            OpenApiParameter("export", str, description="csv for a CSV download"),
        ],
        responses={200: ScorecardOutput, 400: OpenApiResponse(description="Bad week")},
    )
    def get(self, request: Request) -> Response | HttpResponse:
        """The weekly scorecard (SPEC S23, S29)."""
        now = timezone.now()
        try:
            week = requested_week(request.query_params.get("week"), now)
        except BadPeriod as exc:
            raise ValidationError({"week": [str(exc)]})
        card = sc.compute(week, now=now)
        if request.query_params.get("export") == "csv":
            resp = HttpResponse(scorecard_csv(card), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="scorecard-{week.label}.csv"'
            return resp
        return Response(card.api())


class ReportView(APIView):
    permission_classes = [CanReadReports]

    @extend_schema(
        operation_id="reports_report",
        parameters=[
            OpenApiParameter("day", str, description="YYYY-MM-DD for daily reports"),
            OpenApiParameter("week", str, description="YYYY-Www for weekly reports"),
            OpenApiParameter("month", str, description="YYYY-MM for monthly reports"),
            OpenApiParameter("quarter", str, description="YYYY-Qn for quarterly reports"),
            OpenApiParameter("export", str, description="csv for a CSV download"),
        ],
        responses={200: OpenApiResponse(description="{report, title, period, summary, tables, chart}")},
    )
    def get(self, request: Request, key: str) -> Response | HttpResponse:
        """Any report of S24 as JSON (or CSV with ?export=csv)."""
        spec = REPORTS.get(key)
        if spec is None:
            raise NotFound(f"No report {key!r}; known: {', '.join(REPORTS)}")
        now = timezone.now()
        try:
            period = requested_period(spec.period_kind, request.query_params, now)
        except BadPeriod as exc:
            raise ValidationError({spec.period_kind: [str(exc)]})
        data = build_report(key, period, now)
        if request.query_params.get("export") == "csv":
            resp = HttpResponse(report_csv(data), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="{key}-{period.label}.csv"'
            return resp
        return Response(data)
