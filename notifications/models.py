"""The notification outbox (SPEC S21): one row per channel and recipient, every delivery attempt a row."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    SLACK = "slack", "Slack"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone webhook"
    WEBHOOK = "webhook", "Outbound webhook"


class WebhookSubscription(models.Model):
    """A subscriber URL for signed JSON events (lead.mql, lead.stage_changed, lead.nurture_enrolled, sla.breached)."""

    EVENTS = ("lead.mql", "lead.stage_changed", "lead.nurture_enrolled", "sla.breached")

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, help_text="Shared secret for the HMAC-SHA256 signature.")
    events = models.JSONField(default=list, blank=True, help_text="Event names; empty means all.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


class Notification(models.Model):
    """One message to one recipient over one channel, written in the transaction that caused it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=300, unique=True, help_text="Idempotency key: one row per key, ever.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=500, help_text="Slack channel or user id, email address, or URL.")
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="Slack blocks or the webhook/phone JSON body.")
    subscription = models.ForeignKey(WebhookSubscription, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set when a delivery task was published; the sweeper re-publishes rows it never reached.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # A claim expires so a worker that died mid-send does not strand the row.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The deliver_due sweeper reads only rows waiting for delivery.
            models.Index(
                fields=["next_attempt_at"], name="notification_due_idx", condition=Q(status__in=["pending", "sending"])
            ),
            models.Index(fields=["channel", "target", "sent_at"], name="notification_target_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}: {self.subject[:60]}"


class DeliveryAttempt(models.Model):
    """One try at delivering a notification: saved before sending, then completed."""

    class Outcome(models.TextChoices):
        STARTED = "started", "Started"
        OK = "ok", "Delivered"
        RETRY = "retry", "Failed, will retry"
        FAILED = "failed", "Failed permanently"
        SKIPPED = "skipped", "Channel off"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.STARTED)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.started_at:%H:%M:%S}"
