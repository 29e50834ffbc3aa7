"""Intake through the HTTP API (SPEC S6, S28, S29, S30)."""

from __future__ import annotations

import pytest

from leads.models import Event, Lead, Source, StageChange

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "email": "Asha.Rao@ShreeCement.example.in",
    "first_name": "Asha",
    "last_name": "Rao",
    "title": "VP Logistics",
    "phone": "+91 98450 00000",
    "company": "Shree Cement",
    "industry": "Cement",
    "employees": 1200,
    "revenue_cr": 450,
    "shipments_per_day": 220,
    "source": {"campaign": "Cement Dispatch Webinar Series", "channel": "webinar", "content": "Yard webinar"},
    "event": {"type": "demo_request", "asset": "Demo form"},
    "context": "Asked about multi-plant dispatch.",
}


def test_a_new_submission_creates_a_lead_and_answers_201_with_the_lead_body(intake):
    resp = intake.post("/api/v1/submissions/", SUBMISSION, format="json")

    assert resp.status_code == 201
    body = resp.json()
    assert set(body) == {"id", "email", "name", "company", "stage", "grade", "score", "owner", "mql_at", "sla"}
    assert set(body["score"]) == {"total", "fit", "engagement", "valid_until", "rules"}
    assert body["email"] == "asha.rao@shreecement.example.in"
    assert body["name"] == "Asha Rao"
    lead = Lead.objects.get()
    assert lead.source.campaign.name == "Cement Dispatch Webinar Series"
    assert lead.events.get().type == "demo_request"
    assert lead.stage_changes.first().to_stage == "lead"
    assert lead.stage_changes.first().actor_kind == "api_key"


def test_the_same_email_in_another_case_and_with_spaces_updates_the_same_lead(intake):
    first = intake.post("/api/v1/submissions/", SUBMISSION, format="json")
    again = {"email": "  ASHA.RAO@shreecement.EXAMPLE.in  ", "phone": "+91 99999 11111",
             "event": {"type": "pricing_page_visit"}}

    second = intake.post("/api/v1/submissions/", again, format="json")

    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Lead.objects.count() == 1
    lead = Lead.objects.get()
    assert lead.phone == "+91 99999 11111"
    assert lead.title == "VP Logistics"  # a field the second form left out is kept
    assert sorted(Event.objects.values_list("type", flat=True)) == ["demo_request", "pricing_page_visit"]


def test_an_idempotent_replay_creates_one_lead_and_returns_the_same_body(intake):
    headers = {"HTTP_IDEMPOTENCY_KEY": "form-7f3a"}
    first = intake.post("/api/v1/submissions/", SUBMISSION, format="json", **headers)
    replay = intake.post("/api/v1/submissions/", SUBMISSION, format="json", **headers)

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert Lead.objects.count() == 1
    assert Event.objects.count() == 1


def test_an_idempotency_key_reused_with_another_body_is_refused(intake):
    headers = {"HTTP_IDEMPOTENCY_KEY": "form-1"}
    intake.post("/api/v1/submissions/", SUBMISSION, format="json", **headers)

    resp = intake.post("/api/v1/submissions/", {**SUBMISSION, "phone": "+91 1"}, format="json", **headers)

    assert resp.status_code == 409
    assert "Idempotency-Key" in resp.json()


def test_bad_email_negative_employees_and_unknown_event_are_all_named_and_nothing_is_stored(intake):
    bad = {"email": "not-an-email", "employees": -5, "event": {"type": "carrier_pigeon"}}

    resp = intake.post("/api/v1/submissions/", bad, format="json")

    assert resp.status_code == 400
    errors = resp.json()
    assert "email" in errors
    assert "employees" in errors
    assert "type" in errors["event"]
    assert "carrier_pigeon" in errors["event"]["type"][0]
    assert Lead.objects.count() == Event.objects.count() == Source.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company", "Acme\x00Steel"),
        ("first_name", "x" * 101),
        ("employees", "many"),
        ("revenue_cr", -1),
    ],
)
def test_malformed_fields_are_named(intake, field, value):
    resp = intake.post("/api/v1/submissions/", {"email": "a@b.in", field: value}, format="json")

    assert resp.status_code == 400
    assert field in resp.json()
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("occurred_at", "message"),
    [("2026-01-01T10:00:00", "time zone"), ("2999-01-01T10:00:00Z", "future"), ("yesterday", "")],
)
def test_event_times_must_be_aware_and_not_in_the_future(intake, occurred_at, message):
    body = {"email": "a@b.in", "event": {"type": "email_open", "occurred_at": occurred_at}}

    resp = intake.post("/api/v1/submissions/", body, format="json")

    assert resp.status_code == 400
    assert message in resp.json()["event"]["occurred_at"][0]


def test_malformed_json_is_a_400(intake):
    resp = intake.generic("POST", "/api/v1/submissions/", "{not json", content_type="application/json")

    assert resp.status_code == 400
    assert "detail" in resp.json()


def test_events_batch_records_every_event_and_answers_new_scores(intake):
    intake.post("/api/v1/submissions/", SUBMISSION, format="json")
    intake.post("/api/v1/submissions/", {"email": "b@steel.example.in"}, format="json")
    batch = [
        {"email": "asha.rao@shreecement.example.in", "type": "email_open"},
        {"email": "B@steel.example.in", "type": "website_visit", "occurred_at": "2026-11-30T10:00:00+05:30"},
        {"email": "b@steel.example.in", "type": "pricing_page_visit"},
    ]

    resp = intake.post("/api/v1/events/", batch, format="json")

    assert resp.status_code == 200
    assert [lead["email"] for lead in resp.json()["leads"]] == [
        "asha.rao@shreecement.example.in",
        "b@steel.example.in",
    ]
    assert all("score" in lead for lead in resp.json()["leads"])
    assert Event.objects.count() == 1 + 3


def test_a_single_event_object_is_accepted(intake):
    intake.post("/api/v1/submissions/", {"email": "c@x.in"}, format="json")

    resp = intake.post("/api/v1/events/", {"email": "c@x.in", "type": "linkedin_engagement"}, format="json")

    assert resp.status_code == 200
    assert Event.objects.get().type == "linkedin_engagement"


def test_an_event_batch_with_an_unknown_lead_stores_nothing_and_names_the_position(intake):
    intake.post("/api/v1/submissions/", {"email": "c@x.in"}, format="json")
    batch = [{"email": "c@x.in", "type": "email_open"}, {"email": "ghost@x.in", "type": "email_open"}]

    resp = intake.post("/api/v1/events/", batch, format="json")

    assert resp.status_code == 400
    assert "[1].email" in resp.json()
    assert Event.objects.count() == 0


def test_an_event_batch_over_1000_is_refused(intake):
    batch = [{"email": "c@x.in", "type": "email_open"}] * 1001

    resp = intake.post("/api/v1/events/", batch, format="json")

    assert resp.status_code == 400
    assert "1000" in str(resp.json())


def test_an_event_batch_names_each_bad_item(intake):
    batch = [{"email": "c@x.in", "type": "email_open"}, {"email": "nope", "type": "bogus"}]

    resp = intake.post("/api/v1/events/", batch, format="json")

    assert resp.status_code == 400
    assert set(resp.json()) == {"[1].email", "[1].type"}


def test_stage_history_rows_cannot_be_rewritten(intake):
    intake.post("/api/v1/submissions/", {"email": "c@x.in"}, format="json")
    change = StageChange.objects.get()
    change.reason = "tampered"

    with pytest.raises(ValueError, match="immutable"):
        change.save()
