"""AE commitments as clocks (SPEC S17): review 4 h, decision 24 h, demo 48 h, feedback call 48 h."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leads import services as lead_services
from sla.models import SlaClock
from sla.services import clocks_sweep
from tests.support.factories import make_lead

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def handoff(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_URL = "smtp://127.0.0.1:2525"
    sdr = make_user("sdr")
    make_user("ae", email="ae@example.in")
    lead = make_lead(grade="A", stage="sql", owner=sdr)
    return lead_services.handoff_create(lead=lead, sdr=sdr, now=T0)


def clock(handoff, kind):
    return SlaClock.objects.get(handoff=handoff, kind=kind)


def test_a_handoff_goes_to_an_ae_with_review_and_decision_clocks(handoff):
    assert handoff.ae.groups.filter(name="ae").exists()
    assert clock(handoff, "ae_review").due_at == T0 + 4 * H
    assert clock(handoff, "ae_decision").due_at == T0 + 24 * H
    assert clock(handoff, "ae_review").owner == handoff.ae


def test_the_ae_is_told_of_the_handoff_with_its_deadlines(handoff):
    from notifications.models import Notification

    (email,) = Notification.objects.filter(key__startswith=f"handoff:{handoff.pk}:", channel="email")
    assert email.target == handoff.ae.email
    assert "NEW SQL HANDOFF" in email.text
    assert "REQUIRED: Review by Thu 03 Dec 14:00 IST; accept or reject by Fri 04 Dec 10:00 IST" in email.text


def test_opening_within_four_hours_meets_the_review_clock(handoff):
    lead_services.handoff_open(handoff=handoff, user=handoff.ae, now=T0 + 3 * H)

    assert clock(handoff, "ae_review").state == "met"
    assert clock(handoff, "ae_decision").state == "running"


def test_an_unopened_handoff_breaches_review_at_four_hours(handoff):
    clocks_sweep(now=T0 + 4 * H)

    assert clock(handoff, "ae_review").state == "breached"
    assert clock(handoff, "ae_decision").state == "running"


def test_acceptance_without_a_demo_starts_the_48_hour_demo_clock(handoff):
    lead_services.handoff_accept(handoff=handoff, user=handoff.ae, amount_lakh=Decimal("25"), demo_at=None,
                                 now=T0 + 2 * H)

    assert clock(handoff, "ae_decision").state == "met"
    demo = clock(handoff, "demo_scheduling")
    assert demo.due_at == T0 + 50 * H
    lead_services.handoff_schedule_demo(handoff=handoff, user=handoff.ae, demo_at=T0 + 96 * H, now=T0 + 30 * H)
    assert clock(handoff, "demo_scheduling").state == "met"


def test_a_rejection_starts_the_feedback_call_clock(handoff):
    lead_services.handoff_reject(handoff=handoff, user=handoff.ae, category="not_ready", reason="No budget till Q3",
                                 recommendation="nurture", now=T0 + H)

    feedback = clock(handoff, "feedback_call")
    assert feedback.due_at == T0 + 49 * H
    clocks_sweep(now=T0 + 49 * H)
    assert clock(handoff, "feedback_call").state == "breached"


def test_a_feedback_call_within_48_hours_is_met(handoff):
    lead_services.handoff_reject(handoff=handoff, user=handoff.ae, category="misqualified", reason="No authority",
                                 recommendation="requalify", now=T0 + H)
    lead_services.feedback_call_done(handoff=handoff, user=handoff.ae, now=T0 + 20 * H)

    assert clock(handoff, "feedback_call").state == "met"
