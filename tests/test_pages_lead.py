"""The lead page (/leads/<id>/) and its actions: attempts, accept, discovery, BANT+T, disposition, feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from leads.models import Attempt, Disposition, Handoff, Qualification, QualityFlag, Stage
from tests.pages import add_event, make_clock, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Users are made in every test; hashing their passwords properly is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

GOOD_BANT = {
    "budget": 2, "budget_note": "FY27 budget approved",
    "authority": 3, "authority_note": "VP signs",
    "need": 3, "need_note": "Detention costs",
    "timeline": 2, "timeline_note": "Go-live in Q1",
    "trigger": 2, "trigger_note": "New plant",
}  # fmt: skip
DISPOSITION = {"summary": "Two calls with the VP.", "reason": "Budget and need confirmed.", "next_steps": "AE demo."}


@pytest.fixture
def sdr(make_user):
    return make_user("sdr", first_name="Priya", last_name="Nair")


@pytest.fixture
def sdr_client(client, sdr):
    client.force_login(sdr)
    return client


def test_the_lead_page_shows_the_data_package_score_timeline_and_clocks(sdr, sdr_client):
    expires = (timezone.now() + dt.timedelta(days=80)).isoformat()
    lead = make_lead(
        owner=sdr,
        context="Asked about yard management.",
        score_breakdown=[
            {"rule": "Industry: Cement", "kind": "fit", "points": 15, "expires_at": None},
            {"rule": "Demo request", "kind": "engagement", "points": 20, "expires_at": expires},
        ],
    )
    add_event(lead, "demo_request", asset="Demo form", ago=dt.timedelta(minutes=10))
    make_clock(lead, due_in=dt.timedelta(minutes=4))
    make_clock(lead, due_in=dt.timedelta(days=7), kind="disposition")
    make_clock(lead, due_in=dt.timedelta(minutes=-2), kind="data_complete", state="met")

    body = sdr_client.get(f"/leads/{lead.pk}/").content.decode()

    for text in ("Handoff data package", lead.company, "Asked about yard management.", "Trigger", "Demo request",
                 "Industry: Cement", "Demo form", "First attempt (speed-to-lead)", "Disposition within 7 days",
                 "Lead data package complete", "Running", "Met", "Required first contact"):  # fmt: skip
        assert text in body, text
    assert body.count("data-due=") >= 3
    for action in ("act-attempt", "act-accept", "act-qualification", "act-disposition", "act-flag"):
        assert f'id="{action}"' in body


def test_an_sdr_logs_an_attempt(sdr, sdr_client):
    lead = make_lead(owner=sdr)

    response = sdr_client.post(
        f"/leads/{lead.pk}/attempt/", {"channel": "phone", "outcome": "voicemail", "notes": "Left a message"}
    )

    assert response.status_code == 302
    attempt = Attempt.objects.get(lead=lead)
    assert (attempt.channel, attempt.outcome, attempt.notes) == ("phone", "voicemail", "Left a message")
    assert attempt.sdr == sdr
    lead.refresh_from_db()
    assert lead.total_attempts == 1 and lead.first_attempt_at is not None
    assert "Logged: Phone – Voicemail." in sdr_client.get(f"/leads/{lead.pk}/").content.decode()


def test_accepting_needs_an_attempt_first_and_the_form_says_so(sdr, sdr_client):
    lead = make_lead(owner=sdr)

    refused = sdr_client.post(f"/leads/{lead.pk}/accept/")
    sdr_client.post(f"/leads/{lead.pk}/attempt/", {"channel": "phone", "outcome": "no_answer"})
    accepted = sdr_client.post(f"/leads/{lead.pk}/accept/")

    assert refused.status_code == 400
    assert "Log at least one contact attempt before accepting the lead." in refused.content.decode()
    assert accepted.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == Stage.SAL and lead.sal_at is not None


def test_an_htmx_action_gets_its_form_back_on_error_and_a_redirect_on_success(sdr, sdr_client):
    lead = make_lead(owner=sdr)
    htmx = {"HTTP_HX_REQUEST": "true"}

    refused = sdr_client.post(f"/leads/{lead.pk}/accept/", **htmx)
    logged = sdr_client.post(f"/leads/{lead.pk}/attempt/", {"channel": "email", "outcome": "sent"}, **htmx)

    assert refused.status_code == 200
    body = refused.content.decode()
    assert body.lstrip().startswith('<section id="act-accept"') and "Log at least one contact attempt" in body
    assert logged.status_code == 204 and logged["HX-Redirect"] == f"/leads/{lead.pk}/"


def test_bant_t_is_scored_0_to_3_with_a_note_and_totals_out_of_15(sdr, sdr_client):
    lead = make_lead(owner=sdr, stage=Stage.SAL)

    missing_note = sdr_client.post(f"/leads/{lead.pk}/qualification/", {**GOOD_BANT, "need_note": ""})
    out_of_range = sdr_client.post(f"/leads/{lead.pk}/qualification/", {**GOOD_BANT, "budget": 4})
    saved = sdr_client.post(f"/leads/{lead.pk}/qualification/", GOOD_BANT)

    assert missing_note.status_code == 400 and "Add a note saying why." in missing_note.content.decode()
    assert out_of_range.status_code == 400
    assert saved.status_code == 302
    assert Qualification.objects.get(lead=lead).total == 12
    assert "BANT+T 12/15" in sdr_client.get(f"/leads/{lead.pk}/").content.decode()


def test_a_disposition_without_a_reason_is_refused_and_nothing_changes(sdr, sdr_client):
    lead = make_lead(owner=sdr, stage=Stage.SAL)
    when = (timezone.localdate() + dt.timedelta(days=60)).isoformat()

    response = sdr_client.post(
        f"/leads/{lead.pk}/disposition/", {**DISPOSITION, "reason": "", "kind": "nurture", "reengage_on": when}
    )

    assert response.status_code == 400
    assert "This is required for every disposition." in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == Stage.SAL and not Disposition.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "nurture"}, "Set a re-engagement date for Nurture."),
        ({"kind": "disqualified"}, "Choose a reason code for a disqualification."),
        ({"kind": ""}, "Choose a disposition."),
    ],
)
def test_each_disposition_asks_for_what_it_needs(sdr, sdr_client, data, message):
    lead = make_lead(owner=sdr, stage=Stage.SAL)

    response = sdr_client.post(f"/leads/{lead.pk}/disposition/", {**DISPOSITION, **data})

    assert response.status_code == 400 and message in response.content.decode()
    assert not Disposition.objects.exists()


def test_nurture_and_disqualified_dispositions_close_the_lead(sdr, sdr_client):
    nurture, dq = make_lead(owner=sdr, stage=Stage.SAL), make_lead(owner=sdr)
    when = (timezone.localdate() + dt.timedelta(days=60)).isoformat()

    sdr_client.post(f"/leads/{nurture.pk}/disposition/", {**DISPOSITION, "kind": "nurture", "reengage_on": when})
    sdr_client.post(f"/leads/{dq.pk}/disposition/", {**DISPOSITION, "kind": "disqualified", "reason_code": "bad_fit"})

    nurture.refresh_from_db()
    dq.refresh_from_db()
    assert nurture.stage == Stage.NURTURE and nurture.reengage_on.isoformat() == when
    assert (dq.stage, dq.disposition_reason) == (Stage.DISQUALIFIED, "bad_fit")


def test_qualified_says_exactly_what_is_missing(sdr, sdr_client):
    lead = make_lead(owner=sdr, stage=Stage.SAL)
    sdr_client.post(f"/leads/{lead.pk}/qualification/", {**GOOD_BANT, "trigger": 0, "budget": 1})

    response = sdr_client.post(f"/leads/{lead.pk}/disposition/", {**DISPOSITION, "kind": "qualified"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Record the completed discovery call." in body
    assert "BANT+T criteria not met: Trigger." in body
    assert "BANT+T score is 9/15; 10/15 is needed." in body
    assert not Handoff.objects.exists()


def test_qualified_with_discovery_and_bant_t_hands_the_lead_to_an_ae(sdr, sdr_client, make_user):
    ae = make_user("ae")
    lead = make_lead(owner=sdr, stage=Stage.SAL)
    sdr_client.post(f"/leads/{lead.pk}/discovery/", {"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    sdr_client.post(f"/leads/{lead.pk}/qualification/", GOOD_BANT)
    assert "Ready to qualify" in sdr_client.get(f"/leads/{lead.pk}/").content.decode()

    response = sdr_client.post(f"/leads/{lead.pk}/disposition/", {**DISPOSITION, "kind": "qualified"})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == Stage.SQL and lead.discovery_call_at is not None
    handoff = Handoff.objects.get(lead=lead)
    assert (handoff.sdr, handoff.ae, handoff.decision) == (sdr, ae, "pending")


def test_a_discovery_call_in_the_future_is_refused(sdr, sdr_client):
    lead = make_lead(owner=sdr, stage=Stage.SAL)
    later = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = sdr_client.post(f"/leads/{lead.pk}/discovery/", {"at": later})

    assert response.status_code == 400 and "once it has taken place" in response.content.decode()


def test_an_sdr_flags_lead_quality_for_marketing(sdr, sdr_client):
    lead = make_lead(owner=sdr)

    empty = sdr_client.post(f"/leads/{lead.pk}/flag/", {"kind": "incorrect_data", "note": ""})
    sdr_client.post(f"/leads/{lead.pk}/flag/", {"kind": "content_gap", "note": "Asked for a cement case study"})

    assert empty.status_code == 400 and "Say what is wrong" in empty.content.decode()
    flag = QualityFlag.objects.get(lead=lead)
    assert (flag.kind, flag.by) == ("content_gap", sdr)


ACTIONS = [
    ("attempt", {"channel": "phone", "outcome": "connected"}),
    ("accept", {}),
    ("discovery", {"at": "2026-01-01T10:00"}),
    ("qualification", GOOD_BANT),
    ("disposition", {**DISPOSITION, "kind": "disqualified", "reason_code": "bad_fit"}),
    ("flag", {"kind": "objection", "note": "Too expensive"}),
]


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_an_sdr_cannot_see_or_change_another_sdrs_lead(sdr_client, make_user, action, data):
    theirs = make_lead(owner=make_user("sdr"), stage=Stage.MQL)
    Attempt.objects.create(lead=theirs, channel="phone", outcome="no_answer", at=timezone.now())

    assert sdr_client.get(f"/leads/{theirs.pk}/").status_code == 404
    assert sdr_client.post(f"/leads/{theirs.pk}/{action}/", data).status_code == 404

    theirs.refresh_from_db()
    assert theirs.stage == Stage.MQL and Attempt.objects.filter(lead=theirs).count() == 1
    assert not (Qualification.objects.exists() or Disposition.objects.exists() or QualityFlag.objects.exists())


def test_the_ae_of_a_handoff_reads_the_lead_but_cannot_work_it(client, sdr, make_user):
    ae = make_user("ae")
    lead = make_lead(owner=sdr, stage=Stage.SQL)
    Handoff.objects.create(lead=lead, sdr=sdr, ae=ae, created_at=timezone.now())
    client.force_login(ae)

    page = client.get(f"/leads/{lead.pk}/")
    posted = client.post(f"/leads/{lead.pk}/flag/", {"kind": "objection", "note": "x"})

    assert page.status_code == 200 and "Read only" in page.content.decode()
    assert posted.status_code == 403 and not QualityFlag.objects.exists()


def test_a_manager_can_work_any_lead(client, sdr, make_user):
    lead = make_lead(owner=sdr)
    client.force_login(make_user("manager"))

    assert client.post(f"/leads/{lead.pk}/attempt/", {"channel": "phone", "outcome": "no_answer"}).status_code == 302
    assert Attempt.objects.filter(lead=lead).count() == 1


def test_every_lead_action_needs_the_csrf_token(sdr):
    lead = make_lead(owner=sdr)
    client = Client(enforce_csrf_checks=True)
    client.force_login(sdr)

    assert client.post(f"/leads/{lead.pk}/attempt/", {"channel": "phone", "outcome": "no_answer"}).status_code == 403
    assert not Attempt.objects.exists()


def test_a_lead_action_does_not_answer_get(sdr_client, sdr):
    lead = make_lead(owner=sdr)
    assert sdr_client.get(f"/leads/{lead.pk}/attempt/").status_code == 405
