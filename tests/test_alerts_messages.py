"""Message builders (SPEC S19, S20): the handoff data package and the escalation template, field by field."""

from __future__ import annotations

import datetime as dt

import pytest

from leads.models import Event
from notifications.messages import escalation_notice, mql_alert
from tests.support.factories import make_complete_lead

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)


def test_the_mql_alert_carries_the_frameworks_handoff_data_package():
    lead = make_complete_lead(grade="A", score_total=86, score_fit=46, score_engagement=40,
                              context="Asked about multi-plant dispatch.")
    events = [
        Event.objects.create(lead=lead, type="pricing_page_visit", occurred_at=T0),
        Event.objects.create(lead=lead, type="demo_request", asset="Demo form", occurred_at=T0 - dt.timedelta(days=1)),
    ]

    message = mql_alert(lead=lead, events=events, target=dt.timedelta(minutes=5), due_at=T0 + dt.timedelta(minutes=5))

    lines = message.text.splitlines()
    assert lines[0] == "NEW MQL ALERT"
    assert "Contact: Asha Rao, VP Logistics" in lines
    assert "Company: Shree Cement | Cement" in lines
    assert "Lead Score: 86 (Fit: 46 / Engagement: 40)" in lines
    assert "Grade: A" in lines
    assert "Source: Cement Dispatch Webinar / webinar / Yard webinar" in lines
    assert "Trigger: Demo request (Demo form)" in lines
    assert "• 03 Dec 2026: Pricing page visit" in lines
    assert "• 02 Dec 2026: Demo request – Demo form" in lines
    assert "Asked about multi-plant dispatch." in lines
    assert "REQUIRED: First contact within 5 minutes (by Thu 03 Dec 10:05 IST)" in lines
    assert lines[-1].endswith(f"/leads/{lead.pk}/")
    assert message.blocks[0]["type"] == "header"
    assert message.data["grade"] == "A" and message.data["phone"] == lead.phone


def test_hours_targets_read_as_hours():
    lead = make_complete_lead(grade="C")

    message = mql_alert(lead=lead, events=[], target=dt.timedelta(hours=24), due_at=T0, periodic_check=True)

    assert message.text.startswith("PERIODIC CHECK (GRADE C)")
    assert "First contact within 24 hours" in message.text
    assert "Trigger: —" in message.text


def test_the_escalation_notice_has_every_template_field():
    notice = escalation_notice(level=2, raised_by="Meera Iyer, Sales", date=dt.date(2026, 12, 7),
                               description="Speed-to-lead missed 3 weeks running", evidence="62%, 58%, 55% within SLA",
                               impact="Hot leads cool off", resolution="Add an SDR on the morning shift",
                               requested_action="Manager-to-manager review this week")

    for field in ("ESCALATION NOTICE", "Issue Type: Level 2", "Raised By: Meera Iyer, Sales", "Date: 07 Dec 2026",
                  "Issue Description:", "Data/Evidence:", "Impact:", "Proposed Resolution:", "Requested Action:"):
        assert field in notice.text
    assert notice.subject.startswith("Escalation Level 2")
