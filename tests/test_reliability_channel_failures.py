"""Slack, SMTP and the phone webhook each failing — timeouts, 5xx, 429 — retried with back-off, then failed and visible.

Real clients (slack-sdk, smtplib, requests) against local servers that misbehave
on purpose; the delivery service is driven through its retry schedule by moving
the clock. A real worker and the API show the other half: while every channel
is failing, intake still answers at once.
"""

from __future__ import annotations

import datetime as dt
import socket
import socketserver
import threading
import time

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from notifications import services
from notifications.models import DeliveryAttempt, Notification
from notifications.services import Message, notification_deliver, notify
from tests.support.fakes import FakeSlack, Receiver, Scripted, _Server

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)
ATTEMPTS = 3  # enough to see the back-off grow, short enough to stay fast


class FlakySmtp(socketserver.ThreadingTCPServer):
    """An SMTP server that greets, then answers MAIL FROM with `reply` — or never greets at all (`hang`)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, reply: str | None) -> None:
        self.reply = reply
        self.connections = 0
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                outer.connections += 1
                if outer.reply is None:
                    time.sleep(3)  # say nothing: the client's timeout must fire
                    return
                self.wfile.write(b"220 flaky.example ESMTP\r\n")
                for raw in self.rfile:
                    line = raw.decode(errors="replace").strip().upper()
                    if line.startswith(("EHLO", "HELO")):
                        self.wfile.write(b"250 flaky.example\r\n")
                    elif line.startswith("MAIL FROM"):
                        self.wfile.write(outer.reply.encode() + b"\r\n")
                    elif line.startswith("QUIT"):
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def _hang(rec):  # type: ignore[no-untyped-def]
    time.sleep(1.6)  # past the client's timeout
    return Scripted(200, {"ok": True})


@pytest.fixture
def outbox(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Channels configured in this process; publishing to the broker is recorded, not sent."""
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    monkeypatch.setattr(services, "MAX_ATTEMPTS", ATTEMPTS)
    monkeypatch.setattr(services, "enqueue", lambda ids, countdown=None: len(list(ids)))
    servers: list = []
    yield settings, servers
    for server in servers:
        server.stop()


def _configure(channel: str, failure: str, settings, servers) -> None:  # type: ignore[no-untyped-def]
    if channel == "slack":
        slack = FakeSlack() if failure != "timeout" else _Server(_hang)
        if failure == "5xx":
            slack.then(*[FakeSlack.server_error() for _ in range(ATTEMPTS)])
        elif failure == "429":
            slack.then(*[slack.rate_limited(retry_after=7) for _ in range(ATTEMPTS)])
        servers.append(slack)
        settings.SLACK_BOT_TOKEN, settings.SLACK_ALERT_CHANNEL = "xoxb-test", "C0TEAM"
        settings.SLACK_API_BASE_URL = f"{slack.url}api/"
    elif channel == "phone":
        phone = Receiver() if failure != "timeout" else _Server(_hang)
        if failure == "5xx":
            phone.then(*[Scripted(502, "bad gateway") for _ in range(ATTEMPTS)])
        elif failure == "429":
            phone.then(*[Scripted(429, {"error": "slow down"}, {"Retry-After": "7"}) for _ in range(ATTEMPTS)])
        servers.append(phone)
        settings.PHONE_WEBHOOK_URL = f"{phone.url}phone"
    else:
        # SMTP's own words: 421/451 mean "try later" (its 429), 554 is final; a silent server times out.
        reply = {"timeout": None, "try-later": "451 4.7.1 Rate limited, try again later", "5xx": "554 5.7.1 Rejected"}
        smtp = FlakySmtp(reply[failure])
        servers.append(smtp)
        settings.EMAIL_URL = f"smtp://127.0.0.1:{smtp.port}"
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 0.5
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def _notify(channel: str) -> Notification:
    kwargs = {"slack": {"team_channel": True}, "phone": {"phone": True}, "email": {"emails": ["sdr@example.in"]}}
    (row,) = notify(key=f"fail:{channel}", message=Message(subject="Hot lead", text="Call now"), now=T0,
                    **kwargs[channel])
    return row


def _deliver(pk: int, at: dt.datetime) -> str:
    with time_machine.travel(at, tick=False):
        return notification_deliver(notification_id=pk, now=timezone.now())


