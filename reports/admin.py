from django.contrib import admin

from sla.admin import AuditedAdmin

from .models import Escalation, RecalibrationReview, SlaAgreement, WeeklyResult


@admin.register(SlaAgreement)
class SlaAgreementAdmin(AuditedAdmin):
    """Agreement targets are policy: every edit is in the audit trail."""

    list_display = ("name", "is_active", "effective_on", "review_on", "mqls_per_month", "pipeline_goal_quarter_lakh")
    list_filter = ("is_active",)


@admin.register(WeeklyResult)
class WeeklyResultAdmin(admin.ModelAdmin):
    list_display = ("week", "health", "computed_at", "posted_at")
    readonly_fields = ("week", "start", "health", "data", "computed_at", "posted_at")


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("week", "level", "key", "description", "raised_at", "notified_at", "resolved_at")
    list_filter = ("level", "week")


@admin.register(RecalibrationReview)
class RecalibrationReviewAdmin(admin.ModelAdmin):
    list_display = ("quarter", "decision", "vp_sales_signed_by", "marketing_director_signed_by")
