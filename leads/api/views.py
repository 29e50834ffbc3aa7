"""Thin API views: validate with an input serializer, call a service, shape with an output serializer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import nullcontext
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import leads_visible_to
from accounts.auth import IntakeScope, ReadScope, request_api_key
from accounts.throttling import IntakeThrottle
from leads.models import Grade, IdempotencyRecord, Lead, Stage
from leads.selectors import lead_list_queryset
from leads.services import Actor, events_record, submission_receive

from .serializers import MAX_BATCH, BatchEventInput, EventsResultOutput, LeadOutput, SubmissionInput, lead_body

# The columns the S30 lead body shows. A lead row has ~50 columns; loading only
# these makes the API's lead reads noticeably cheaper in Python (bench/README.md).
# Add a column here when LeadOutput shows a new one.
LEAD_BODY_FIELDS = (
    "id", "email", "first_name", "last_name", "company", "stage", "grade", "score_total", "score_fit",
    "score_engagement", "score_breakdown", "score_valid_until", "mql_at", "created_at", "owner__username",
)


def _lead_bodies() -> QuerySet[Lead]:
    return lead_list_queryset().only(*LEAD_BODY_FIELDS)


def _actor(request: Request) -> Actor:
    key = request_api_key(request)
    return Actor.of_key(key) if key is not None else Actor.of_user(request.user)


def _raise_as_drf(exc: DjangoValidationError) -> None:
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


def _request_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class SubmissionCreateView(APIView):
    permission_classes = [IntakeScope]
    throttle_classes = [IntakeThrottle]

    @extend_schema(
        operation_id="submissions_create",
        request=SubmissionInput,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A replay with the same key returns the first response and changes nothing.",
            )
        ],
        responses={
            201: OpenApiResponse(LeadOutput, description="A new lead"),
            200: OpenApiResponse(LeadOutput, description="An existing lead, updated"),
            400: OpenApiResponse(description="Bad input; the body names each bad field"),
            409: OpenApiResponse(description="Idempotency-Key reused with a different body"),
        },
    )
    def post(self, request: Request) -> Response:
        """Receive a web-form submission (SPEC S28)."""
        idem_key = request.headers.get("Idempotency-Key", "").strip()
        if len(idem_key) > 200:
            raise ValidationError({"Idempotency-Key": ["At most 200 characters."]})
        inp = SubmissionInput(data=request.data)
        inp.is_valid(raise_exception=True)
        api_key = request_api_key(request)
        now = timezone.now()
        # Without an Idempotency-Key the service's own transaction is the only one:
        # an outer atomic here would turn it into a savepoint (two more round trips
        # on the intake hot path, see bench/README.md).
        with transaction.atomic() if idem_key and api_key is not None else nullcontext():
            record = None
            if idem_key and api_key is not None:
                digest = _request_hash(request.data)
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(api_key=api_key, key=idem_key, request_hash=digest)
                except IntegrityError:
                    first = IdempotencyRecord.objects.get(api_key=api_key, key=idem_key)
                    if first.request_hash != digest:
                        return Response(
                            {"Idempotency-Key": ["This key was already used with a different request body."]},
                            status=status.HTTP_409_CONFLICT,
                        )
                    return Response(first.response_body, status=first.status_code)
            try:
                lead, created = submission_receive(data=inp.validated_data, actor=_actor(request), now=now)
            except DjangoValidationError as exc:
                _raise_as_drf(exc)
            # The service leaves `lead` current (score, stage, owner are set on the
            # object): only its clocks are read (by lead_body, one query), not the whole row again.
            body = lead_body(lead)
            code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
            if record is not None:
                record.status_code = code
                record.response_body = json.loads(json.dumps(body, default=str))
                record.save(update_fields=["status_code", "response_body"])
        return Response(body, status=code)


class EventsCreateView(APIView):
    permission_classes = [IntakeScope]
    throttle_classes = [IntakeThrottle]

    @extend_schema(
        operation_id="events_create",
        request=BatchEventInput(many=True),
        responses={200: EventsResultOutput, 400: OpenApiResponse(description="Bad input; names each bad field")},
        description="One event object or a list of at most 1000, for known leads. Stored in one transaction.",
    )
    def post(self, request: Request) -> Response:
        """Record engagement events for known leads (SPEC S29); answers their new scores."""
        data = request.data
        items = data if isinstance(data, list) else [data]
        if not items:
            raise ValidationError({"non_field_errors": ["Send one event or a non-empty list."]})
        if len(items) > MAX_BATCH:
            raise ValidationError({"non_field_errors": [f"At most {MAX_BATCH} events per request."]})
        inp = BatchEventInput(data=items, many=True)
        if not inp.is_valid():
            raw = inp.errors
            per_item = raw.items() if isinstance(raw, dict) else enumerate(raw)
            # An item that is not an object at all (null, a number) has a list of messages, not fields.
            errors = {
                f"[{i}].{field}" if field else f"[{i}]": msgs
                for i, err in per_item
                for field, msgs in (err.items() if isinstance(err, dict) else [("", err)])
            }
            raise ValidationError(errors)
        try:
            leads = events_record(items=list(inp.validated_data), actor=_actor(request), now=timezone.now())
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        fresh = _lead_bodies().filter(pk__in=[lead.pk for lead in leads]).order_by("pk")
        return Response(EventsResultOutput({"leads": list(fresh)}).data)


class _StorableIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601, handed to the database in UTC (Postgres refuses offsets beyond ±15:59)."""

    def to_python(self, value):  # type: ignore[no-untyped-def]
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError:
            raise DjangoValidationError("This time is out of range.", code="invalid")


class StorableIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _StorableIsoDateTimeField


class LeadFilter(django_filters.FilterSet):
    grade = django_filters.ChoiceFilter(choices=Grade.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    owner = django_filters.CharFilter(field_name="owner__username")
    source = django_filters.CharFilter(field_name="source__campaign__name", help_text="Campaign name")
    channel = django_filters.CharFilter(field_name="source__channel")
    created_after = StorableIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = StorableIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Lead
        fields: list[str] = []


class LeadListView(generics.ListAPIView):
    """Leads, newest first, narrowed to what the caller may see (SPEC S1)."""

    permission_classes = [ReadScope]
    serializer_class = LeadOutput
    filterset_class = LeadFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = _lead_bodies().order_by("-created_at", "-pk")
        return leads_visible_to(self.request.user, qs, request_api_key(self.request))


class LeadDetailView(generics.RetrieveAPIView):
    permission_classes = [ReadScope]
    serializer_class = LeadOutput

    def get_object(self) -> Lead:
        qs = leads_visible_to(self.request.user, _lead_bodies(), request_api_key(self.request))
        return get_object_or_404(qs, pk=self.kwargs["pk"])


