"""SLA policies, calendars, assignment and clocks (SPEC S14–S20).

Policies, cadences, calendars and assignment rules are rows marketing ops edit
in admin; a fresh install ships the framework's defaults (data migration).
Clocks store facts (started, due, how they ended) and the next moment the
sweeper must look (`due_at` while running, `warn_at` before a breach).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from leads.models import Attempt


class BusinessCalendar(models.Model):
    """Working hours per weekday, holidays and a time zone (SPEC S18)."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="Asia/Kolkata", help_text="IANA zone, e.g. Asia/Kolkata.")
    always_open = models.BooleanField(default=False, help_text="24×7: working hours below are ignored.")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="calendar_one_default")
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One open interval on a weekday, local time; several rows per day are allowed (split shifts)."""

    class Weekday(models.IntegerChoices):
        MON = 0, "Monday"
        TUE = 1, "Tuesday"
        WED = 2, "Wednesday"
        THU = 3, "Thursday"
        FRI = 4, "Friday"
        SAT = 5, "Saturday"
        SUN = 6, "Sunday"

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="hours_end_after_start")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SlaPolicy(models.Model):
    """Follow-up SLA for one grade (SPEC S14, S16)."""

    grade = models.CharField(max_length=1, unique=True, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    first_attempt = models.DurationField(help_text="From MQL (Grade C: queue entry) to the first attempt.")
    warn_before = models.DurationField(
        default=dt.timedelta(0), help_text="Warn the owner this long before a first-attempt breach (0 = no warning)."
    )
    total_attempts = models.PositiveSmallIntegerField()
    window = models.DurationField(help_text="Timeframe for all attempts.")
    disposition = models.DurationField(default=dt.timedelta(days=7), help_text="From MQL to disposition.")
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty: the default calendar."
    )

    class Meta:
        ordering = ["grade"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return f"Grade {self.grade}: first attempt {self.first_attempt}, {self.total_attempts} attempts"


class SlaTarget(models.Model):
    """Targets of the clocks that do not depend on grade (AE, marketing; SPEC S17, framework)."""

    kind = models.CharField(max_length=20, unique=True)
    target = models.DurationField()
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["kind"]
        verbose_name = "SLA target"

    def __str__(self) -> str:
        return f"{self.kind}: {self.target}"


class CadenceStep(models.Model):
    """One step of a grade's attempt cadence (SPEC S15); `offset` counts from MQL / queue entry."""

    # A step's channel is the channel its attempt will be logged with.
    Channel = Attempt.Channel

    grade = models.CharField(max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    number = models.PositiveSmallIntegerField()
    offset = models.DurationField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["grade", "number"]
        constraints = [models.UniqueConstraint(fields=["grade", "number"], name="cadence_step_unique")]

    def __str__(self) -> str:
        return f"{self.grade}{self.number}: {self.label}"


class TeamMember(models.Model):
    """What SLAOps knows about a person beyond the user row: availability, manager, channels."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_member")
    active = models.BooleanField(default=True, help_text="Inactive people receive no new leads or handoffs.")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    slack_user_id = models.CharField(max_length=32, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return str(self.user)


class AssignmentRule(models.Model):
    """Routes a lead to a person before round-robin (SPEC S20); the lowest priority that matches wins."""

    class Role(models.TextChoices):
        SDR = "sdr", "SDR (MQL / periodic check)"
        AE = "ae", "AE (handoff)"

    class Field(models.TextChoices):
        INDUSTRY = "industry", "Industry"
        FUNCTION = "function", "Function"
        GRADE = "grade", "Grade"
        SOURCE_CHANNEL = "source_channel", "Source channel"
        CAMPAIGN = "campaign", "Campaign"
        PHONE_PREFIX = "phone_prefix", "Phone prefix (region)"

    role = models.CharField(max_length=3, choices=Role.choices, default=Role.SDR)
    priority = models.PositiveSmallIntegerField(default=100)
    field = models.CharField(max_length=20, choices=Field.choices)
    value = models.CharField(max_length=200, help_text="Case-insensitive exact match (a prefix for phone).")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "priority", "pk"]

    def __str__(self) -> str:
        return f"{self.role}: {self.field} = {self.value} → {self.assignee}"


class RoundRobinCursor(models.Model):
    """The last person who received work for a role; locked while choosing the next one."""

    role = models.CharField(max_length=3, unique=True)
    last_user_id = models.IntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.role} after #{self.last_user_id}"


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
    quality_flag = models.ForeignKey(
        "leads.QualityFlag", null=True, blank=True, on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="When the commitment was fulfilled or dropped.")
    breached_at = models.DateTimeField(null=True, blank=True)
    # When the owner is warned of a coming breach; cleared once the warning is written.
    warn_at = models.DateTimeField(null=True, blank=True)
    # Business time that was left when the clock was paused; resuming re-targets from it.
    paused_remaining = models.DurationField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The breach sweep reads only running clocks, by due time (S18).
            models.Index(fields=["due_at"], name="slaclock_running_due_idx", condition=Q(state="running")),
            models.Index(fields=["lead", "kind"], name="slaclock_lead_kind_idx"),
            # The warning sweep reads only clocks with a warning still to send.
            models.Index(
                fields=["warn_at"], name="slaclock_warn_idx", condition=Q(state="running", warn_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.get_state_display()}"

    @property
    def met_at(self) -> dt.datetime | None:
        return self.stopped_at if self.state == self.State.MET else None


class ClockTransitionQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("ClockTransition rows are immutable; write a new transition instead")


class ClockTransition(models.Model):
    """Every change of a clock: start, re-target, met, breached, cancelled (GUIDE: every state change is a row)."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField()
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    due_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    objects = ClockTransitionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state} ({self.note})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The clock's history is append-only, like a lead's stage history.
        if self.pk is not None and not self._state.adding:
            raise ValueError("ClockTransition rows are immutable; write a new transition instead")
        super().save(*args, **kwargs)