@pytest.mark.parametrize(
    ("channel", "failure", "delays", "error"),
    [
        ("slack", "timeout", [1, 2], "unreachable"),
        ("slack", "5xx", [1, 2], "500"),
        ("slack", "429", [7, 7], "ratelimited"),
        ("phone", "timeout", [1, 2], "timeout"),
        ("phone", "5xx", [1, 2], "502"),
        ("phone", "429", [7, 7], "429"),
        ("email", "timeout", [1, 2], "SMTP"),
        ("email", "try-later", [1, 2], "451"),
    ],
)
def test_a_failing_channel_is_retried_with_back_off_then_marked_failed(outbox, channel, failure, delays, error):
    settings, servers = outbox
    _configure(channel, failure, settings, servers)
    row = _notify(channel)
    at, seen = T0, []

    for _ in range(ATTEMPTS - 1):
        assert _deliver(row.pk, at) == "pending"
        row.refresh_from_db()
        seen.append(round((row.next_attempt_at - at).total_seconds()))
        assert _deliver(row.pk, at + dt.timedelta(seconds=seen[-1]) - dt.timedelta(milliseconds=1)) == "skipped"
        at = row.next_attempt_at
    assert _deliver(row.pk, at) == "failed"

    assert seen == delays  # exponential back-off, or the server's Retry-After when it gives one
    row.refresh_from_db()
    assert row.status == "failed" and error.lower() in row.last_error.lower()
    outcomes = list(DeliveryAttempt.objects.filter(notification=row).values_list("outcome", flat=True))
    assert outcomes == ["retry"] * (ATTEMPTS - 1) + ["failed"]
    assert all(a.finished_at and a.error for a in DeliveryAttempt.objects.filter(notification=row))


def test_an_smtp_5xx_is_final_and_not_retried(outbox):
    settings, servers = outbox
    _configure("email", "5xx", settings, servers)
    row = _notify("email")

    assert _deliver(row.pk, T0) == "failed"

    row.refresh_from_db()
    assert "554" in row.last_error and row.attempts == 1
    assert servers[0].connections == 1


def test_failed_deliveries_are_listed_in_admin_with_their_error(outbox, make_user):
    settings, servers = outbox
    _configure("phone", "5xx", settings, servers)
    row = _notify("phone")
    at = T0
    while _deliver(row.pk, at) != "failed":
        row.refresh_from_db()
        at = row.next_attempt_at
    browser = Client()
    browser.force_login(make_user(username="ops", is_staff=True, is_superuser=True))

    listing = browser.get("/admin/notifications/notification/", {"status__exact": "failed"})
    detail = browser.get(f"/admin/notifications/notification/{row.pk}/change/")

    assert listing.status_code == 200 and b"Hot lead" in listing.content
    assert detail.status_code == 200 and b"502" in detail.content


def test_nothing_is_sent_while_a_port_refuses_connections_and_the_row_waits_to_retry(outbox):
    settings, _ = outbox
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    settings.PHONE_WEBHOOK_URL = f"http://127.0.0.1:{dead}/phone"
    row = _notify("phone")

    assert _deliver(row.pk, T0) == "pending"

    row.refresh_from_db()
    assert row.status == "pending" and row.next_attempt_at == T0 + dt.timedelta(seconds=1)


def test_intake_answers_at_once_while_every_channel_hangs(outbox, intake, make_user):
    settings, servers = outbox
    for channel in ("slack", "phone", "email"):
        _configure(channel, "timeout", settings, servers)
    make_user("sdr", email="priya@example.in")
    lead = {"email": "asha@shreecement.example.in", "first_name": "Asha", "title": "VP Logistics",
            "phone": "+91 98450 00000", "company": "Shree Cement", "industry": "Cement", "employees": 1200,
            "revenue_cr": 450, "shipments_per_day": 220, "source": {"campaign": "Webinar", "channel": "webinar"}}

    started = time.monotonic()
    # Fit 50 + a case study 8 = 58 (Grade C); then a demo request and a pricing visit in one batch = 88: Grade A.
    first = intake.post("/api/v1/submissions/", {**lead, "event": {"type": "case_study_download"}}, format="json")
    batch = [{"email": lead["email"], "type": "demo_request"}, {"email": lead["email"], "type": "pricing_page_visit"}]
    second = intake.post("/api/v1/events/", batch, format="json")
    took = time.monotonic() - started

    assert (first.status_code, second.status_code) == (201, 200)
    hot = second.json()["leads"][0]
    assert (hot["stage"], hot["grade"]) == ("mql", "A")
    # Each hanging channel would cost at least its timeout if intake waited on it.
    assert took < 1.0, f"intake took {took:.2f}s"
    waiting = Notification.objects.filter(status="pending")
    assert set(waiting.values_list("channel", flat=True)) == {"slack", "email", "phone"}
    assert not DeliveryAttempt.objects.exists()  # nothing was tried inside the request
