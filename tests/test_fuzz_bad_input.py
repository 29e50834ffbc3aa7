"""Hostile and malformed input gets a JSON 4xx that names what is wrong, and stores nothing.

Extends tests/test_intake_api.py (which covers the common cases: bad email,
negative numbers, unknown event types, naive and future times, broken JSON,
batches over 1000) with the nastier shapes a fuzzer or a broken client sends.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from leads.models import Event, Lead

pytestmark = pytest.mark.django_db

SUBMISSIONS = "/api/v1/submissions/"
EVENTS = "/api/v1/events/"


def post_raw(client, url: str, body: str | bytes, content_type: str = "application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def nothing_stored() -> bool:
    return not Lead.objects.exists() and not Event.objects.exists()


@pytest.fixture
def known_lead(intake) -> str:
    intake.post(SUBMISSIONS, {"email": "known@steel.example.in"}, format="json")
    return "known@steel.example.in"


# --- size limits ----------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize("url", [SUBMISSIONS, EVENTS])
def test_a_body_over_the_size_limit_answers_json_413_before_it_is_parsed(intake, url):
    body = json.dumps({"email": "big@x.in", "context": "x" * 20_000})

    resp = post_raw(intake, url, body)

    assert resp.status_code == 413
    assert resp["Content-Type"] == "application/json"
    assert resp.json()["max_bytes"] == 10_000
    assert nothing_stored()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_a_body_just_under_the_limit_is_accepted(intake):
    body = json.dumps({"email": "fits@x.in", "context": "x" * 5_000})
    assert len(body) < 10_000

    assert post_raw(intake, SUBMISSIONS, body).status_code == 201


def test_a_huge_string_under_the_body_limit_is_refused_by_field(intake):
    resp = intake.post(SUBMISSIONS, {"email": "a@b.in", "company": "x" * 1_500_000}, format="json")

    assert resp.status_code == 400
    assert "200 characters" in resp.json()["company"][0]
    assert nothing_stored()


def test_context_over_5000_characters_is_refused_by_field(intake):
    resp = intake.post(SUBMISSIONS, {"email": "a@b.in", "context": "y" * 5001}, format="json")

    assert resp.status_code == 400
    assert "context" in resp.json()


# --- malformed JSON and wrong shapes -------------------------------------------------------


@pytest.mark.parametrize("url", [SUBMISSIONS, EVENTS])
def test_json_nested_thousands_of_levels_deep_is_a_400_not_a_crash(intake, url):
    body = '{"email": "a@b.in", "source": ' + "[" * 50_000 + "]" * 50_000 + "}"

    resp = post_raw(intake, url, body)

    assert resp.status_code == 400
    assert "nested too deeply" in resp.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "a@b.in", "revenue_cr": NaN}',
        '{"email": "a@b.in", "employees": Infinity}',
        b'{"email": "a@b.in", "company": "\xff\xfe"}',
        '{"email": "a@b.in", "employees": 1' + "0" * 5000 + "}",
    ],
    ids=["nan", "infinity", "invalid-utf8", "5000-digit-integer"],
)
def test_json_that_python_would_accept_but_the_standard_does_not_is_a_400(intake, body):
    resp = post_raw(intake, SUBMISSIONS, body)

    assert resp.status_code == 400
    assert "JSON parse error" in resp.json()["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("body", ["[]", '"hello"', "42", "null"])
def test_a_submission_body_that_is_not_an_object_is_named(intake, body):
    resp = post_raw(intake, SUBMISSIONS, body)

    assert resp.status_code == 400
    assert "non_field_errors" in resp.json()


def test_a_form_encoded_body_is_refused_as_unsupported_media_type(intake):
    resp = post_raw(intake, SUBMISSIONS, "email=a%40b.in", content_type="application/x-www-form-urlencoded")

    assert resp.status_code == 415
    assert "detail" in resp.json()
    assert nothing_stored()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": 5}, "email"),
        ({"email": ["a@b.in"]}, "email"),
        ({"email": "a@b.in", "employees": True}, "employees"),
        ({"email": "a@b.in", "employees": 12.5}, "employees"),
        ({"email": "a@b.in", "shipments_per_day": "lots"}, "shipments_per_day"),
        ({"email": "a@b.in", "revenue_cr": 1e308}, "revenue_cr"),
        ({"email": "a@b.in", "revenue_cr": "12.345"}, "revenue_cr"),
        ({"email": "a@b.in", "employees": "1200"}, "employees"),
        ({"email": "a@b.in", "revenue_cr": ""}, "revenue_cr"),
        ({"email": "a@b.in", "function": 0}, "function"),
        ({"email": "a@b.in", "company": {"name": "Acme"}}, "company"),
        ({"email": "a@b.in", "event": "demo_request"}, "event"),
        ({"email": "a@b.in", "source": ["webinar"]}, "source"),
    ],
)
def test_wrong_types_are_refused_and_the_field_is_named(intake, body, field):
    resp = intake.post(SUBMISSIONS, body, format="json")

    assert resp.status_code == 400
    assert field in resp.json()
    assert nothing_stored()


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"email": "a\x00@b.in"}, ("email",)),
        ({"email": "a@b.in", "last_name": "Rao\x1b[31m"}, ("last_name",)),
        ({"email": "a@b.in", "source": {"campaign": "Summit\x07"}}, ("source", "campaign")),
        ({"email": "a@b.in", "event": {"type": "email_open", "asset": "deck\x00.pdf"}}, ("event", "asset")),
    ],
    ids=["nul-in-email", "escape-in-name", "bell-in-campaign", "nul-in-asset"],
)
def test_control_characters_anywhere_are_refused_and_the_field_is_named(intake, body, path):
    resp = intake.post(SUBMISSIONS, body, format="json")

    assert resp.status_code == 400
    errors = resp.json()
    for key in path:
        errors = errors[key]
    assert errors
    assert nothing_stored()


def test_a_lone_surrogate_escape_is_refused_and_the_field_is_named(intake):
    resp = post_raw(intake, SUBMISSIONS, '{"email": "a@b.in", "company": "Acme \\ud800"}')

    assert resp.status_code == 400
    assert "company" in resp.json()
    assert nothing_stored()


def test_newlines_and_tabs_in_free_text_are_kept(intake):
    resp = intake.post(SUBMISSIONS, {"email": "a@b.in", "context": "Line one\n\tLine two"}, format="json")

    assert resp.status_code == 201
    assert Lead.objects.get().context == "Line one\n\tLine two"


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "occurred_at",
    [
        "2026-01-01T10:00:00+25:00",
        "2026-01-01T10:00:00 Mars/Olympus",
        "2026-01-01T10:00:00+05:30[Asia/Nowhere]",
        "2026-13-01T10:00:00Z",
        "10000-01-01T10:00:00Z",
    ],
    ids=["offset-out-of-range", "unknown-zone-name", "bracketed-unknown-zone", "month-13", "year-10000"],
)
def test_invalid_time_zones_and_dates_name_the_event_time(intake, occurred_at):
    body = {"email": "a@b.in", "event": {"type": "email_open", "occurred_at": occurred_at}}

    resp = intake.post(SUBMISSIONS, body, format="json")

    assert resp.status_code == 400
    assert resp.json()["event"]["occurred_at"]
    assert nothing_stored()


@pytest.mark.parametrize("occurred_at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+05:30"])
def test_times_at_the_edge_of_the_calendar_are_refused_not_crashed_on(intake, occurred_at):
    body = {"email": "a@b.in", "event": {"type": "email_open", "occurred_at": occurred_at}}

    resp = intake.post(SUBMISSIONS, body, format="json")

    assert resp.status_code == 400
    assert resp.json()["event"]["occurred_at"]


def test_a_far_future_event_in_a_batch_is_named_by_its_position(intake, known_lead):
    batch = [
        {"email": known_lead, "type": "email_open"},
        {"email": known_lead, "type": "email_open", "occurred_at": "2999-01-01T00:00:00Z"},
    ]

    resp = intake.post(EVENTS, batch, format="json")

    assert resp.status_code == 400
    assert "future" in resp.json()["[1].occurred_at"][0]
    assert not Event.objects.exists()


# --- batches -------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [None, 7, "email_open", ["x"]])
def test_a_batch_item_that_is_not_an_object_is_named_by_its_position(intake, known_lead, item):
    resp = intake.post(EVENTS, [{"email": known_lead, "type": "email_open"}, item], format="json")

    assert resp.status_code == 400
    assert any(key.startswith("[1]") for key in resp.json())
    assert not Event.objects.exists()


@pytest.mark.parametrize("body", ["null", "[]", "{}"])
def test_an_empty_or_null_events_body_is_a_400(intake, body):
    resp = post_raw(intake, EVENTS, body)

    assert resp.status_code == 400


def test_an_idempotency_key_over_200_characters_is_named(intake):
    resp = intake.post(SUBMISSIONS, {"email": "a@b.in"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201)

    assert resp.status_code == 400
    assert "Idempotency-Key" in resp.json()
    assert nothing_stored()


# --- read side -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"created_after": "last tuesday"}, "created_after"),
        ({"created_before": "2026-02-30T00:00:00Z"}, "created_before"),
        ({"stage": "won"}, "stage"),
    ],
)
def test_bad_lead_filters_are_named(reader, params, field):
    resp = reader.get("/api/v1/leads/", params)

    assert resp.status_code == 400
    assert field in resp.json()


def test_a_page_past_the_end_is_a_json_404(reader):
    resp = reader.get("/api/v1/leads/", {"page": "999"})

    assert resp.status_code == 404
    assert "detail" in resp.json()


def test_a_string_over_its_limit_is_refused_even_if_trimming_would_shorten_it(intake):
    resp = intake.post("/api/v1/submissions/", {"email": "t@x.in", "last_name": "\t" + "x" * 100}, format="json")

    assert resp.status_code == 400
    assert "last_name" in resp.json()
