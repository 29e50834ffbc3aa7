"""Scoring rules as data (SPEC S7–S12).

Every rule, band and threshold is a row marketing ops edit in Django admin.
Rows belong to a versioned `RuleSet`: drafts are edited and previewed, one set
is published at a time, and a published or archived set is never edited again,
so a lead's `score_version` always names the exact rules that scored it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from leads.models import EventType, Grade


class RuleSet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, help_text="Why this version exists (shown in the audit trail).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    mql_threshold = models.PositiveSmallIntegerField(
        "MQL score threshold", default=60, help_text="Total score at or above which a lead can become an MQL (S3)."
    )
    icp_min_employees = models.PositiveIntegerField("ICP minimum employees", default=200)
    icp_max_employees = models.PositiveIntegerField("ICP maximum employees", default=5000)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = "rule set"
        constraints = [
            # The database guarantees there is never a second live rule set.
            models.UniqueConstraint(fields=["status"], condition=Q(status="published"), name="ruleset_one_published"),
            models.CheckConstraint(
                condition=Q(icp_min_employees__lte=models.F("icp_max_employees")), name="ruleset_icp_range"
            ),
            models.CheckConstraint(condition=Q(mql_threshold__lte=100), name="ruleset_threshold_max_100"),
        ]

    def __str__(self) -> str:
        label = f"v{self.version} ({self.get_status_display()})"
        return f"{label} – {self.name}" if self.name else label

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class FitAttribute(models.TextChoices):
    EMPLOYEES = "employees", "Company size"
    REVENUE = "revenue_cr", "Revenue"
    SHIPMENTS = "shipments_per_day", "Shipments"


class FitBand(models.Model):
    """A numeric band of one fit attribute (S8). A missing bound is open-ended.

    Where two bands touch at one value, the band that starts there wins (S8:
    "the lower band ends just below the upper one's start").
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="fit_bands")
    attribute = models.CharField(max_length=20, choices=FitAttribute.choices)
    label = models.CharField(max_length=100, help_text="Shown in the score explanation, e.g. '501–5000 employees'.")
    min_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    min_inclusive = models.BooleanField(default=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    max_inclusive = models.BooleanField(default=True)
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["attribute", "-points", "pk"]
        constraints = [models.CheckConstraint(condition=Q(points__lte=50), name="fitband_points_max_50")]

    def __str__(self) -> str:
        return f"{self.get_attribute_display()}: {self.label} → {self.points}"

    def clean(self) -> None:
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": "The upper bound is below the lower bound."})


class IndustryCategory(models.Model):
    """A group of industries with its fit points, and whether it is manufacturing (S3 ICP, S8)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="industry_categories")
    name = models.CharField(max_length=100)
    points = models.PositiveSmallIntegerField()
    is_manufacturing = models.BooleanField(help_text="Leads in this category meet the ICP's industry criterion.")
    industries = models.TextField(
        help_text="Industry names or keywords, comma-separated; matched as whole words, case-insensitive."
    )

    class Meta:
        ordering = ["-points", "pk"]
        verbose_name_plural = "industry categories"
        constraints = [models.CheckConstraint(condition=Q(points__lte=50), name="industrycat_points_max_50")]

    def __str__(self) -> str:
        return f"{self.name} → {self.points}"


class TitleLevel(models.Model):
    """Title level by keyword (S8). Blank keywords means 'any other known title'."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="title_levels")
    name = models.CharField(max_length=100)
    keywords = models.TextField(blank=True, help_text="Comma-separated, whole words, case-insensitive.")
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-points", "pk"]
        constraints = [models.CheckConstraint(condition=Q(points__lte=50), name="titlelevel_points_max_50")]

    def __str__(self) -> str:
        return f"{self.name} → {self.points}"


class FunctionRule(models.Model):
    """Infers a lead's function from its title when the form did not say (S3)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="function_rules")
    function = models.CharField(max_length=100)
    keywords = models.TextField(help_text="Comma-separated title keywords, whole words, case-insensitive.")
    in_icp = models.BooleanField("meets the ICP", default=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower is tried first.")

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.function


class EngagementRule(models.Model):
    """Points while the lead has ≥ min_count qualifying events in the last decay_days (S9)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="engagement_rules")
    name = models.CharField(max_length=100)
    event_types = models.JSONField(help_text="Event types that qualify.")
    points = models.PositiveSmallIntegerField()
    decay_days = models.PositiveSmallIntegerField()
    min_count = models.PositiveSmallIntegerField(default=1)
    unless_same_asset = models.CharField(
        max_length=40,
        choices=EventType.choices,
        blank=True,
        help_text="An event does not qualify when the lead has an event of this type for the same asset "
        "(a webinar registration with an attendance).",
    )
    is_intent = models.BooleanField(
        "shows intent", default=False, help_text="While active, this rule satisfies the MQL intent criterion (S3)."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__lte=50), name="engagement_points_max_50"),
            models.CheckConstraint(condition=Q(decay_days__gte=1), name="engagement_decay_min_1"),
            models.CheckConstraint(condition=Q(min_count__gte=1), name="engagement_min_count_min_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.points} ({self.decay_days} d)"

    def clean(self) -> None:
        types = self.event_types if isinstance(self.event_types, list) else []
        unknown = [t for t in types if t not in EventType.values]
        if not types or unknown:
            raise ValidationError({"event_types": "Choose one or more known event types."})


class GradeBand(models.Model):
    """Score interpretation (S10): a total at or above min_score earns this grade."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="grade_bands")
    grade = models.CharField(max_length=1, choices=Grade.choices)
    min_score = models.PositiveSmallIntegerField()
    classification = models.CharField(max_length=50)
    action = models.CharField(max_length=200)

    class Meta:
        ordering = ["-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "grade"], name="gradeband_unique_grade"),
            models.CheckConstraint(condition=Q(min_score__lte=100), name="gradeband_min_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_score} ({self.classification})"
