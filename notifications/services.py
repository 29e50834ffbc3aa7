"""The notification outbox: write now (inside the caller's transaction), deliver after commit.

Contract used by other apps (SPEC S20, S21, S25):

    notify(key=..., message=Message(...), team_channel=True, users=[sdr, manager], phone=False)

writes one outbox row per channel and recipient, idempotent on `key` (a second
call with the same key writes nothing), and enqueues delivery on commit.
A channel that is not configured is skipped with one log line.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .channels import CHANNELS, DeliveryError, Outgoing
from .models import Channel, DeliveryAttempt, Notification, WebhookSubscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(seconds=1)
BACKOFF_MAX = dt.timedelta(hours=1)
# A claimed row whose worker vanished is handed out again after this long.
CLAIM_TTL = dt.timedelta(minutes=2)
# Slack allows about one message per second per channel.
SLACK_SPACING = dt.timedelta(seconds=1.1)
# Retries due within this long are published with a countdown; later ones wait for the sweeper.
COUNTDOWN_MAX = dt.timedelta(minutes=5)
# The sweeper re-publishes a row whose task has not run after this long (lost message).
REPUBLISH_AFTER = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    link: str = ""
    # Extra structured data for the phone webhook (lead id, grade, due time...).
    data: dict[str, Any] = field(default_factory=dict)


def _slack_user_id(user: Any) -> str:
    # A user without a TeamMember row has no Slack id (the reverse accessor raises an AttributeError subclass).
    member = getattr(user, "team_member", None)
    return member.slack_user_id if member is not None else ""


def _skip(skipped: list[str], channel: str, why: str) -> None:
    skipped.append(f"{channel} channel skipped ({why})")


def notify(
    *,
    key: str,
    message: Message,
    team_channel: bool = False,
    users: Iterable[Any] = (),
    emails: Iterable[str] = (),
    phone: bool = False,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Queue `message` for Slack (team channel and each user's DM), email (users' and `emails`) and phone.

    Returns the rows written (none when `key` was used before). Must run inside
    the transaction of the change it announces; delivery is enqueued on commit.
    """
    now = now or timezone.now()
    users = [u for u in users if u is not None]
    rows: list[Notification] = []
    skipped: list[str] = []
    common = {"subject": message.subject[:300], "text": message.text, "created_at": now, "next_attempt_at": now}
    slack_on = CHANNELS["slack"].enabled()
    if team_channel:
        if slack_on and settings.SLACK_ALERT_CHANNEL:
            rows.append(Notification(key=f"{key}:slack:channel", channel=Channel.SLACK,
                                     target=settings.SLACK_ALERT_CHANNEL, payload={"blocks": message.blocks}, **common))
        else:
            _skip(skipped, "slack team", "SLACK_BOT_TOKEN or SLACK_ALERT_CHANNEL not set")
    for user in users:
        slack_id = _slack_user_id(user)
        if slack_on and slack_id:
            rows.append(Notification(key=f"{key}:slack:{slack_id}", channel=Channel.SLACK, target=slack_id,
                                     payload={"blocks": message.blocks}, **common))
        elif not slack_on:
            _skip(skipped, "slack DM", "SLACK_BOT_TOKEN not set")
        else:
            _skip(skipped, "slack DM", f"{user} has no Slack user id")
    addresses = [u.email for u in users if getattr(u, "email", "")] + list(emails)
    if CHANNELS["email"].enabled():
        for address in dict.fromkeys(a.strip().lower() for a in addresses if a.strip()):
            rows.append(Notification(key=f"{key}:email:{address}", channel=Channel.EMAIL, target=address, **common))
    elif addresses:
        _skip(skipped, "email", "EMAIL_URL not set")
    if phone:
        if CHANNELS["phone"].enabled():
            body = {"key": key, "subject": message.subject, "text": message.text, "link": message.link} | message.data
            rows.append(Notification(key=f"{key}:phone", channel=Channel.PHONE, target=settings.PHONE_WEBHOOK_URL,
                                     payload=body, **common))
        else:
            _skip(skipped, "phone", "PHONE_WEBHOOK_URL not set")
    if skipped:
        # One line per message, so an install without Slack or email stays readable.
        log.info("notification %s: %s", key, "; ".join(dict.fromkeys(skipped)))
    return _write(rows)


def webhook_emit(*, event: str, key: str, data: dict[str, Any], now: dt.datetime | None = None) -> list[Notification]:
    """Queue a signed JSON event for every active subscriber that wants it (delivered like any notification)."""
    now = now or timezone.now()
    subs = [s for s in WebhookSubscription.objects.filter(active=True) if s.wants(event)]
    body = {"event": event, "id": key, "occurred_at": now.isoformat(), "data": data}
    body = json.loads(json.dumps(body, default=str))
    rows = [
        Notification(key=f"{key}:webhook:{s.pk}", channel=Channel.WEBHOOK, target=s.url, subject=event,
                     payload=body, subscription=s, created_at=now, next_attempt_at=now)
        for s in subs
    ]
    return _write(rows)


def _write(rows: list[Notification]) -> list[Notification]:
    if not rows:
        return []
    keys = [r.key for r in rows]
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [r for r in rows if r.key not in existing]
    # ignore_conflicts guards the race where two transactions write the same key.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    ids = list(Notification.objects.filter(key__in=[r.key for r in fresh]).values_list("pk", flat=True))
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return list(Notification.objects.filter(pk__in=ids).order_by("pk"))


