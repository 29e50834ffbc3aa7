"""Alerts through the real path (SPEC S20, S21): outbox → Redis → real Celery worker → local fake servers."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone

from leads.models import Event
from notifications.models import DeliveryAttempt, Notification
from notifications.services import Message, notify
from tests.support import fixtures
from tests.support.factories import make_complete_lead, make_member, to_mql
from tests.support.fixtures import SLACK_CHANNEL

# The module-scoped worker stack and the per-test switch (tests/support/fixtures.py).
alert_stack, alerts = fixtures.alert_stack, fixtures.alerts

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def sdr(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    manager = make_user("manager", email="manager@example.in")
    user = make_user("sdr", email="priya@example.in", first_name="Priya")
    make_member(user, slack="U0PRIYA", manager=manager)
    return user


def hot_lead():
    lead = make_complete_lead(grade="A", score_total=86, score_fit=46, score_engagement=40,
                              context="Asked about multi-plant dispatch.")
    Event.objects.create(lead=lead, type="demo_request", asset="Demo form", occurred_at=timezone.now())
    return lead


def test_a_grade_a_mql_posts_one_channel_message_and_one_dm_with_the_handoff_package_within_5_seconds(alerts, sdr):
    lead = hot_lead()
    with transaction.atomic():
        to_mql(lead, now=timezone.now())
    committed = time.time()

    calls = alerts.slack.wait_for(lambda reqs: len(reqs) >= 2, timeout=10)

    assert len(calls) == 2, alerts.worker.log()[-3000:]
    latencies = [round(c.at - committed, 2) for c in calls]
    assert max(latencies) < 5, latencies
    posted = alerts.slack.messages()
    assert sorted(m["channel"] for m in posted) == sorted([SLACK_CHANNEL, "U0PRIYA"])
    for message in posted:
        text = message["text"]
        assert "Asha Rao" in text and "Shree Cement" in text
        assert "Lead Score: 86 (Fit: 46 / Engagement: 40)" in text
        assert "Grade: A" in text
        assert "Source: Cement Dispatch Webinar / webinar / Yard webinar" in text
        assert "Trigger: Demo request (Demo form)" in text
        assert "REQUIRED: First contact within 5 minutes" in text
        assert f"/leads/{lead.pk}/" in text
        assert message["blocks"]
    assert all(c.headers.get("Authorization") == "Bearer xoxb-test-token" for c in calls)
    # Grade A also rings the phone channel, and the SDR gets an email.
    phone = alerts.phone.wait_for(lambda reqs: len(reqs) >= 1, timeout=5)
    assert len(phone) == 1 and phone[0].json["grade"] == "A"
    mails = alerts.smtp.wait_for(1, timeout=5)
    assert [m["to"] for m in mails] == [["priya@example.in"]]
    # Nothing more arrives later: exactly one of each.
    time.sleep(1.5)
    assert len(alerts.slack.messages()) == 2
    assert Notification.objects.filter(status="sent").count() == 4
    # Published on commit, not picked up late by the sweeper.
    assert not Notification.objects.filter(enqueued_at__isnull=True).exists()


def test_a_grade_b_mql_does_not_ring_the_phone(alerts, sdr):
    lead = make_complete_lead(grade="B", score_total=70, score_fit=40, score_engagement=30)
    with transaction.atomic():
        to_mql(lead, now=timezone.now())

    alerts.slack.wait_for(lambda reqs: len(reqs) >= 2, timeout=5)
    time.sleep(0.5)
    assert alerts.phone.requests == []
    assert "REQUIRED: First contact within 60 minutes" in alerts.slack.messages()[0]["text"]


def test_slack_answering_429_then_500_then_200_delivers_the_alert_once(alerts):
    alerts.slack.then(alerts.slack.rate_limited(retry_after=1), alerts.slack.server_error())
    with transaction.atomic():
        notify(key="test:retry", message=Message(subject="Hot lead", text="Hot lead waiting"), team_channel=True)

    alerts.slack.wait_for(lambda reqs: len(reqs) >= 3, timeout=15)
    time.sleep(1.5)

    assert len(alerts.slack.requests) == 3
    row = Notification.objects.get(key="test:retry:slack:channel")
    assert row.status == "sent"
    outcomes = list(DeliveryAttempt.objects.filter(notification=row).values_list("outcome", "status_code"))
    assert outcomes == [("retry", 429), ("retry", 500), ("ok", None)]
    # Retry-After: 1 was honoured before the second try.
    first, second = alerts.slack.requests[0].at, alerts.slack.requests[1].at
    assert second - first >= 0.9


def test_an_invalid_token_fails_for_good_and_is_visible_without_retrying(alerts):
    from tests.support.fakes import Scripted

    alerts.slack.then(Scripted(200, {"ok": False, "error": "invalid_auth"}))
    with transaction.atomic():
        notify(key="test:badtoken", message=Message(subject="x", text="x"), team_channel=True)

    alerts.slack.wait_for(lambda reqs: len(reqs) >= 1, timeout=5)
    deadline = time.monotonic() + 5
    row = Notification.objects.get(key="test:badtoken:slack:channel")
    while time.monotonic() < deadline and row.status != "failed":
        time.sleep(0.1)
        row.refresh_from_db()

    assert row.status == "failed"
    assert "invalid_auth" in row.last_error
    time.sleep(1)
    assert len(alerts.slack.requests) == 1


def test_with_redis_down_a_submission_still_answers_201_and_the_alert_follows_when_it_is_back(alerts, sdr, intake):
    require_private_redis(alerts)
    # Fit 50 + demo request 20: a Grade B MQL from a single new submission.
    form = {"email": "ravi.menon@ultratech.example.in", "first_name": "Ravi", "last_name": "Menon",
            "title": "Head of Logistics", "phone": "+91 98200 00000", "company": "UltraTech", "industry": "Cement",
            "employees": 2400, "revenue_cr": 800, "shipments_per_day": 300,
            "source": {"campaign": "Dispatch ROI", "channel": "paid_search"}, "event": {"type": "demo_request"}}
    alerts.redis.stop()
    try:
        started = time.monotonic()
        resp = intake.post("/api/v1/submissions/", form, format="json")

        assert resp.status_code == 201
        assert (resp.json()["grade"], resp.json()["stage"]) == ("B", "mql")
        assert time.monotonic() - started < 15  # the dead broker costs seconds, never a hang
        pending = Notification.objects.filter(status="pending", enqueued_at__isnull=True)
        assert sorted(pending.values_list("channel", flat=True)) == ["email", "slack", "slack"]
        time.sleep(1)
        assert alerts.slack.requests == []
    finally:
        alerts.redis.start()

    alerts.slack.wait_for(lambda reqs: len(reqs) >= 2, timeout=40)
    time.sleep(2)
    posted = alerts.slack.messages()
    assert sorted(m["channel"] for m in posted) == sorted([SLACK_CHANNEL, "U0PRIYA"])
    assert all("Ravi Menon" in m["text"] and "Grade: B" in m["text"] for m in posted)
    assert Notification.objects.filter(status="sent").count() == 3


def require_private_redis(stack) -> None:
    from tests.conftest import require_service

    require_service(stack.redis is not None, "redis-server binary (to stop and restart a private broker)")


def test_a_grade_a_web_form_submission_alerts_the_team_channel_and_the_sdr_once_within_5_seconds(
    alerts, sdr, intake
):
    email = "asha.rao@shreecement.example.in"
    # Engagement first, without the fit data: the lead stays cold and silent.
    assert intake.post("/api/v1/submissions/", {"email": email, "event": {"type": "website_visit"}},
                       format="json").status_code == 201
    events = [{"email": email, "type": t} for t in ("pricing_page_visit", "case_study_download", "webinar_attendance")]
    assert intake.post("/api/v1/events/", events, format="json").status_code in (200, 201)
    assert alerts.slack.requests == []
    # The demo request with the full form makes it a Grade A MQL.
    form = {"email": email, "first_name": "Asha", "last_name": "Rao", "title": "VP Logistics",
            "phone": "+91 98450 00000", "company": "Shree Cement", "industry": "Cement", "function": "Logistics",
            "employees": 1200, "revenue_cr": 450, "shipments_per_day": 220,
            "source": {"campaign": "Cement Dispatch Webinar", "channel": "webinar", "content": "Yard webinar"},
            "event": {"type": "demo_request", "asset": "Demo form"}, "context": "Asked about multi-plant dispatch."}
    resp = intake.post("/api/v1/submissions/", form, format="json")
    posted_at = time.time()

    assert resp.status_code == 200
    body = resp.json()
    assert (body["grade"], body["stage"], body["owner"]) == ("A", "mql", sdr.username)
    calls = alerts.slack.wait_for(lambda reqs: len(reqs) >= 2, timeout=10)
    assert max(c.at - posted_at for c in calls) < 5
    time.sleep(1.5)
    posted = alerts.slack.messages()
    assert sorted(m["channel"] for m in posted) == sorted([SLACK_CHANNEL, "U0PRIYA"])
    score = body["score"]
    for message in posted:
        text = message["text"]
        assert "Asha Rao" in text and "Shree Cement" in text and "Grade: A" in text
        assert f"Lead Score: {score['total']} (Fit: {score['fit']} / Engagement: {score['engagement']})" in text
        assert "Source: Cement Dispatch Webinar / webinar / Yard webinar" in text
        assert "Trigger: Demo request (Demo form)" in text
        assert "REQUIRED: First contact within 5 minutes" in text
