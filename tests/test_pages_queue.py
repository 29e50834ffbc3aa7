"""The SDR queue (/queue/): urgency order, filters, periodic checks, self-refresh, bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Stage
from sla import selectors as sla_selectors
from tests.pages import make_clock, make_lead, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Users are made in every test; hashing their passwords properly is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_ids(response) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-lead="(\d+)"', response.content.decode())]


@pytest.fixture
def sdr(make_user):
    return make_user("sdr", first_name="Priya", last_name="Nair")


@pytest.fixture
def sdr_client(client, sdr):
    client.force_login(sdr)
    return client


def test_the_queue_lists_overdue_leads_first_then_by_due_time_and_leads_without_a_clock_last(sdr, sdr_client):
    no_clock = make_lead(owner=sdr, grade="B")
    later = make_lead(owner=sdr, grade="B")
    make_clock(later, due_in=dt.timedelta(hours=3))
    soon = make_lead(owner=sdr, grade="A")
    make_clock(soon, due_in=dt.timedelta(minutes=4))
    overdue = make_lead(owner=sdr, grade="C")
    make_clock(overdue, due_in=dt.timedelta(minutes=-30))
    very_overdue = make_lead(owner=sdr, grade="B", stage=Stage.SAL)
    make_clock(very_overdue, due_in=dt.timedelta(hours=-5), kind="disposition")
    # The breach sweep marked this one breached, but the first attempt is still owed.
    swept = make_lead(owner=sdr, grade="A")
    make_clock(swept, due_in=dt.timedelta(hours=-1), state="breached", breached_at=timezone.now())
    # A clock that has stopped (met, or breached and since fulfilled) does not make a lead urgent.
    make_clock(no_clock, due_in=dt.timedelta(minutes=-50), state="met", stopped_at=timezone.now())
    make_clock(no_clock, due_in=dt.timedelta(hours=-9), state="breached", stopped_at=timezone.now())

    response = sdr_client.get("/queue/")

    assert response.status_code == 200
    assert row_ids(response) == [very_overdue.pk, swept.pk, overdue.pk, soon.pk, later.pk, no_clock.pk]
    body = response.content.decode()
    assert body.count('class="row-overdue"') == 3
    assert "Disposition within 7 days" in body


def test_the_queue_shows_a_live_countdown_to_the_due_time(sdr, sdr_client):
    lead = make_lead(owner=sdr)
    clock = make_clock(lead, due_in=dt.timedelta(minutes=5))

    body = sdr_client.get("/queue/").content.decode()

    due = re.search(r'data-due="([^"]+)"', body).group(1)
    assert dt.datetime.fromisoformat(due) == clock.due_at
    assert "js/app.js" in body


def test_the_queue_shows_the_next_cadence_step_when_the_sla_app_provides_it(sdr, sdr_client, monkeypatch):
    lead = make_lead(owner=sdr)
    due = timezone.now() + dt.timedelta(minutes=30)
    step = {"number": 2, "channel": "email", "due_at": due, "label": "Step 2 of 8"}
    monkeypatch.setattr(sla_selectors, "next_steps", lambda leads, now: {ld.pk: step for ld in leads})

    body = sdr_client.get("/queue/").content.decode()

    assert 'class="channel channel-email"' in body and "Step 2 of 8" in body
    assert f'data-lead="{lead.pk}"' in body


def test_an_sdr_sees_only_their_own_open_leads(sdr, sdr_client, make_user):
    mine = make_lead(owner=sdr, stage=Stage.MQL)
    accepted = make_lead(owner=sdr, stage=Stage.SAL)
    make_lead(owner=sdr, stage=Stage.SQL)
    make_lead(owner=sdr, stage=Stage.NURTURE)
    make_lead(owner=make_user("sdr"), stage=Stage.MQL, company="Someone Else Ltd")

    response = sdr_client.get("/queue/")

    assert sorted(row_ids(response)) == sorted([mine.pk, accepted.pk])
    assert "Someone Else Ltd" not in response.content.decode()


def test_a_manager_sees_every_sdrs_queue(client, make_user):
    one = make_lead(owner=make_user("sdr", first_name="Rohan", last_name="Mehta"))
    two = make_lead(owner=make_user("sdr", first_name="Kavya", last_name="Iyer"))
    client.force_login(make_user("manager"))

    response = client.get("/queue/")

    assert sorted(row_ids(response)) == sorted([one.pk, two.pk])
    assert "Rohan Mehta" in response.content.decode() and "Kavya Iyer" in response.content.decode()


def test_a_manager_can_narrow_the_queue_to_one_sdr_or_to_unassigned_leads(client, make_user):
    rohan, kavya = make_user("sdr", first_name="Rohan"), make_user("sdr", first_name="Kavya")
    his, hers, nobodys = make_lead(owner=rohan), make_lead(owner=kavya), make_lead(owner=None)
    client.force_login(make_user("manager"))

    assert row_ids(client.get("/queue/", {"owner": str(kavya.pk)})) == [hers.pk]
    assert row_ids(client.get("/queue/", {"owner": "none"})) == [nobodys.pk]
    assert sorted(row_ids(client.get("/queue/"))) == sorted([his.pk, hers.pk, nobodys.pk])
    assert 'name="owner"' in client.get("/queue/").content.decode()


def test_an_sdr_cannot_use_the_owner_filter_to_see_another_sdrs_leads(sdr, sdr_client, make_user):
    other = make_user("sdr")
    make_lead(owner=other)
    mine = make_lead(owner=sdr)

    response = sdr_client.get("/queue/", {"owner": str(other.pk)})

    assert row_ids(response) == [mine.pk]
    assert 'name="owner"' not in response.content.decode()


def test_the_queue_filters_by_grade_stage_source_and_search(sdr, sdr_client):
    webinar = make_source("Cement Dispatch Webinar Series")
    a = make_lead(owner=sdr, grade="A", company="Ambuja Cement", source=webinar)
    b = make_lead(owner=sdr, grade="B", stage=Stage.SAL, company="Deccan Steel", first_name="Rohan")
    c = make_lead(owner=sdr, grade="B", company="Kaveri Paper")

    assert row_ids(sdr_client.get("/queue/", {"grade": "A"})) == [a.pk]
    assert row_ids(sdr_client.get("/queue/", {"stage": "sal"})) == [b.pk]
    assert row_ids(sdr_client.get("/queue/", {"source": str(webinar.campaign_id)})) == [a.pk]
    assert sorted(row_ids(sdr_client.get("/queue/", {"source": "none"}))) == sorted([b.pk, c.pk])
    assert row_ids(sdr_client.get("/queue/", {"q": "kaveri"})) == [c.pk]
    assert row_ids(sdr_client.get("/queue/", {"q": "rohan deccan"})) == [b.pk]
    assert row_ids(sdr_client.get("/queue/", {"grade": "B", "q": "steel"})) == [b.pk]
    assert row_ids(sdr_client.get("/queue/", {"grade": "Z"})) != []  # nonsense filters mean "any"


def test_grade_c_periodic_checks_have_their_own_tab(sdr, sdr_client):
    mql = make_lead(owner=sdr, grade="A")
    check = make_lead(owner=sdr, grade="C", stage=Stage.LEAD, queue_entered_at=timezone.now())
    make_lead(owner=sdr, grade="D", stage=Stage.LEAD)  # Grade D: no SDR work at all

    work = sdr_client.get("/queue/")
    periodic = sdr_client.get("/queue/", {"tab": "periodic"})

    assert row_ids(work) == [mql.pk]
    assert row_ids(periodic) == [check.pk]
    assert re.search(r'id="count-periodic">1<', work.content.decode())


def test_the_queue_refreshes_itself_by_polling_a_partial(sdr, sdr_client):
    lead = make_lead(owner=sdr)

    page = sdr_client.get("/queue/").content.decode()
    partial = sdr_client.get("/queue/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")

    assert 'hx-trigger="every 15s"' in page
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="queue-results"') and "<html" not in body
    assert f'data-lead="{lead.pk}"' in body
    assert 'id="count-work" hx-swap-oob="true">1<' in body


def test_the_queue_is_paged(sdr, sdr_client):
    leads = [make_lead(owner=sdr) for _ in range(55)]
    for i, lead in enumerate(leads):
        make_clock(lead, due_in=dt.timedelta(minutes=i + 1))

    first, second = sdr_client.get("/queue/"), sdr_client.get("/queue/", {"page": 2})

    assert row_ids(first) == [lead.pk for lead in leads[:50]]
    assert row_ids(second) == [lead.pk for lead in leads[50:]]


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/queue/").status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_uses_the_same_bounded_number_of_queries_for_10_or_50_leads(
    sdr, sdr_client, make_user, django_assert_max_num_queries
):
    source = make_source("Steel Logistics Summit 2026")

    def add(n: int) -> None:
        for i in range(n):
            lead = make_lead(owner=sdr, source=source, last_attempt_at=timezone.now())
            make_clock(lead, due_in=dt.timedelta(minutes=i))
            make_clock(lead, due_in=dt.timedelta(days=7), kind="disposition")

    add(10)
    sdr_client.get("/queue/")  # warm the session and content types
    with django_assert_max_num_queries(12):
        ten = _queue_queries(sdr_client)
    add(40)
    with django_assert_max_num_queries(12):
        fifty = _queue_queries(sdr_client)
    assert fifty == ten


def test_the_queue_is_for_sdrs_and_managers(client, make_user):
    client.force_login(make_user("ae"))
    assert client.get("/queue/").status_code == 403


def test_the_queue_needs_a_login(client):
    response = client.get("/queue/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