def enqueue(ids: Iterable[int], *, countdown: float | None = None) -> int:
    """Publish delivery tasks; a dead broker is logged, never raised (the sweeper picks the rows up)."""
    from . import tasks

    published = []
    for pk in ids:
        try:
            tasks.deliver.apply_async((pk,), countdown=countdown, retry=False)
        except Exception as exc:  # noqa: BLE001 - kombu raises many kinds; all mean "not published"
            log.warning("could not enqueue notification %s (%s); the deliver_due sweep will", pk, exc)
            break  # the broker is down: don't wait on it once per row
        published.append(pk)
    if published:
        Notification.objects.filter(pk__in=published).update(enqueued_at=timezone.now())
    return len(published)


def _backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def _outgoing(row: Notification) -> Outgoing:
    secret = row.subscription.secret if row.subscription_id and row.subscription else ""
    return Outgoing(target=row.target, subject=row.subject, text=row.text, payload=row.payload, secret=secret,
                    key=row.key)


def notification_deliver(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """Try to deliver one row. Returns the row's status afterwards ("sent", "pending", "failed" or "skipped").

    The row is claimed with a conditional update so two workers never both
    send it; the attempt row is saved before sending and completed after.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_until__lt=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=notification_id,
    ).update(status=Notification.Status.SENDING, claimed_until=now + CLAIM_TTL)
    if claimed != 1:
        return "skipped"
    row = Notification.objects.select_related("subscription").get(pk=notification_id)
    transport = CHANNELS[row.channel]
    if row.channel == Channel.SLACK:
        wait = _slack_wait(row, now)
        if wait is not None:
            Notification.objects.filter(pk=row.pk).update(status=Notification.Status.PENDING, next_attempt_at=wait,
                                                          claimed_until=None)
            enqueue([row.pk], countdown=(wait - now).total_seconds())
            return "pending"
    attempt = DeliveryAttempt.objects.create(notification=row, started_at=now)
    if row.channel == Channel.WEBHOOK and row.subscription is None:
        _finish(row, attempt, outcome=DeliveryAttempt.Outcome.FAILED, error="subscription deleted",
                status=Notification.Status.FAILED, started=time.monotonic())
        return "failed"
    if not transport.enabled():
        log.info("notification %s: %s channel is not configured; dropped", row.key, row.channel)
        _finish(row, attempt, outcome=DeliveryAttempt.Outcome.SKIPPED, error="channel not configured",
                status=Notification.Status.FAILED, started=time.monotonic())
        return "failed"
    started = time.monotonic()
    try:
        transport.send(_outgoing(row))
    except DeliveryError as exc:
        row.attempts += 1
        if exc.permanent or row.attempts >= MAX_ATTEMPTS:
            _finish(row, attempt, outcome=DeliveryAttempt.Outcome.FAILED, error=str(exc), code=exc.status_code,
                    status=Notification.Status.FAILED, started=started)
            log.warning("notification %s failed for good: %s", row.key, exc)
            return "failed"
        delay = dt.timedelta(seconds=exc.retry_after) if exc.retry_after is not None else _backoff(row.attempts)
        row.next_attempt_at = timezone.now() + delay
        _finish(row, attempt, outcome=DeliveryAttempt.Outcome.RETRY, error=str(exc), code=exc.status_code,
                status=Notification.Status.PENDING, started=started)
        if delay <= COUNTDOWN_MAX:
            enqueue([row.pk], countdown=delay.total_seconds())
        return "pending"
    row.attempts += 1
    row.sent_at = timezone.now()
    _finish(row, attempt, outcome=DeliveryAttempt.Outcome.OK, status=Notification.Status.SENT, started=started)
    return "sent"


def _finish(row: Notification, attempt: DeliveryAttempt, *, outcome: str, status: str, started: float,
            error: str = "", code: int | None = None) -> None:
    attempt.finished_at = timezone.now()
    attempt.outcome = outcome
    attempt.error = error[:2000]
    attempt.status_code = code
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.save(update_fields=["finished_at", "outcome", "error", "status_code", "duration_ms"])
    row.status = status
    row.last_error = error[:2000]
    row.claimed_until = None
    row.save(update_fields=["status", "attempts", "next_attempt_at", "sent_at", "last_error", "claimed_until"])


def _slack_wait(row: Notification, now: dt.datetime) -> dt.datetime | None:
    """When this Slack target may next receive a message, if that is later than now (per-channel spacing)."""
    last = (
        Notification.objects.filter(channel=Channel.SLACK, target=row.target, sent_at__isnull=False)
        .exclude(pk=row.pk)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if last is not None and last + SLACK_SPACING > now:
        return last + SLACK_SPACING
    return None


def notifications_deliver_due(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Re-publish rows that are due and whose task never ran (broker down, lost message, far-off retry)."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_until__lt=now),
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REPUBLISH_AFTER),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    return enqueue(ids) if ids else 0


def notification_retry(*, notification: Notification, now: dt.datetime | None = None) -> None:
    """Send a failed row again (admin action): back to pending with a fresh attempt budget."""
    now = now or timezone.now()
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=now, enqueued_at=None, claimed_until=None
    )
    transaction.on_commit(lambda: enqueue([notification.pk]))
