"""The Monday scorecard reaches Slack and email through the real path (SPEC S25):
beat schedule → task → outbox → Redis → real Celery worker → fake Slack / SMTP servers."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.conf import settings

from notifications.models import Notification
from reports import tasks
from tests.support import fixtures
from tests.support.fixtures import SLACK_CHANNEL

from .reports_factories import ist, make_handoff, make_lead

alert_stack, alerts = fixtures.alert_stack, fixtures.alerts

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MONDAY_0900_IST = ist(2026, 3, 9, 9, 0)


def test_beat_schedules_the_scorecard_for_monday_0900_ist() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["reports-weekly-scorecard"]["schedule"]
    with time_machine.travel(MONDAY_0900_IST, tick=False):
        due, _ = schedule.is_due(MONDAY_0900_IST - dt.timedelta(days=7))
        assert due
    with time_machine.travel(MONDAY_0900_IST - dt.timedelta(minutes=1), tick=False):
        due, _ = schedule.is_due(MONDAY_0900_IST - dt.timedelta(days=7))
        assert not due


def test_the_monday_post_arrives_in_slack_and_email_once(alerts, make_user, settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("manager", email="meera@example.in")
    tue = ist(2026, 3, 3, 10)
    for i in range(4):
        lead = make_lead(created_at=tue, stage="sql", grade="A", mql_at=tue,
                         first_attempt_at=tue + dt.timedelta(minutes=2), sal_at=tue + dt.timedelta(hours=1),
                         sql_at=tue + dt.timedelta(hours=2))  # fmt: skip
        make_handoff(lead, decided_at=tue + dt.timedelta(hours=5), rejected=i == 0)

    with time_machine.travel(MONDAY_0900_IST, tick=False):
        assert tasks.post_weekly_scorecard() == "2026-W10"
        tasks.post_weekly_scorecard()  # a re-run (retry, manual) must not post twice

    alerts.slack.wait_for(lambda reqs: len(reqs) >= 1, timeout=10)
    mails = alerts.smtp.wait_for(1, timeout=10)
    time.sleep(1.5)  # anything extra would have arrived by now
    posted = alerts.slack.messages()
    assert [m["channel"] for m in posted] == [SLACK_CHANNEL]
    assert posted[0]["text"].startswith("MARKETING-SALES ALIGNMENT SCORECARD — week of 2026-03-02 (2026-W10)")
    assert "Overall health: YELLOW" in posted[0]["text"]
    assert "SQL rejection rate: 25% (target 20%) [concern]" in posted[0]["text"]
    assert "/reports/scorecard/?week=2026-W10" in posted[0]["text"]
    assert [m["to"] for m in mails] == [["meera@example.in"]]
    assert Notification.objects.filter(key__startswith="reports:scorecard:2026-W10").count() >= 1
