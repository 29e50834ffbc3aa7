"""SLA clocks (SPEC S14–S18)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SlaClock(models.Model):
    """One commitment's timer: started, due, and how it ended."""

    class Kind(models.TextChoices):
        FIRST_ATTEMPT = "first_attempt", "First attempt (speed-to-lead)"
        ATTEMPTS = "attempts", "Total attempts"
        DISPOSITION = "disposition", "Disposition within 7 days"
        AE_REVIEW = "ae_review", "AE review"
        AE_DECISION = "ae_decision", "AE accept/reject"
        DEMO_SCHEDULING = "demo_scheduling", "Demo scheduling"
        FEEDBACK_CALL = "feedback_call", "Rejection feedback call"
        DATA_COMPLETE = "data_complete", "Lead data package complete"
        QUALITY_RESPONSE = "quality_response", "Response to quality flag"

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        MET = "met", "Met"
        BREACHED = "breached", "Breached"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="sla_clocks")
    handoff = models.ForeignKey("leads.Handoff", null=True, blank=True, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The breach sweep reads only running clocks, by due time (S18).
            models.Index(fields=["due_at"], name="slaclock_running_due_idx", condition=Q(state="running")),
            models.Index(fields=["lead", "kind"], name="slaclock_lead_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.get_state_display()}"
