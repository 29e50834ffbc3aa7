"""Admin for marketing ops: SLA policies, cadences, calendars, assignment; clocks read-only.

Every edit of a policy-like row is recorded in the audit trail with its before and after values.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from accounts.services import audit_record

from .models import (
    AssignmentRule,
    BusinessCalendar,
    CadenceStep,
    ClockTransition,
    Holiday,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    TeamMember,
    WorkingHours,
)


def _snapshot(obj: Any) -> dict:
    import json

    return json.loads(json.dumps(model_to_dict(obj), cls=DjangoJSONEncoder))


class AuditedAdmin(admin.ModelAdmin):
    """Records create/change/delete of the row in the audit trail."""

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_record(user=request.user, action="change" if change else "create", obj=obj, before=before,
                     after=_snapshot(obj))

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        before = _snapshot(obj)
        audit_record(user=request.user, action="delete", obj=obj, before=before, after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for obj in queryset:
            audit_record(user=request.user, action="delete", obj=obj, before=_snapshot(obj), after=None)
        super().delete_queryset(request, queryset)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = ("grade", "first_attempt", "warn_before", "total_attempts", "window", "disposition", "calendar")


@admin.register(SlaTarget)
class SlaTargetAdmin(AuditedAdmin):
    list_display = ("kind", "target", "calendar")


@admin.register(CadenceStep)
class CadenceStepAdmin(AuditedAdmin):
    list_display = ("grade", "number", "offset", "channel", "label")
    list_filter = ("grade", "channel")


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    list_display = ("name", "timezone", "always_open", "is_default")
    inlines = [WorkingHoursInline, HolidayInline]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(AuditedAdmin):
    list_display = ("role", "priority", "field", "value", "assignee", "active")
    list_filter = ("role", "field", "active")
    list_editable = ("priority", "active")


@admin.register(TeamMember)
class TeamMemberAdmin(AuditedAdmin):
    list_display = ("user", "active", "manager", "slack_user_id", "phone")
    list_filter = ("active",)
    search_fields = ("user__username", "slack_user_id")


class ClockTransitionInline(admin.TabularInline):
    model = ClockTransition
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_state", "to_state", "due_at", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ("lead", "kind", "state", "owner", "started_at", "due_at", "stopped_at", "breached_at")
    list_filter = ("kind", "state")
    search_fields = ("lead__email", "owner__username")
    raw_id_fields = ("lead", "handoff", "quality_flag", "owner")
    inlines = [ClockTransitionInline]
    actions = ["pause", "resume"]

    @admin.action(description="Pause selected running clocks")
    def pause(self, request, queryset):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        from .services import clock_pause

        now = timezone.now()
        done = sum(clock_pause(clock=c, now=now, note=f"paused by {request.user}") for c in queryset)
        self.message_user(request, f"{done} clock(s) paused.")

    @admin.action(description="Resume selected paused clocks")
    def resume(self, request, queryset):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        from .services import clock_resume

        now = timezone.now()
        done = sum(clock_resume(clock=c, now=now, note=f"resumed by {request.user}") for c in queryset)
        self.message_user(request, f"{done} clock(s) resumed.")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
