"""Reports: the SLA Agreement that supplies every target (S22), stored weekly
results (history for escalation, S19), escalation notices and quarterly
recalibration reviews (S24)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

# A monthly target's weekly share (SPEC S22); a quarter is 13 weeks.
MONTH_TO_WEEK = Decimal(12) / Decimal(52)
QUARTER_TO_WEEK = Decimal(4) / Decimal(52)


class SlaAgreement(models.Model):
    """The framework's SLA Agreement template as data. Exactly one is active;
    every report target is read from it."""

    name = models.CharField(max_length=200, default="Marketing–Sales Service Level Agreement")
    is_active = models.BooleanField(default=False)
    effective_on = models.DateField()
    review_on = models.DateField(help_text="Next (quarterly) review date.")
    # Parties
    marketing_party = models.CharField("marketing team (name, title)", max_length=200)
    sales_party = models.CharField("sales team (name, title)", max_length=200)
    # Shared goal
    pipeline_goal_quarter_lakh = models.DecimalField(
        "marketing-sourced pipeline goal per quarter (₹ lakh)", max_digits=12, decimal_places=2
    )
    # Marketing commitments
    mqls_per_month = models.PositiveIntegerField("MQLs per month")
    mql_volume_floor = models.DecimalField(
        "MQL volume counted as met at (share of target)", max_digits=4, decimal_places=2, default=Decimal("0.90")
    )
    acceptance_rate = models.DecimalField(
        "MQL acceptance rate ≥", max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    data_quality = models.DecimalField("complete records ≥", max_digits=4, decimal_places=2, default=Decimal("0.95"))
    data_within_minutes = models.PositiveIntegerField("complete lead data within (minutes)", default=5)
    feedback_response_hours = models.PositiveIntegerField("respond to quality feedback within (hours)", default=48)
    # Sales commitments
    speed_to_lead_minutes = models.PositiveIntegerField("speed-to-lead target (minutes)", default=5)
    follow_up_compliance = models.DecimalField(
        "MQLs first attempted within grade SLA ≥", max_digits=4, decimal_places=2, default=Decimal("0.90")
    )
    disposition_days = models.PositiveIntegerField("disposition all MQLs within (days)", default=7)
    mql_to_sql_rate = models.DecimalField("MQL→SQL rate ≥", max_digits=4, decimal_places=2, default=Decimal("0.40"))
    rejection_rate = models.DecimalField(
        "SQL rejection rate healthy below", max_digits=4, decimal_places=2, default=Decimal("0.20")
    )
    rejection_rate_critical = models.DecimalField(
        "SQL rejection rate critical above", max_digits=4, decimal_places=2, default=Decimal("0.30")
    )
    activity_floor = models.DecimalField(
        "activity counted as met at (share of target)", max_digits=4, decimal_places=2, default=Decimal("0.90")
    )
    # SDR activity targets, per SDR (framework: SDR Activity SLA)
    calls_daily = models.PositiveIntegerField(default=50)
    calls_weekly = models.PositiveIntegerField(default=250)
    conversations_daily = models.PositiveIntegerField(default=10)
    conversations_weekly = models.PositiveIntegerField(default=50)
    discovery_calls_daily = models.PositiveIntegerField(default=2)
    discovery_calls_weekly = models.PositiveIntegerField(default=10)
    sqls_daily = models.PositiveIntegerField(default=1)
    sqls_weekly = models.PositiveIntegerField(default=5)
    # Meeting cadence
    meeting_daily = models.CharField(max_length=200, default="Daily: 10-min lead sync")
    meeting_weekly = models.CharField(max_length=200, default="Weekly: 30-min alignment")
    meeting_monthly = models.CharField(max_length=200, default="Monthly: 60-min review")
    meeting_quarterly = models.CharField(max_length=200, default="Quarterly: 2-hour business review")
    # Escalation terms
    escalation_compliance_floor = models.DecimalField(
        "escalate to VP when SLA compliance is below", max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    escalation_weeks = models.PositiveSmallIntegerField("…for this many weeks", default=2)
    escalation_terms = models.TextField(
        default="Issues escalated to VP level if: SLA compliance <80% for 2+ weeks; rejection rate >30%; "
        "no resolution from manager discussions."
    )
    # Sign-offs
    marketing_signed_by = models.CharField(max_length=200, blank=True)
    marketing_signed_on = models.DateField(null=True, blank=True)
    sales_signed_by = models.CharField(max_length=200, blank=True)
    sales_signed_on = models.DateField(null=True, blank=True)
    approved_by = models.CharField(max_length=200, blank=True)
    approved_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            # "One active agreement supplies every target": the database refuses a second.
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_agreement"),
            models.CheckConstraint(condition=Q(review_on__gte=models.F("effective_on")), name="agreement_review_after"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (effective {self.effective_on})"

    @property
    def mqls_weekly(self) -> Decimal:
        return (Decimal(self.mqls_per_month) * MONTH_TO_WEEK).quantize(Decimal("0.01"))

    @property
    def pipeline_goal_weekly_lakh(self) -> Decimal:
        return (self.pipeline_goal_quarter_lakh * QUARTER_TO_WEEK).quantize(Decimal("0.01"))


class WeeklyResult(models.Model):
    """A frozen scorecard for a finished week: the history escalation reads (S19)."""

    week = models.CharField(max_length=8, unique=True)  # 2026-W48
    start = models.DateField()
    health = models.CharField(max_length=6)
    # The S29 answer, plus the SLA criteria: {"metrics": [...], "criteria": [...], ...}
    data = models.JSONField()
    computed_at = models.DateTimeField()
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.week} {self.health}"

    def metric(self, key: str) -> dict | None:
        return next((m for m in self.data.get("metrics", []) if m["key"] == key), None)

    def criterion(self, key: str) -> dict | None:
        return next((c for c in self.data.get("criteria", []) if c["key"] == key), None)


class Escalation(models.Model):
    """An escalation notice with the framework's template fields (S19)."""

    class Level(models.IntegerChoices):
        PROCESS = 1, "Level 1 – process issue (weekly alignment)"
        PATTERN = 2, "Level 2 – pattern issue (manager-to-manager)"
        SYSTEMIC = 3, "Level 3 – systemic issue (leadership within 24 h)"

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    key = models.CharField(max_length=60, help_text="What failed: an SLA criterion key or a Level 3 condition.")
    week = models.CharField(max_length=8)
    raised_by = models.CharField(max_length=200, default="SLAOps (automatic)")
    raised_at = models.DateTimeField()
    description = models.TextField()
    evidence = models.TextField()
    impact = models.TextField()
    proposed_resolution = models.TextField()
    requested_action = models.TextField()
    notified_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week", "-level", "key"]
        constraints = [models.UniqueConstraint(fields=["level", "key", "week"], name="escalation_once_per_week")]

    def __str__(self) -> str:
        return f"L{self.level} {self.key} {self.week}"


