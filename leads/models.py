"""Leads and their lifecycle (SPEC S2–S6, S13, S16, S17).

Models hold facts and the database guards the invariants; every write goes
through `leads.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SAL = "sal", "SAL"
    SQL = "sql", "SQL"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    NURTURE = "nurture", "Nurture"
    DISQUALIFIED = "disqualified", "Disqualified"


# The main line, in order; nurture and disqualified are side stages.
STAGE_ORDER = [Stage.LEAD, Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER]


class Grade(models.TextChoices):
    A = "A", "A (Hot MQL)"
    B = "B", "B (Warm MQL)"
    C = "C", "C (Cool Lead)"
    D = "D", "D (Cold Lead)"


class EventType(models.TextChoices):
    DEMO_REQUEST = "demo_request", "Demo request"
    PRICING_PAGE_VISIT = "pricing_page_visit", "Pricing page visit"
    CASE_STUDY_DOWNLOAD = "case_study_download", "Case study download"
    WEBINAR_ATTENDANCE = "webinar_attendance", "Webinar attendance"
    WEBINAR_REGISTRATION = "webinar_registration", "Webinar registration"
    ROI_CALCULATOR_USAGE = "roi_calculator_usage", "ROI calculator usage"
    CONTENT_DOWNLOAD = "content_download", "Content download"
    EMAIL_OPEN = "email_open", "Email open"
    WEBSITE_VISIT = "website_visit", "Website visit"
    LINKEDIN_ENGAGEMENT = "linkedin_engagement", "LinkedIn engagement"


class Campaign(models.Model):
    name = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=100, blank=True)
    cost_lakh = models.DecimalField("cost (₹ lakh)", max_digits=12, decimal_places=2, default=0)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Where a lead came from: campaign, channel and content (framework: Lead Source)."""

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="sources")
    channel = models.CharField(max_length=100, blank=True)
    content = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            # Two partial constraints instead of NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=["campaign", "channel", "content"],
                name="source_unique_with_campaign",
                condition=Q(campaign__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["channel", "content"], name="source_unique_without_campaign", condition=Q(campaign__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        parts = [str(self.campaign) if self.campaign_id else "", self.channel, self.content]
        return " / ".join(p for p in parts if p) or "(unknown)"


class Lead(models.Model):
    email = models.EmailField(max_length=254, unique=True, help_text="Normalised: trimmed and lower-cased.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    company = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    function = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    revenue_cr = models.DecimalField("revenue (₹ crore)", max_digits=14, decimal_places=2, null=True, blank=True)
    shipments_per_day = models.PositiveIntegerField(null=True, blank=True)
    context = models.TextField(blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="leads")

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    grade = models.CharField(max_length=1, choices=Grade.choices, default=Grade.D)
    score_total = models.PositiveSmallIntegerField(default=0)
    score_fit = models.PositiveSmallIntegerField(default=0)
    score_engagement = models.PositiveSmallIntegerField(default=0)
    # [{rule, kind, points, expires_at}] as the engine explained it (SPEC S12).
    score_breakdown = models.JSONField(default=list, blank=True)
    # The next moment the score changes by decay alone; null when nothing will expire.
    score_valid_until = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    score_version = models.PositiveIntegerField(null=True, blank=True, help_text="Rule-set version that scored it.")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_leads"
    )
    # CRM fields the framework requires (Technology Requirements).
    first_touch_at = models.DateTimeField(null=True, blank=True)
    mql_at = models.DateTimeField(null=True, blank=True)
    # The grade when the lead became MQL: the scorecard's "Grade A MQLs" and the
    # follow-up target are about that moment, not about today's decayed grade.
    mql_grade = models.CharField(max_length=1, choices=Grade.choices, blank=True)
    queue_entered_at = models.DateTimeField(null=True, blank=True, help_text="Grade C periodic-check queue entry.")
    sal_at = models.DateTimeField(null=True, blank=True)
    sql_at = models.DateTimeField(null=True, blank=True)
    opportunity_at = models.DateTimeField(null=True, blank=True)
    customer_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    total_attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    discovery_call_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=20, blank=True)
    disposition_reason = models.CharField(max_length=40, blank=True)
    dispositioned_at = models.DateTimeField(null=True, blank=True)
    nurture_enrolled_at = models.DateTimeField(null=True, blank=True)
    reengage_on = models.DateField(null=True, blank=True)
    # Flags raised by AE rejection categories (SPEC S17).
    fit_review_flag = models.BooleanField(default=False)
    coaching_flag = models.BooleanField(default=False)
    competitor = models.CharField(max_length=200, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The decay sweep reads only leads whose score is due to change (S11).
            models.Index(
                fields=["score_valid_until"], name="lead_score_due_idx", condition=Q(score_valid_until__isnull=False)
            ),
            models.Index(fields=["owner", "stage"], name="lead_owner_stage_idx"),
            models.Index(fields=["mql_at"], name="lead_mql_at_idx", condition=Q(mql_at__isnull=False)),
            models.Index(fields=["grade", "stage"], name="lead_grade_stage_idx"),
            # The weekly scorecard and reports count SQLs, opportunities and discovery calls by
            # week (reports.metrics); without these each is a scan of the whole lead table. The
            # columns are mostly null, so partial indexes stay small.
            models.Index(fields=["sql_at"], name="lead_sql_at_idx", condition=Q(sql_at__isnull=False)),
            models.Index(
                fields=["opportunity_at"], name="lead_opportunity_at_idx", condition=Q(opportunity_at__isnull=False)
            ),
            models.Index(
                fields=["discovery_call_at"], name="lead_discovery_at_idx", condition=Q(discovery_call_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(score_fit__lte=50), name="lead_fit_max_50"),
            models.CheckConstraint(condition=Q(score_engagement__lte=50), name="lead_engagement_max_50"),
            models.CheckConstraint(condition=Q(score_total__lte=100), name="lead_total_max_100"),
            models.CheckConstraint(condition=Q(email=models.functions.Lower("email")), name="lead_email_lowercase"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} ({self.company})" if self.company else (self.name or self.email)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Event(models.Model):
    """One engagement event (SPEC S9); the facts decay is computed from."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    asset = models.CharField(max_length=200, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["lead", "occurred_at"], name="event_lead_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"


class StageChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        """History is never rewritten in bulk either; a merge may only move rows to the surviving lead."""
        if set(kwargs) - {"lead", "lead_id"}:
            raise ValueError("StageChange rows are immutable; only a merge may move them to the surviving lead")
        return super().update(**kwargs)


class StageChange(models.Model):
    """An immutable row for every stage change (SPEC S2)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_api_key = models.ForeignKey("accounts.ApiKey", null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField()

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["to_stage", "at"], name="stagechange_to_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(actor_kind="user", actor_user__isnull=False, actor_api_key__isnull=True)
                    | Q(actor_kind="api_key", actor_user__isnull=True, actor_api_key__isnull=False)
                    | Q(actor_kind="system", actor_user__isnull=True, actor_api_key__isnull=True)
                ),
                name="stagechange_actor_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage} ({self.actor_label})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # History is append-only: an existing row is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("StageChange rows are immutable")
        super().save(*args, **kwargs)

    @property
    def actor_label(self) -> str:
        if self.actor_kind == ActorKind.USER:
            return str(self.actor_user)
        if self.actor_kind == ActorKind.API_KEY:
            return f"API key {self.actor_api_key}"
        return "system"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key (SPEC S28)."""

    api_key = models.ForeignKey("accounts.ApiKey", on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return self.key


class Attempt(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LINKEDIN = "linkedin", "LinkedIn"

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", "No answer"
        VOICEMAIL = "voicemail", "Voicemail"
        CONNECTED = "connected", "Connected"
        BAD_NUMBER = "bad_number", "Bad number"
        SENT = "sent", "Sent (email / LinkedIn)"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attempts")
    sdr = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="attempts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["sdr", "at"], name="attempt_sdr_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} – {self.get_outcome_display()}"


class Disposition(models.Model):
    """The SDR's (or system's) disposition of an MQL (SPEC S16)."""

    class Kind(models.TextChoices):
        QUALIFIED = "qualified", "Qualified (SQL)"
        NURTURE = "nurture", "Nurture"
        DISQUALIFIED = "disqualified", "Disqualified"
        UNABLE_TO_REACH = "unable_to_reach", "Unable to Reach"

    class ReasonCode(models.TextChoices):
        BAD_FIT = "bad_fit", "Bad fit (outside ICP)"
        NOT_INTERESTED = "not_interested", "Not interested"
        NO_BUDGET = "no_budget", "No budget"
        STUDENT_OR_JOB_SEEKER = "student_job_seeker", "Student / job seeker"
        COMPETITOR = "competitor", "Competitor or vendor"
        DUPLICATE = "duplicate", "Duplicate"
        INVALID_DATA = "invalid_data", "Invalid contact data"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="dispositions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason_code = models.CharField(max_length=40, choices=ReasonCode.choices, blank=True)
    summary = models.TextField()
    reason = models.TextField()
    next_steps = models.TextField()
    reengage_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="disqualified") | ~Q(reason_code=""), name="disposition_dq_needs_reason_code"
            ),
            models.CheckConstraint(
                condition=~Q(kind="nurture") | Q(reengage_on__isnull=False), name="disposition_nurture_needs_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


class Qualification(models.Model):
    """BANT+T (SPEC S13): each criterion 0–3 with a note; total out of 15."""

    CRITERIA = ("budget", "authority", "need", "timeline", "trigger")
    PASS_TOTAL = 10

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="qualification")
    budget = models.PositiveSmallIntegerField(default=0)
    budget_note = models.TextField(blank=True)
    authority = models.PositiveSmallIntegerField(default=0)
    authority_note = models.TextField(blank=True)
    need = models.PositiveSmallIntegerField(default=0)
    need_note = models.TextField(blank=True)
    timeline = models.PositiveSmallIntegerField(default=0)
    timeline_note = models.TextField(blank=True)
    trigger = models.PositiveSmallIntegerField(default=0)
    trigger_note = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__lte=3, authority__lte=3, need__lte=3, timeline__lte=3, trigger__lte=3),
                name="qualification_criteria_max_3",
            ),
        ]

    def __str__(self) -> str:
        return f"BANT+T {self.total}/15"

    @property
    def total(self) -> int:
        return self.budget + self.authority + self.need + self.timeline + self.trigger

    def unmet(self) -> list[str]:
        """Criteria scored 0, i.e. not met at all."""
        return [c for c in self.CRITERIA if getattr(self, c) == 0]


class Handoff(models.Model):
    """An SQL handed from SDR to AE (SPEC S17)."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class RejectionCategory(models.TextChoices):
        WRONG_FIT = "wrong_fit", "Wrong Fit"
        NOT_READY = "not_ready", "Not Ready"
        MISQUALIFIED = "misqualified", "Misqualified"
        COMPETITOR_COMMITTED = "competitor_committed", "Competitor Committed"
        ALREADY_IN_PIPELINE = "already_in_pipeline", "Already in Pipeline"

    class Recommendation(models.TextChoices):
        REQUALIFY = "requalify", "Re-qualify"
        NURTURE = "nurture", "Nurture"
        DISQUALIFY = "disqualify", "Disqualify"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="handoffs")
    sdr = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="handoffs_received"
    )
    created_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_category = models.CharField(max_length=30, choices=RejectionCategory.choices, blank=True)
    rejection_reason = models.TextField(blank=True)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    competitor = models.CharField(max_length=200, blank=True)
    duplicate_of = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feedback_call_due_at = models.DateTimeField(null=True, blank=True)
    feedback_call_done_at = models.DateTimeField(null=True, blank=True)
    demo_scheduled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ae", "decision"], name="handoff_ae_decision_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="rejected")
                | (~Q(rejection_category="") & ~Q(rejection_reason="") & ~Q(recommendation="")),
                name="handoff_rejection_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Handoff of {self.lead} to {self.ae}"


class Opportunity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="opportunity")
    handoff = models.OneToOneField(Handoff, null=True, blank=True, on_delete=models.SET_NULL)
    ae = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    amount_lakh = models.DecimalField("amount (₹ lakh)", max_digits=12, decimal_places=2)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    demo_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    won_amount_lakh = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name_plural = "opportunities"
        constraints = [models.CheckConstraint(condition=Q(amount_lakh__gte=0), name="opportunity_amount_positive")]

    def __str__(self) -> str:
        return f"₹{self.amount_lakh} L ({self.get_status_display()})"


class QualityFlag(models.Model):
    """SDR → marketing lead-quality feedback (framework: Feedback Loops)."""

    class Kind(models.TextChoices):
        INCORRECT_DATA = "incorrect_data", "Incorrect data"
        OBJECTION = "objection", "Objection heard"
        CONTENT_GAP = "content_gap", "Content gap"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="quality_flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.note[:40]}"
