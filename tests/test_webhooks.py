"""Outbound webhooks: signed JSON events to subscribers, delivered through the outbox with retries."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.utils import timezone

from leads import services as lead_services
from notifications import services
from notifications.models import Notification, WebhookSubscription
from notifications.services import notification_deliver
from sla.services import clocks_sweep
from tests.support.factories import make_complete_lead, to_mql
from tests.support.fakes import Receiver, Scripted

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def hooks(receiver, monkeypatch):
    receiver.reset()
    monkeypatch.setattr(services, "enqueue", lambda ids, countdown=None: None)
    return receiver


def deliver_all(at):
    with time_machine.travel(at, tick=False):
        for pk in Notification.objects.filter(channel="webhook", status="pending").values_list("pk", flat=True):
            notification_deliver(notification_id=pk, now=timezone.now())


def verify(request, secret):
    stamp = request.headers["X-SLAOps-Timestamp"]
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers["X-SLAOps-Signature"], f"sha256={expected}")


def test_an_mql_sends_signed_lead_mql_and_stage_changed_events(hooks):
    WebhookSubscription.objects.create(name="CRM", url=f"{hooks.url}crm", secret="s3cret")
    lead = make_complete_lead(grade="A")

    with time_machine.travel(T0, tick=False):
        to_mql(lead, now=timezone.now())
    deliver_all(T0)

    events = {r.json["event"]: r for r in hooks.requests}
    assert set(events) == {"lead.mql", "lead.stage_changed"}
    for request in hooks.requests:
        assert verify(request, "s3cret")
        assert int(request.headers["X-SLAOps-Timestamp"]) == int(T0.timestamp())  # signed at delivery time
    mql = events["lead.mql"].json
    assert mql["data"]["id"] == lead.pk and mql["data"]["grade"] == "A"
    assert events["lead.stage_changed"].json["data"]["to_stage"] == "mql"


def test_a_tampered_body_does_not_verify(hooks):
    WebhookSubscription.objects.create(name="CRM", url=f"{hooks.url}crm", secret="s3cret")
    with time_machine.travel(T0, tick=False):
        to_mql(make_complete_lead(grade="B"), now=timezone.now())
    deliver_all(T0)
    request = hooks.requests[0]

    request.body = request.body.replace(b'"grade":"B"', b'"grade":"A"')

    assert not verify(request, "s3cret")


def test_a_subscriber_gets_only_the_events_it_chose(hooks):
    WebhookSubscription.objects.create(name="Breaches", url=f"{hooks.url}b", secret="k", events=["sla.breached"])
    lead = make_complete_lead(grade="A")
    with time_machine.travel(T0, tick=False):
        to_mql(lead, now=timezone.now())
    deliver_all(T0)
    assert hooks.requests == []

    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        clocks_sweep(now=timezone.now())
    deliver_all(T0 + dt.timedelta(minutes=5))

    (request,) = hooks.requests
    body = request.json
    assert body["event"] == "sla.breached"
    assert body["data"]["clock"]["kind"] == "first_attempt"
    assert body["data"]["lead"]["id"] == lead.pk


def test_nurture_enrolment_is_an_event(hooks):
    WebhookSubscription.objects.create(name="MA", url=f"{hooks.url}ma", secret="k", events=["lead.nurture_enrolled"])
    lead = make_complete_lead(grade="B")
    with time_machine.travel(T0, tick=False):
        to_mql(lead, now=timezone.now())
        lead_services.disposition_record(lead=lead, user=None, kind="nurture", summary="Spoke briefly",
                                         reason="Budget next year", next_steps="Re-engage in Q2",
                                         reengage_on=dt.date(2027, 4, 1), now=timezone.now())
    deliver_all(T0)

    (request,) = hooks.requests
    assert request.json["event"] == "lead.nurture_enrolled"
    assert request.json["data"]["reengage_on"] == "2027-04-01"


def test_a_failing_subscriber_is_retried_and_each_delivery_keeps_its_id(hooks):
    WebhookSubscription.objects.create(name="CRM", url=f"{hooks.url}crm", secret="k", events=["lead.mql"])
    hooks.then(Scripted(502, "bad gateway"))
    with time_machine.travel(T0, tick=False):
        to_mql(make_complete_lead(grade="A"), now=timezone.now())

    deliver_all(T0)
    deliver_all(T0 + dt.timedelta(seconds=1))

    first, second = hooks.requests
    assert first.headers["X-SLAOps-Delivery"] == second.headers["X-SLAOps-Delivery"]
    assert json.loads(first.body) == json.loads(second.body)
    assert Notification.objects.get(channel="webhook").status == "sent"


def test_an_inactive_subscription_gets_nothing(hooks):
    WebhookSubscription.objects.create(name="Old", url=f"{hooks.url}old", secret="k", active=False)
    with time_machine.travel(T0, tick=False):
        to_mql(make_complete_lead(grade="A"), now=timezone.now())

    assert not Notification.objects.filter(channel="webhook").exists()
