"""The outbox's promises without a worker (SPEC S21): idempotent keys, claims, retries, back-off, throttling,
failures visible and retryable in admin, channels off skipped with a log line."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from notifications import services
from notifications.models import DeliveryAttempt, Notification
from notifications.services import Message, notification_deliver, notifications_deliver_due, notify
from tests.support.fakes import FakeSlack, Receiver, Scripted

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)
SEC = dt.timedelta(seconds=1)


@pytest.fixture(scope="module")
def slack():
    server = FakeSlack()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def phone():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def channels(settings, slack, phone, monkeypatch):
    slack.reset()
    phone.reset()
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_BASE_URL = f"{slack.url}api/"
    settings.SLACK_ALERT_CHANNEL = "C0TEAM"
    settings.PHONE_WEBHOOK_URL = f"{phone.url}phone"
    settings.EMAIL_URL = ""
    published: list[tuple[list[int], float | None]] = []
    monkeypatch.setattr(services, "enqueue", lambda ids, countdown=None: published.append((list(ids), countdown)))
    return published


def deliver(pk, at):
    with time_machine.travel(at, tick=False):
        return notification_deliver(notification_id=pk, now=timezone.now())


def test_the_same_key_twice_writes_one_row_per_recipient(channels):
    message = Message(subject="Hot lead", text="Call now")

    first = notify(key="mql:1:100", message=message, team_channel=True, phone=True, now=T0)
    second = notify(key="mql:1:100", message=message, team_channel=True, phone=True, now=T0)

    assert len(first) == 2
    assert second == []
    assert Notification.objects.count() == 2


def test_a_channel_that_is_not_configured_is_skipped_with_a_log_line(channels, settings, caplog):
    settings.PHONE_WEBHOOK_URL = ""
    settings.SLACK_BOT_TOKEN = ""

    with caplog.at_level(logging.INFO, logger="notifications.services"):
        rows = notify(key="k1", message=Message(subject="s", text="t"), team_channel=True, phone=True, now=T0)

    assert rows == []
    (line,) = [r.getMessage() for r in caplog.records if r.name == "notifications.services"]
    assert "phone channel skipped (PHONE_WEBHOOK_URL not set)" in line
    assert "slack team channel skipped" in line


def test_a_delivered_row_is_never_sent_again(channels, slack):
    (row,) = notify(key="k2", message=Message(subject="s", text="hello"), team_channel=True, now=T0)

    assert deliver(row.pk, T0) == "sent"
    assert deliver(row.pk, T0 + SEC) == "skipped"

    assert len(slack.messages()) == 1
    assert DeliveryAttempt.objects.filter(notification=row).count() == 1


def test_a_row_claimed_by_another_worker_is_not_sent_twice(channels, slack):
    (row,) = notify(key="k3", message=Message(subject="s", text="hello"), team_channel=True, now=T0)
    Notification.objects.filter(pk=row.pk).update(status="sending", claimed_until=T0 + dt.timedelta(minutes=2))

    assert deliver(row.pk, T0 + SEC) == "skipped"
    assert slack.requests == []
    # …but a claim whose worker died is taken over once it expires.
    assert deliver(row.pk, T0 + dt.timedelta(minutes=3)) == "sent"


def test_retry_after_from_slack_sets_the_next_attempt(channels, slack):
    slack.then(slack.rate_limited(retry_after=7))
    (row,) = notify(key="k4", message=Message(subject="s", text="hello"), team_channel=True, now=T0)

    assert deliver(row.pk, T0) == "pending"

    row.refresh_from_db()
    assert row.next_attempt_at == T0 + 7 * SEC
    assert channels[-1] == ([row.pk], 7.0)
    assert deliver(row.pk, T0 + 6 * SEC) == "skipped"  # not due yet
    assert deliver(row.pk, T0 + 7 * SEC) == "sent"


def test_server_errors_back_off_exponentially_then_fail_for_good(channels, phone):
    phone.then(*[Scripted(503, "busy") for _ in range(services.MAX_ATTEMPTS)])
    (row,) = notify(key="k5", message=Message(subject="s", text="t"), phone=True, now=T0)
    at, delays = T0, []

    for _ in range(services.MAX_ATTEMPTS - 1):
        assert deliver(row.pk, at) == "pending"
        row.refresh_from_db()
        delays.append((row.next_attempt_at - at).total_seconds())
        at = row.next_attempt_at
    assert deliver(row.pk, at) == "failed"

    assert delays == [1, 2, 4, 8, 16, 32, 64]
    row.refresh_from_db()
    assert row.status == "failed" and "503" in row.last_error
    assert DeliveryAttempt.objects.filter(notification=row).count() == services.MAX_ATTEMPTS


def test_a_4xx_answer_is_permanent(channels, phone):
    phone.then(Scripted(404, "no such hook"))
    (row,) = notify(key="k6", message=Message(subject="s", text="t"), phone=True, now=T0)

    assert deliver(row.pk, T0) == "failed"
    assert len(phone.requests) == 1


def test_slack_messages_to_one_channel_are_spaced_a_second_apart(channels, slack):
    (a,) = notify(key="k7", message=Message(subject="s", text="one"), team_channel=True, now=T0)
    (b,) = notify(key="k8", message=Message(subject="s", text="two"), team_channel=True, now=T0)

    assert deliver(a.pk, T0) == "sent"
    assert deliver(b.pk, T0 + 0.2 * SEC) == "pending"

    b.refresh_from_db()
    assert b.next_attempt_at >= T0 + SEC
    assert b.attempts == 0  # waiting for the rate limit is not a failed attempt
    assert deliver(b.pk, b.next_attempt_at) == "sent"


def test_the_sweeper_republishes_rows_that_were_never_enqueued(channels):
    (row,) = notify(key="k9", message=Message(subject="s", text="t"), team_channel=True, now=T0)
    channels.clear()

    with time_machine.travel(T0 + SEC, tick=False):
        notifications_deliver_due(now=timezone.now())

    assert channels == [([row.pk], None)]


def test_a_failed_notification_can_be_retried_from_admin(
    channels, phone, admin_user, django_capture_on_commit_callbacks
):
    phone.then(Scripted(400, "bad"))
    (row,) = notify(key="k10", message=Message(subject="s", text="t"), phone=True, now=T0)
    assert deliver(row.pk, T0) == "failed"
    model_admin = site._registry[Notification]
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    request._messages = type("M", (), {"add": lambda *a, **k: None})()

    with django_capture_on_commit_callbacks(execute=True):
        model_admin.retry(request, Notification.objects.filter(pk=row.pk))

    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 0
    assert channels[-1] == ([row.pk], None)
    assert deliver(row.pk, timezone.now()) == "sent"
