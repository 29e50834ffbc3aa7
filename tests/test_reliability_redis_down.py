"""Redis down during intake: submissions still succeed, and alerts and breach checks catch up once it is back.

A private redis-server is the broker (and the throttle's cache) for this
process and for a real worker with embedded beat; it is stopped while leads
arrive and an SLA clock falls due, then started again. The alert outbox and
the clock table are in Postgres, so nothing is lost while Redis is away, and
the idempotent outbox keys mean nothing arrives twice once it is back. (The
SLA helper's test_alerts_delivery.py covers the MQL alert itself following a
Redis outage; this test adds intake through the API, breach detection and the
exactly-once count.)
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from leads.models import Lead
from notifications.models import Notification
from sla.models import SlaClock
from tests.conftest import require_service
from tests.support import worker as worker_support
from tests.support.factories import make_complete_lead, make_member, to_mql
from tests.support.fakes import FakeSlack, FakeSmtp, Receiver
from tests.support.fixtures import channel_env
from tests.support.worker import CeleryWorker, RedisServer, point_app_at

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# Fit 50 (Cement, 1200 people, ₹450 cr, 220 shipments/day, VP) + a demo request 20 = 70: a Grade B MQL.
WARM_MQL = {
    "email": "ravi@ultratech.example.in", "first_name": "Ravi", "last_name": "Iyer", "title": "VP Logistics",
    "phone": "+91 98450 11111", "company": "UltraTech Cement", "industry": "Cement", "employees": 1200,
    "revenue_cr": 450, "shipments_per_day": 220, "source": {"campaign": "Expo", "channel": "event"},
    "event": {"type": "demo_request"},
}


def _wait(condition, what: str, timeout: float, worker: CeleryWorker) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{worker.log()[-4000:]}")


@pytest.fixture
def stack(settings):  # type: ignore[no-untyped-def]
    require_service(settings.IS_POSTGRES, "PostgreSQL (set DATABASE_URL) for a worker sharing the test database")
    require_service(RedisServer.available(), "redis-server (a private Redis to take away)")
    slack, smtp, phone = FakeSlack(), FakeSmtp(), Receiver()
    redis = RedisServer()
    redis.start()
    env = channel_env(slack, smtp, phone)
    for name, value in env.items():
        setattr(settings, name, value)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    point_app_at(redis.url, {"visibility_timeout": 3600, "socket_connect_timeout": 1, "socket_timeout": 2})
    worker = CeleryWorker({"DATABASE_URL": worker_support.test_database_url(), "REDIS_URL": redis.url, **env})
    try:
        worker.start()
        yield slack, smtp, redis, worker
    finally:
        worker.stop()
        redis.stop()
        point_app_at(settings.CELERY_BROKER_URL)
        slack.stop(), phone.stop(), smtp.stop()


def test_with_redis_down_intake_succeeds_and_alerts_and_breaches_catch_up_exactly_once(stack, intake, make_user):
    slack, smtp, redis, worker = stack
    manager = make_user("manager", email="meera@example.in")
    sdr = make_user("sdr", email="priya@example.in")
    make_member(sdr, slack="U0PRIYA", manager=manager)

    redis.stop()
    started = time.monotonic()
    resp = intake.post("/api/v1/submissions/", WARM_MQL, format="json")
    # An MQL whose five-minute first-attempt clock ran out while Redis was away.
    overdue = make_complete_lead(grade="A", score_total=85, owner=sdr)
    with transaction.atomic():
        to_mql(overdue, now=timezone.now() - timedelta(minutes=10))
    took = time.monotonic() - started

    assert resp.status_code == 201
    body = resp.json()
    # Scored, graded, promoted and assigned at once: none of that needs Redis.
    assert (body["stage"], body["grade"], body["score"]["total"]) == ("mql", "B", 70)
    assert body["owner"] == sdr.username
    assert Lead.objects.filter(email=WARM_MQL["email"]).exists()
    assert took < 10, f"a dead Redis must cost seconds, not hang intake ({took:.1f}s)"
    clock = SlaClock.objects.get(lead=overdue, kind="first_attempt")
    assert clock.due_at < timezone.now()
    time.sleep(1)
    clock.refresh_from_db()
    assert clock.state == "running"  # nobody can sweep while the broker is away
    assert slack.requests == [] and smtp.messages == []
    pending = set(Notification.objects.values_list("key", flat=True))
    assert pending, "the MQL alert must be waiting in the outbox"

    redis.start()

    _wait(lambda: SlaClock.objects.get(pk=clock.pk).state == "breached", "the breach to be recorded", 30, worker)
    _wait(lambda: Notification.objects.exclude(status="sent").count() == 0 and Notification.objects.filter(
        key__startswith=f"breach:{clock.pk}:").exists(), "every alert to be delivered", 40, worker)
    time.sleep(2)  # anything delivered twice would arrive now

    keys = set(Notification.objects.values_list("key", flat=True))
    assert pending <= keys
    assert any(k.startswith(f"breach:{clock.pk}:") for k in keys)
    assert clock.transitions.filter(to_state="breached").count() == 1
    slack_deliveries = Counter((m["channel"], m["text"]) for m in slack.messages())
    assert all(n == 1 for n in slack_deliveries.values()), slack_deliveries
    assert len(slack.messages()) == Notification.objects.filter(channel="slack").count()
    mails = Counter((tuple(m["to"]), m["data"].split("X-SLAOps-Key: ", 1)[-1].splitlines()[0]) for m in smtp.messages)
    assert all(n == 1 for n in mails.values()), mails
    assert len(smtp.messages) == Notification.objects.filter(channel="email").count()
    assert ("meera@example.in",) in {to for to, _ in mails}  # the breach reached the SDR's manager
