"""The submission answer is built by hand for speed; it must stay byte for byte the S30 lead body."""

from __future__ import annotations

import pytest
from rest_framework.renderers import JSONRenderer

from leads.api.serializers import LeadOutput
from leads.models import Lead

from .test_intake_api import SUBMISSION

pytestmark = pytest.mark.django_db


def _serializer_bytes(lead_id: int) -> bytes:
    lead = Lead.objects.select_related("owner").prefetch_related("sla_clocks").get(pk=lead_id)
    return JSONRenderer().render(LeadOutput(lead).data)


def test_an_mql_submission_answers_exactly_the_body_the_lead_serializer_renders(intake, make_user):
    make_user("sdr")

    resp = intake.post("/api/v1/submissions/", SUBMISSION, format="json")

    body = resp.json()
    assert resp.status_code == 201
    assert body["stage"] == "mql" and body["owner"] and body["sla"] and body["mql_at"]
    assert any(rule["expires_at"] for rule in body["score"]["rules"])
    assert resp.content == _serializer_bytes(body["id"])


def test_a_plain_new_lead_and_its_repeat_answer_exactly_the_serializer_body(intake):
    plain = {"email": "ravi@smallco.example.in", "first_name": "Ravi", "company": "Small Co"}

    first = intake.post("/api/v1/submissions/", plain, format="json")
    again = intake.post("/api/v1/submissions/", {**plain, "event": {"type": "pricing_page_visit"}}, format="json")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["owner"] is None and first.json()["sla"] == [] and first.json()["mql_at"] is None
    assert again.json()["score"]["rules"] and again.json()["score"]["valid_until"]
    assert again.content == _serializer_bytes(again.json()["id"])
