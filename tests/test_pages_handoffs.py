"""The AE inbox (/handoffs/) and handoff page: review, accept, reject with each category's action (SPEC S17)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import Event, Handoff, Lead, Opportunity, Stage
from tests.pages import add_event, make_clock, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Users are made in every test; hashing their passwords properly is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REJECT = {"reason": "No TMS project this year.", "recommendation": "requalify"}


@pytest.fixture
def sdr(make_user):
    return make_user("sdr", first_name="Priya", last_name="Nair")


@pytest.fixture
def ae(make_user):
    return make_user("ae", first_name="Vikram", last_name="Singh")


@pytest.fixture
def ae_client(client, ae):
    client.force_login(ae)
    return client


def make_handoff(*, sdr, ae, **lead_fields) -> Handoff:
    lead = make_lead(owner=sdr, stage=Stage.SQL, sql_at=timezone.now(), **lead_fields)
    return Handoff.objects.create(lead=lead, sdr=sdr, ae=ae, created_at=timezone.now() - dt.timedelta(minutes=30))


def row_ids(response) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-lead="(\d+)"', response.content.decode())]


def test_the_inbox_lists_the_aes_pending_handoffs_oldest_first_with_review_and_decision_clocks(
    ae, ae_client, sdr, make_user
):
    older = make_handoff(sdr=sdr, ae=ae)
    Handoff.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    newer = make_handoff(sdr=sdr, ae=ae)
    make_clock(newer.lead, due_in=dt.timedelta(hours=4), kind="ae_review", handoff=newer)
    make_clock(newer.lead, due_in=dt.timedelta(hours=24), kind="ae_decision", handoff=newer)
    make_handoff(sdr=sdr, ae=make_user("ae"), company="Other AE Ltd")
    decided = make_handoff(sdr=sdr, ae=ae)
    Handoff.objects.filter(pk=decided.pk).update(decision="accepted", decided_at=timezone.now())

    response = ae_client.get("/handoffs/")

    assert row_ids(response) == [older.pk, newer.pk]
    body = response.content.decode()
    assert "Review" in body and "Decide" in body and body.count("data-due=") == 2
    assert "Other AE Ltd" not in body
    assert row_ids(ae_client.get("/handoffs/", {"tab": "accepted"})) == [decided.pk]


def test_an_ae_lands_on_the_inbox_an_sdr_on_the_queue_and_a_manager_on_the_scorecard(client, ae, sdr, make_user):
    for user, where in ((ae, "/handoffs/"), (sdr, "/queue/"), (make_user("manager"), "/reports/scorecard/")):
        client.force_login(user)
        assert client.get("/")["Location"] == where


def test_the_inbox_is_for_aes_and_managers(client, sdr):
    client.force_login(sdr)
    assert client.get("/handoffs/").status_code == 403


def test_opening_a_handoff_records_the_review_once(ae_client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)
    add_event(handoff.lead, "demo_request")

    page = ae_client.get(f"/handoffs/{handoff.pk}/")
    handoff.refresh_from_db()
    first_review = handoff.reviewed_at
    ae_client.get(f"/handoffs/{handoff.pk}/")
    handoff.refresh_from_db()

    assert page.status_code == 200
    assert "Handoff data package" in page.content.decode()
    assert first_review is not None and handoff.reviewed_at == first_review


def test_a_manager_looking_at_a_handoff_does_not_count_as_the_review(client, ae, sdr, make_user):
    handoff = make_handoff(sdr=sdr, ae=ae)
    client.force_login(make_user("manager"))

    assert client.get(f"/handoffs/{handoff.pk}/").status_code == 200
    handoff.refresh_from_db()
    assert handoff.reviewed_at is None


def test_accepting_opens_an_opportunity_with_its_amount_in_lakh_and_the_demo_date(ae_client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)
    demo = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)

    refused = ae_client.post(f"/handoffs/{handoff.pk}/accept/", {"amount_lakh": ""})
    accepted = ae_client.post(
        f"/handoffs/{handoff.pk}/accept/", {"amount_lakh": "42.5", "demo_at": demo.strftime("%Y-%m-%dT%H:%M")}
    )

    assert refused.status_code == 400 and "Enter the opportunity amount in ₹ lakh." in refused.content.decode()
    assert accepted.status_code == 302
    opp = Opportunity.objects.get(handoff=handoff)
    assert (opp.amount_lakh, opp.demo_at, opp.ae) == (Decimal("42.50"), demo, ae)
    handoff.lead.refresh_from_db()
    assert handoff.lead.stage == Stage.OPPORTUNITY
    assert "₹42.50 lakh" in ae_client.get(f"/handoffs/{handoff.pk}/").content.decode()


def test_an_accepted_handoff_gets_its_demo_scheduled_and_closed_won(ae_client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)
    ae_client.post(f"/handoffs/{handoff.pk}/accept/", {"amount_lakh": "30"})
    demo = timezone.localtime() + dt.timedelta(days=1)

    ae_client.post(f"/handoffs/{handoff.pk}/demo/", {"demo_at": demo.strftime("%Y-%m-%dT%H:%M")})
    ae_client.post(f"/handoffs/{handoff.pk}/close/", {"result": "won", "amount_lakh": "28"})

    handoff.refresh_from_db()
    opp = Opportunity.objects.get(handoff=handoff)
    assert handoff.demo_scheduled_at is not None and opp.demo_at == handoff.demo_scheduled_at
    assert (opp.status, opp.won_amount_lakh) == ("won", Decimal("28"))
    assert Lead.objects.get(pk=handoff.lead_id).stage == Stage.CUSTOMER


def test_a_rejection_needs_a_category_reason_and_recommendation(ae_client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)

    response = ae_client.post(f"/handoffs/{handoff.pk}/reject/", {"category": "", "reason": "", "recommendation": ""})

    body = response.content.decode()
    assert response.status_code == 400
    for message in ("Choose a rejection category.", "Give the specific reason", "Recommend re-qualify"):
        assert message in body
    handoff.refresh_from_db()
    assert handoff.decision == "pending"


@pytest.mark.parametrize(
    ("category", "extra", "check"),
    [
        ("wrong_fit", {}, lambda lead: lead.fit_review_flag),
        ("not_ready", {"recommendation": "nurture"}, lambda lead: lead.stage == Stage.NURTURE),
        ("misqualified", {}, lambda lead: lead.coaching_flag and lead.stage == Stage.SAL),
        ("competitor_committed", {"competitor": "FreightTiger"}, lambda lead: lead.competitor == "FreightTiger"),
    ],
)
def test_each_rejection_category_triggers_its_action_and_schedules_the_feedback_call(
    ae_client, ae, sdr, category, extra, check
):
    handoff = make_handoff(sdr=sdr, ae=ae)

    response = ae_client.post(f"/handoffs/{handoff.pk}/reject/", {**REJECT, "category": category, **extra})

    assert response.status_code == 302
    handoff.refresh_from_db()
    assert handoff.decision == "rejected" and handoff.rejection_category == category
    assert handoff.feedback_call_due_at == handoff.decided_at + dt.timedelta(hours=48)
    assert check(Lead.objects.get(pk=handoff.lead_id))


def test_competitor_committed_needs_the_competitor(ae_client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)
    response = ae_client.post(f"/handoffs/{handoff.pk}/reject/", {**REJECT, "category": "competitor_committed"})
    assert response.status_code == 400 and "Name the competitor they chose." in response.content.decode()


def test_already_in_pipeline_merges_the_duplicate_into_the_existing_record(ae_client, ae, sdr):
    existing = make_lead(owner=sdr, stage=Stage.OPPORTUNITY, company="Shree Cement", phone="")
    handoff = make_handoff(sdr=sdr, ae=ae, company="Shree Cement", phone="+91 98200 11223")
    add_event(handoff.lead, "pricing_page_visit")
    page = ae_client.get(f"/handoffs/{handoff.pk}/").content.decode()
    assert f"#{existing.pk}" in page  # offered as the likely existing record

    missing = ae_client.post(f"/handoffs/{handoff.pk}/reject/", {**REJECT, "category": "already_in_pipeline"})
    merged = ae_client.post(
        f"/handoffs/{handoff.pk}/reject/",
        {**REJECT, "category": "already_in_pipeline", "duplicate_of": existing.pk},
    )

    assert missing.status_code == 400 and "Pick the existing lead" in missing.content.decode()
    assert merged.status_code == 302
    duplicate = Lead.objects.get(pk=handoff.lead_id)
    existing.refresh_from_db()
    assert duplicate.merged_into_id == existing.pk and duplicate.stage == Stage.DISQUALIFIED
    assert Event.objects.filter(lead=existing, type="pricing_page_visit").exists()
    assert existing.phone == "+91 98200 11223"


def test_another_ae_cannot_see_or_decide_a_handoff(client, ae, sdr, make_user):
    handoff = make_handoff(sdr=sdr, ae=ae)
    client.force_login(make_user("ae"))

    assert client.get(f"/handoffs/{handoff.pk}/").status_code == 404
    assert client.post(f"/handoffs/{handoff.pk}/accept/", {"amount_lakh": "10"}).status_code == 404
    handoff.refresh_from_db()
    assert handoff.decision == "pending" and handoff.reviewed_at is None


def test_the_sdr_sees_the_handoff_but_cannot_decide_it(client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)
    client.force_login(sdr)

    assert client.get(f"/handoffs/{handoff.pk}/").status_code == 200
    assert client.post(f"/handoffs/{handoff.pk}/reject/", {**REJECT, "category": "wrong_fit"}).status_code == 403
    handoff.refresh_from_db()
    assert handoff.decision == "pending" and handoff.reviewed_at is None


def test_the_sdr_sees_a_rejection_back_in_the_queue_and_records_the_feedback_call(client, ae, sdr):
    handoff = make_handoff(sdr=sdr, ae=ae)
    client.force_login(ae)
    client.post(f"/handoffs/{handoff.pk}/reject/", {**REJECT, "category": "misqualified"})
    client.force_login(sdr)

    queue = client.get("/queue/").content.decode()
    done = client.post(f"/handoffs/{handoff.pk}/feedback/")

    assert "Returned by AEs" in queue and "Misqualified" in queue and "Coaching" in queue
    assert f'data-lead="{handoff.lead_id}"' in queue
    assert done.status_code == 302
    handoff.refresh_from_db()
    assert handoff.feedback_call_done_at is not None
    assert "Returned by AEs" not in client.get("/queue/").content.decode()
