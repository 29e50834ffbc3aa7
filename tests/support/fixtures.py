"""Fixtures for tests that need the real delivery path. Import them into the test module:

    from tests.support import fixtures
    alert_stack, alerts = fixtures.alert_stack, fixtures.alerts

`alert_stack` (module scope) starts the fakes, a private Redis (or uses
REDIS_URL) and one real Celery worker with embedded beat for the whole module;
`alerts` (per test) switches the channels on in this process too, empties the
fakes and gives a transactional database the worker can see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings

from tests.conftest import require_service

from .fakes import FakeSlack, FakeSmtp, Receiver
from .worker import CeleryWorker, RedisServer, point_app_at, test_database_url

SLACK_TOKEN = "xoxb-test-token"
SLACK_CHANNEL = "C0SDRTEAM"


@dataclass
class AlertStack:
    slack: FakeSlack
    smtp: FakeSmtp
    phone: Receiver
    hooks: Receiver
    worker: CeleryWorker
    redis: RedisServer | None

    def channel_settings(self) -> dict[str, str]:
        """The channel settings the worker runs with (as environment), for this process's `settings`."""
        return channel_env(self.slack, self.smtp, self.phone)

    def reset(self) -> None:
        for server in (self.slack, self.phone, self.hooks):
            server.reset()
        self.smtp.reset()


def channel_env(slack: FakeSlack, smtp: FakeSmtp, phone: Receiver) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_API_BASE_URL": f"{slack.url}api/",
        "SLACK_ALERT_CHANNEL": SLACK_CHANNEL,
        "EMAIL_URL": smtp.url,
        "PHONE_WEBHOOK_URL": f"{phone.url}phone",
    }


@pytest.fixture(scope="module")
def alert_stack(django_db_setup, django_db_blocker) -> Iterator[AlertStack]:  # type: ignore[no-untyped-def]
    """Fake Slack/SMTP/phone/webhook servers, a broker and one real worker for the module."""
    require_service(settings.IS_POSTGRES, "PostgreSQL (set DATABASE_URL) for a worker sharing the test database")
    require_service(RedisServer.available() or bool(settings.REDIS_URL), "Redis (redis-server or REDIS_URL)")
    slack, smtp, phone, hooks = FakeSlack(), FakeSmtp(), Receiver(), Receiver()
    redis = RedisServer() if RedisServer.available() else None
    if redis is not None:
        redis.start()
    broker = redis.url if redis is not None else settings.REDIS_URL
    point_app_at(broker, {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5})
    worker = CeleryWorker(
        {"DATABASE_URL": test_database_url(), "REDIS_URL": broker, **channel_env(slack, smtp, phone)}
    )
    try:
        worker.start()
        worker.warm_up()
        yield AlertStack(slack, smtp, phone, hooks, worker, redis)
    finally:
        worker.stop()
        if redis is not None:
            redis.stop()
        point_app_at(settings.CELERY_BROKER_URL)
        for server in (slack, phone, hooks):
            server.stop()
        smtp.stop()


@pytest.fixture
def alerts(alert_stack: AlertStack, transactional_db, settings) -> AlertStack:  # type: ignore[no-untyped-def]
    """Channels on in this process as in the worker; fakes emptied; committed data the worker can read."""
    for name, value in alert_stack.channel_settings().items():
        setattr(settings, name, value)
    alert_stack.reset()
    return alert_stack
