"""Input serializers validate everything; output serializers shape the answer (SPEC S28–S30)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from leads.models import EventType, Lead

# Far-future events would keep points alive for years: a client clock may run
# a little fast, but not by more than this.
MAX_CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_EVENT_AGE = dt.timedelta(days=3650)
MAX_BATCH = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CleanCharField(serializers.CharField):
    """A CharField that refuses control characters (newlines and tabs are fine)."""

    default_error_messages = {"control": "Control characters are not allowed."}

    def to_internal_value(self, data: Any) -> str:
        # JSON types are part of the contract (and the schema): 42 is not a name.
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength applies to what the client sent, before trimming.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        value = super().to_internal_value(data)
        if _CONTROL.search(value):
            self.fail("control")
        return value


def _text(max_length: int, **kwargs: Any) -> CleanCharField:
    return CleanCharField(max_length=max_length, required=False, allow_blank=True, trim_whitespace=True, **kwargs)


class _StrictNumber:
    """A JSON number only: "1200", "" and true are refused, as the schema says (DRF would coerce them)."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if isinstance(data, str | bool):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().validate_empty_values(data)  # type: ignore[misc]


class StrictIntegerField(_StrictNumber, serializers.IntegerField):
    pass


class StrictDecimalField(_StrictNumber, serializers.DecimalField):
    pass


class EventTimeField(serializers.DateTimeField):
    """ISO 8601 with a time zone; not in the future beyond clock skew, not absurdly old."""

    default_error_messages = {
        "naive": "Give a time zone (e.g. 2026-01-31T10:00:00+05:30 or ...Z).",
        "future": "This time is in the future.",
        "too_old": "This time is more than ten years ago.",
    }

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?", value.strip()):
            self.fail("naive")
        parsed = super().to_internal_value(value)
        now = timezone.now()
        if parsed > now + MAX_CLOCK_SKEW:
            self.fail("future")
        if parsed < now - MAX_EVENT_AGE:
            self.fail("too_old")
        return parsed


class EventTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=EventType.choices, **kwargs)
        self.error_messages["invalid_choice"] = (
            '"{input}" is not a known event type. Known types: ' + ", ".join(EventType.values) + "."
        )


class SourceInput(serializers.Serializer):
    campaign = _text(200)
    channel = _text(100)
    content = _text(200)


class EventInput(serializers.Serializer):
    type = EventTypeField()
    occurred_at = EventTimeField(required=False)
    asset = _text(200)


class SubmissionInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    first_name = _text(100)
    last_name = _text(100)
    title = _text(200)
    phone = _text(40)
    company = _text(200)
    industry = _text(100)
    function = _text(100)
    employees = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=10_000_000)
    revenue_cr = StrictDecimalField(
        required=False, allow_null=True, max_digits=14, decimal_places=2, min_value=0, coerce_to_string=False
    )
    shipments_per_day = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=10_000_000)
    source = SourceInput(required=False)
    event = EventInput(required=False)
    context = _text(5000)


class BatchEventInput(EventInput):
    email = serializers.EmailField(max_length=254)


class ScoreRuleOutput(serializers.Serializer):
    rule = serializers.CharField()
    points = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)


class ScoreOutput(serializers.Serializer):
    total = serializers.IntegerField(source="score_total")
    fit = serializers.IntegerField(source="score_fit")
    engagement = serializers.IntegerField(source="score_engagement")
    valid_until = serializers.DateTimeField(source="score_valid_until", allow_null=True)
    rules = serializers.SerializerMethodField()

    def get_rules(self, lead: Lead) -> list[dict[str, Any]]:
        rows = lead.score_breakdown or []
        return ScoreRuleOutput(
            [{"rule": r["rule"], "points": r["points"], "expires_at": r.get("expires_at")} for r in rows], many=True
        ).data


class SlaClockOutput(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()
    state = serializers.CharField()


class LeadOutput(serializers.ModelSerializer):
    """The lead body of SPEC S30."""

    name = serializers.CharField()
    score = ScoreOutput(source="*")
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    sla = SlaClockOutput(source="sla_clocks", many=True, read_only=True)

    class Meta:
        model = Lead
        fields = ["id", "email", "name", "company", "stage", "grade", "score", "owner", "mql_at", "sla"]
        read_only_fields = fields


class EventsResultOutput(serializers.Serializer):
    leads = LeadOutput(many=True)


# DRF's own field, so times render exactly as LeadOutput renders them (the
# current zone, ISO 8601, "Z" for UTC); it keeps no per-request state.
_TIME = serializers.DateTimeField()


def _time(value: Any) -> Any:
    return None if value is None else _TIME.to_representation(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def lead_body(lead: Lead) -> dict[str, Any]:
    """The S30 lead body, equal to `LeadOutput(lead).data` (a test compares them).

    Built by hand for the intake hot path: instantiating the nested
    ModelSerializer deep-copies and binds its fields on every request, which
    cost about a tenth of a submission's CPU. Reads the clocks' three columns (one query).
    Change LeadOutput and this together.
    """
    owner = lead.owner
    return {
        "id": _int(lead.pk),
        "email": _str(lead.email),
        "name": _str(lead.name),
        "company": _str(lead.company),
        "stage": _str(lead.stage),
        "grade": _str(lead.grade),
        "score": {
            "total": _int(lead.score_total),
            "fit": _int(lead.score_fit),
            "engagement": _int(lead.score_engagement),
            "valid_until": _time(lead.score_valid_until),
            "rules": [
                {"rule": _str(r["rule"]), "points": _int(r["points"]), "expires_at": _time(r.get("expires_at"))}
                for r in lead.score_breakdown or []
            ],
        },
        "owner": None if owner is None else owner.username,
        "mql_at": _time(lead.mql_at),
        "sla": [
            {"kind": _str(kind), "due_at": _time(due_at), "state": _str(state)}
            for kind, due_at, state in lead.sla_clocks.values_list("kind", "due_at", "state")
        ],
    }
