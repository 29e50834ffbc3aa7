"""The SDR → AE path in a real browser (issue 5): queue, lead page, qualification, handoff, rejection."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from accounts.services import api_key_issue
from leads.models import Attempt, Handoff, Lead, Stage
from tests.pages import make_clock, make_lead

from .conftest import logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
if not settings.IS_POSTGRES:
    # On SQLite the live server shares one in-memory connection between threads, and Django's
    # request threads then complain when they close it; the pages work all the same.
    pytestmark.append(pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"))

HOT_LEAD = {
    "email": "asha.iyer@shreecement.example.in",
    "first_name": "Asha",
    "last_name": "Iyer",
    "title": "VP Logistics",
    "phone": "+91 98200 11223",
    "company": "Shree Cement",
    "industry": "Cement",
    "function": "Logistics",
    "employees": 1200,
    "revenue_cr": 450,
    "shipments_per_day": 220,
    "source": {"campaign": "Cement Dispatch Webinar Series", "channel": "webinar"},
    "event": {"type": "demo_request", "asset": "Demo form"},
    "context": "Wants to cut truck turnaround at the Beawar plant before the monsoon.",
}


def test_a_hot_lead_goes_from_api_to_the_sdr_queue_to_the_ae_and_back_with_a_coaching_flag(
    page, live_server, person, login
):
    sdr = person("priya", "sdr", first_name="Priya", last_name="Nair")
    person("vikram", "ae", first_name="Vikram", last_name="Singh")
    # Work already in Priya's queue: due later, and no clock at all. The hot lead must go above both.
    later = make_lead(owner=sdr, grade="B", company="Deccan Steel", first_name="Rahul")
    make_clock(later, due_in=dt.timedelta(hours=1))
    make_lead(owner=sdr, grade="C", company="Kaveri Paper", first_name="Neha", stage=Stage.SAL)

    # The lead arrives by API: a demo request, then pricing and case-study engagement.
    _, key = api_key_issue(name="web-forms", scope="intake")
    auth = {"Authorization": f"Bearer {key}"}
    created = requests.post(f"{live_server.url}/api/v1/submissions/", json=HOT_LEAD, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    events = [
        {"email": HOT_LEAD["email"], "type": "pricing_page_visit", "asset": "/pricing"},
        {"email": HOT_LEAD["email"], "type": "case_study_download", "asset": "Case study: Steel major"},
    ]
    scored = requests.post(f"{live_server.url}/api/v1/events/", json=events, headers=auth, timeout=10)
    assert scored.status_code in (200, 201), scored.text
    lead = Lead.objects.get(email=HOT_LEAD["email"])
    assert (lead.grade, lead.stage, lead.owner_id) == ("A", Stage.MQL, sdr.pk), "scoring + SLA assignment"

    # The SDR lands on the queue; the hot lead is on top with a live countdown and its next step.
    login(page, "priya")
    assert page.url.endswith("/queue/")
    first = page.locator("table.queue tbody tr").first
    assert first.get_attribute("data-lead") == str(lead.pk)
    countdown = first.locator("td.due [data-due]")
    before = countdown.inner_text()
    assert re.search(r"\d+m \d\ds", before), before
    page.wait_for_function(
        "([el, t]) => el.textContent !== t", arg=[countdown.element_handle(), before], timeout=3000
    )
    assert first.locator(".grade").inner_text() == "A"
    shot(page, "queue")

    # Keyboard: j selects the top row, Enter opens it.
    page.keyboard.press("j")
    assert "selected" in first.get_attribute("class")
    page.keyboard.press("Enter")

    # Lead page: log a connected call, accept, discovery, BANT+T, then Qualified.
    page.wait_for_url(f"**/leads/{lead.pk}/")
    assert "Handoff data package" in page.inner_text("body")
    page.select_option("#act-attempt select[name=channel]", "phone")
    page.select_option("#act-attempt select[name=outcome]", "connected")
    page.fill("#act-attempt textarea[name=notes]", "Spoke with Asha; dispatch delays at two plants.")
    page.click("#act-attempt button[type=submit]")
    page.wait_for_selector("text=Logged: Phone – Connected.")
    page.click("#act-accept button[type=submit]")
    page.wait_for_selector("text=Accepted: the lead is now a Sales Accepted Lead")
    page.click("#act-discovery button[type=submit]")
    page.wait_for_selector("text=Discovery call recorded.")
    scores = {"budget": "2", "authority": "3", "need": "3", "timeline": "2", "trigger": "2"}
    for criterion, value in scores.items():
        page.select_option(f"#act-qualification select[name={criterion}]", value)
        page.fill(f"#act-qualification input[name={criterion}_note]", f"{criterion}: confirmed on the call")
    page.click("#act-qualification button[type=submit]")
    page.wait_for_selector("text=BANT+T saved: 12/15.")
    shot(page, "lead-page")
    page.select_option("#act-disposition select[name=kind]", "qualified")
    page.fill("#act-disposition textarea[name=summary]", "Two discovery conversations; budget approved for FY27.")
    page.fill("#act-disposition textarea[name=reason]", "Meets BANT+T 12/15; evaluating TMS this quarter.")
    page.fill("#act-disposition textarea[name=next_steps]", "AE demo of dispatch planning within 48 h.")
    page.click("#act-disposition button[type=submit]")
    page.wait_for_selector("text=Qualified: the SQL has been handed to an AE.")
    handoff = Handoff.objects.get(lead=lead)
    logout(page)

    # The AE lands on the inbox, opens the handoff (review recorded) and rejects it as Misqualified.
    login(page, "vikram")
    assert page.url.endswith("/handoffs/")
    row = page.locator(f"table.inbox tr[data-lead='{handoff.pk}']")
    assert "Shree Cement" in row.inner_text()
    shot(page, "ae-inbox")
    row.locator("a.rowlink").click()
    page.wait_for_url(f"**/handoffs/{handoff.pk}/")
    handoff.refresh_from_db()
    assert handoff.reviewed_at is not None
    shot(page, "handoff-page")
    page.select_option("#ho-reject select[name=category]", "misqualified")
    page.fill("#ho-reject textarea[name=reason]", "Budget is for a WMS, not transport; no TMS project this year.")
    page.select_option("#ho-reject select[name=recommendation]", "requalify")
    page.click("#ho-reject button[type=submit]")
    page.wait_for_selector("text=Rejected (Misqualified)")
    logout(page)

    # Back with the SDR: in the queue again, flagged for coaching, feedback call owed.
    login(page, "priya")
    row = page.locator(f"table.queue tr[data-lead='{lead.pk}']")
    assert "Coaching" in row.inner_text()
    assert "Misqualified" in page.inner_text("section.returned")
    shot(page, "queue-returned")
    lead.refresh_from_db()
    assert lead.stage == Stage.SAL and lead.coaching_flag


def test_the_disposition_form_refuses_a_missing_reason(page, live_server, person, login):
    sdr = person("priya", "sdr")
    lead = make_lead(owner=sdr, grade="B", stage=Stage.SAL)
    login(page, "priya")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.select_option("#act-disposition select[name=kind]", "nurture")
    page.fill("#act-disposition textarea[name=summary]", "Interested, but budget opens next year.")
    page.fill("#act-disposition textarea[name=next_steps]", "Nurture with the cement case study.")
    page.fill("#act-disposition input[name=reengage_on]", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    page.click("#act-disposition button[type=submit]")
    error = page.locator("#act-disposition .has-error .errorlist")
    error.wait_for()
    assert "required for every disposition" in error.inner_text()
    shot(page, "disposition-refused")
    # What was typed survives the refusal, and nothing changed.
    assert page.input_value("#act-disposition textarea[name=summary]") == "Interested, but budget opens next year."
    lead.refresh_from_db()
    assert lead.stage == Stage.SAL and lead.disposition == ""


def test_an_sdr_is_denied_another_sdrs_lead(page, live_server, person, login):
    priya = person("priya", "sdr")
    rohan = person("rohan", "sdr")
    theirs = make_lead(owner=rohan, grade="A")
    mine = make_lead(owner=priya, grade="B", company="Kaveri Paper")
    login(page, "priya")
    response = page.goto(f"{live_server.url}/leads/{theirs.pk}/")
    assert response.status == 404
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(
        f"{live_server.url}/leads/{theirs.pk}/attempt/",
        form={"channel": "phone", "outcome": "connected", "notes": "not mine"},
        headers={"X-CSRFToken": token, "Referer": f"{live_server.url}/queue/"},
    )
    assert posted.status == 404
    assert not Attempt.objects.filter(lead=theirs).exists()
    page.goto(f"{live_server.url}/queue/")
    assert theirs.company not in page.inner_text("main")
    # Searching narrows the list in place (htmx), without a page load.
    page.keyboard.press("/")
    page.keyboard.type("no such company")
    page.locator("#queue-results .empty").wait_for()
    page.fill("#q", "kaveri")
    page.locator(f"#queue-results tr[data-lead='{mine.pk}']").wait_for()
    assert "q=kaveri" in page.url