class RecalibrationReview(models.Model):
    """The quarterly SLA recalibration review (framework: Recalibration Meeting Template)."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved as proposed"
        MODIFIED = "modified", "Approved with modifications"
        REJECTED = "rejected", "Rejected"

    quarter = models.CharField(max_length=7, unique=True)  # 2026-Q4
    draft_rule_set = models.ForeignKey(
        "scoring.RuleSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The draft scoring rules whose impact is modelled on the quarter's leads.",
    )  # fmt: skip
    # [{"item", "current", "proposed", "rationale"}]
    proposed_changes = models.JSONField(default=list, blank=True)
    # Impact of re-scoring the quarter's leads under the draft rule set, as computed.
    impact = models.JSONField(default=dict, blank=True)
    resource_impact = models.TextField(blank=True)
    risk = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_details = models.TextField(blank=True)
    vp_sales_signed_by = models.CharField(max_length=200, blank=True)
    vp_sales_signed_on = models.DateField(null=True, blank=True)
    marketing_director_signed_by = models.CharField(max_length=200, blank=True)
    marketing_director_signed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-quarter"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | (~Q(vp_sales_signed_by="") & ~Q(marketing_director_signed_by="")),
                name="recalibration_decision_signed",
            )
        ]

    def __str__(self) -> str:
        return f"Recalibration {self.quarter} ({self.get_decision_display()})"
