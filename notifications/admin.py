"""Admin for the outbox: failed deliveries are visible and retryable; webhook subscribers are configured here."""

from __future__ import annotations

from django.contrib import admin, messages

from .models import DeliveryAttempt, Notification, WebhookSubscription
from .services import notification_retry


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("started_at", "finished_at", "outcome", "status_code", "duration_ms", "error")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "target", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("key", "target", "subject")
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="Retry selected failed notifications")
    def retry(self, request, queryset):  # type: ignore[no-untyped-def]
        failed = list(queryset.filter(status=Notification.Status.FAILED))
        for row in failed:
            notification_retry(notification=row)
        messages.info(request, f"{len(failed)} notification(s) queued for another delivery.")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "events", "active", "created_at")
    list_filter = ("active",)
