"""A Celery worker SIGKILLed in the middle of delivering alerts: after a restart every alert is delivered once.

Real pieces: a private redis-server, a real `celery worker` subprocess (the
SLA helper's tests/support/worker.py), and a phone-provider endpoint that
answers slowly so the kill lands while a delivery is in flight. What keeps the
promise: tasks are acknowledged late (a killed worker's unacknowledged and
unstarted messages stay in Redis), each outbox row is claimed before sending
and marked sent after, the beat sweeper re-publishes rows whose claim expired,
and every phone delivery carries the row's Idempotency-Key so the provider can
drop the one repeat a kill mid-request can cause.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import DeliveryAttempt, Notification
from notifications.services import Message, notify
from tests.conftest import require_service
from tests.support import worker as worker_support
from tests.support.fakes import Recorded, Scripted, _Server
from tests.support.worker import CeleryWorker, RedisServer, point_app_at

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ALERTS = 6


def _slow_ok(rec: Recorded) -> Scripted:
    # Slow enough that a kill is sure to land while one delivery is in flight.
    time.sleep(0.4)
    return Scripted(200, {"ok": True})


def _wait(condition, what: str, timeout: float, worker: CeleryWorker | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    log = worker.log()[-4000:] if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


@pytest.fixture
def broker(settings):  # type: ignore[no-untyped-def]
    require_service(settings.IS_POSTGRES, "PostgreSQL (set DATABASE_URL) for a worker sharing the test database")
    require_service(RedisServer.available(), "redis-server (a private broker for the worker)")
    redis = RedisServer()
    redis.start()
    point_app_at(redis.url, {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5})
    yield redis
    point_app_at(settings.CELERY_BROKER_URL)
    redis.stop()


def test_a_worker_killed_mid_delivery_delivers_every_alert_exactly_once_after_restart(broker, settings):
    phone = _Server(_slow_ok)
    settings.PHONE_WEBHOOK_URL = f"{phone.url}phone"
    env = {"DATABASE_URL": worker_support.test_database_url(), "REDIS_URL": broker.url,
           "PHONE_WEBHOOK_URL": settings.PHONE_WEBHOOK_URL}
    first, second = CeleryWorker(env), CeleryWorker(env)
    try:
        first.start()
        with transaction.atomic():
            for i in range(ALERTS):
                notify(key=f"hot-lead:{i}", message=Message(subject=f"Hot lead {i}", text="Call now"), phone=True)

        _wait(lambda: len(phone.requests) >= 2, "the first deliveries", 20, first)
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(5)
        seen_at_kill = Counter(r.headers["Idempotency-Key"] for r in phone.requests)
        sent_at_kill = set(Notification.objects.filter(status="sent").values_list("key", flat=True))
        in_flight = set(Notification.objects.filter(status="sending").values_list("key", flat=True))
        assert len(sent_at_kill) < ALERTS, "the kill came too late to prove anything"
        # A claim lasts two minutes so a slow send is never doubled; a dead worker's
        # claim simply expires. Fast-forward that expiry instead of waiting for it.
        expired = timezone.now() - timedelta(minutes=5)
        Notification.objects.filter(status="sending").update(claimed_until=expired, enqueued_at=expired)

        second.start()
        _wait(lambda: Notification.objects.filter(status="sent").count() == ALERTS, "every alert sent", 40, second)
        time.sleep(1.5)  # anything sent twice would arrive now
    finally:
        first.stop()
        second.stop()
        phone.stop()

    delivered = Counter(r.headers["Idempotency-Key"] for r in phone.requests)
    keys = {f"hot-lead:{i}:phone" for i in range(ALERTS)}
    # Every alert reached the provider, and by its idempotency key exactly once.
    assert set(delivered) == keys
    # Alerts delivered before the kill were never sent again; the only possible repeat
    # is the request cut off by the kill, and it carries the same key.
    for key in sent_at_kill:
        assert delivered[key] == 1, f"{key} was sent again after it was recorded as delivered"
    repeats = {key for key, n in delivered.items() if n > 1}
    assert repeats <= in_flight | {k for k, n in seen_at_kill.items() if k not in sent_at_kill}
    for row in Notification.objects.all():
        assert row.status == "sent" and row.sent_at is not None
        assert DeliveryAttempt.objects.filter(notification=row, outcome="ok").count() == 1
    # The attempt the kill interrupted stays on record, unfinished: visible, not silently lost.
    interrupted = DeliveryAttempt.objects.filter(finished_at__isnull=True)
    unfinished = set(interrupted.values_list("notification__key", flat=True))
    assert unfinished <= in_flight
