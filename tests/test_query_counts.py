"""Guards against N+1 queries: list pages and endpoints cost a fixed number of queries.

Each test loads a page or endpoint with a few rows and with many rows and
requires the same number of queries, below a small ceiling. Performance
itself is measured by the benchmark (bench/), never by timed tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Event, Lead

pytestmark = pytest.mark.django_db


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def _leads(n: int, owner: object | None = None, start: int = 0) -> list[Lead]:
    leads = Lead.objects.bulk_create(
        Lead(email=f"lead{start + i}@plant.example.in", company=f"Plant {start + i}", owner=owner) for i in range(n)
    )
    from django.utils import timezone

    Event.objects.bulk_create(
        Event(lead=lead, type="website_visit", occurred_at=timezone.now()) for lead in leads for _ in range(2)
    )
    return leads


def test_the_lead_list_api_costs_the_same_queries_for_forty_leads_as_for_three(
    reader, make_user, django_assert_max_num_queries
):
    sdr = make_user("sdr")
    _leads(3, owner=sdr)
    few = _queries(lambda: reader.get("/api/v1/leads/"))
    _leads(37, owner=sdr, start=100)

    with django_assert_max_num_queries(few):
        resp = reader.get("/api/v1/leads/")

    assert resp.status_code == 200
    assert resp.json()["count"] == 40
    assert few <= 8


def test_the_lead_detail_api_costs_a_handful_of_queries(reader, make_user, django_assert_max_num_queries):
    lead = _leads(1, owner=make_user("sdr"))[0]

    with django_assert_max_num_queries(8):
        resp = reader.get(f"/api/v1/leads/{lead.pk}/")

    assert resp.status_code == 200


def test_an_sdr_sees_the_lead_list_in_the_same_queries_whatever_their_book_size(api, make_user):
    sdr = make_user("sdr")
    api.force_login(sdr)
    _leads(2, owner=sdr)
    few = _queries(lambda: api.get("/api/v1/leads/"))
    _leads(30, owner=sdr, start=100)

    many = _queries(lambda: api.get("/api/v1/leads/"))

    assert many == few


def _submission(email: str, event: str = "website_visit") -> dict:
    return {
        "email": email,
        "first_name": "Asha",
        "title": "Software Engineer",
        "company": "Infotech",
        "industry": "IT services",
        "employees": 120,
        "source": {"campaign": "Organic Website", "channel": "organic", "content": "Blog"},
        "event": {"type": event},
    }


def test_a_new_submission_is_stored_and_scored_in_a_bounded_number_of_queries(intake, django_assert_max_num_queries):
    intake.post("/api/v1/submissions/", _submission("first@infotech.example.in"), format="json")  # source exists

    with django_assert_max_num_queries(13):
        resp = intake.post("/api/v1/submissions/", _submission("second@infotech.example.in"), format="json")

    assert resp.status_code == 201
    assert resp.json()["score"]["fit"] > 0


def test_a_repeat_submission_costs_the_same_queries_however_many_events_the_lead_has(intake):
    intake.post("/api/v1/submissions/", _submission("few@infotech.example.in"), format="json")
    intake.post("/api/v1/submissions/", _submission("many@infotech.example.in"), format="json")
    from django.utils import timezone

    many = Lead.objects.get(email="many@infotech.example.in")
    Event.objects.bulk_create(Event(lead=many, type="email_open", occurred_at=timezone.now()) for _ in range(40))

    few_q = _queries(lambda: intake.post("/api/v1/submissions/", _submission("few@infotech.example.in"), format="json"))
    many_q = _queries(
        lambda: intake.post("/api/v1/submissions/", _submission("many@infotech.example.in"), format="json")
    )

    assert many_q == few_q


def test_a_batch_of_events_for_twenty_leads_costs_no_more_queries_than_for_two(intake):
    emails = [f"lead{i}@infotech.example.in" for i in range(20)]
    for email in emails:
        intake.post("/api/v1/submissions/", _submission(email), format="json")

    def batch(n: int) -> object:
        return intake.post(
            "/api/v1/events/", [{"email": e, "type": "email_open"} for e in emails[:n]], format="json"
        )

    two = _queries(lambda: batch(2))
    twenty = _queries(lambda: batch(20))

    assert twenty == two
    assert len(batch(20).json()["leads"]) == 20
