"""Two submissions for one email at the same instant make one lead with both events (SPEC S6).

Real Postgres, real transactions, real threads each with its
own connection: the two requests race to the unique index on `Lead.email`.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads.models import Event, Lead, StageChange

# Real commits; the data migrations' rows (roles, default rules) are restored for
# whichever transactional test runs next.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _race(plain_key: str, bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST every body at once, one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, dict] | None] = [None] * len(bodies)

    def submit(i: int, body: dict) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain_key}")
        try:
            barrier.wait(timeout=10)
            resp = client.post("/api/v1/submissions/", body, format="json")
            results[i] = (resp.status_code, resp.json())
        except Exception as exc:  # the assertion below names it
            results[i] = (0, {"exception": repr(exc)})
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i, body)) for i, body in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return [r if r is not None else (0, {"exception": "thread did not finish"}) for r in results]


def test_two_simultaneous_submissions_for_one_email_make_one_lead_with_both_events(
    require_postgres, make_key
):
    key = make_key("intake")
    # Several rounds, each a fresh email, so the race is actually hit rather than
    # won by whichever thread happened to start first.
    for round_ in range(6):
        email = f"race{round_}@cement.example.in"
        bodies = [
            {"email": email, "company": "Shree Cement", "event": {"type": "demo_request"}},
            {"email": email.upper(), "title": "VP Logistics", "event": {"type": "pricing_page_visit"}},
        ]

        results = _race(key, bodies)

        codes = sorted(code for code, _ in results)
        assert codes == [200, 201], f"round {round_}: {results}"
        assert results[0][1]["id"] == results[1][1]["id"]
        lead = Lead.objects.get(email=email)
        assert sorted(Event.objects.filter(lead=lead).values_list("type", flat=True)) == [
            "demo_request",
            "pricing_page_visit",
        ]
        # Both submissions' fields landed on the one lead, and it was created once.
        assert (lead.company, lead.title) == ("Shree Cement", "VP Logistics")
        assert StageChange.objects.filter(lead=lead, from_stage="").count() == 1
    assert Lead.objects.count() == 6


def test_simultaneous_submissions_for_different_emails_never_block_each_other(
    require_postgres, make_key
):
    key = make_key("intake")
    bodies = [{"email": f"parallel{i}@steel.example.in", "event": {"type": "email_open"}} for i in range(4)]

    results = _race(key, bodies)

    assert [code for code, _ in results] == [201] * 4, results
    assert Lead.objects.count() == 4 and Event.objects.count() == 4
