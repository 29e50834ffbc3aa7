from django.contrib import admin, messages

from .models import ApiKey, AuditEntry
from .services import api_key_issue, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "scope", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix")
    fields = ("name", "scope", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return (*self.readonly_fields, "scope") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if change:
            obj.save(update_fields=["name"])
            return
        key, plain = api_key_issue(name=obj.name, scope=obj.scope)
        obj.pk = key.pk
        obj.prefix = key.prefix
        messages.warning(request, f"Copy this key now; it will not be shown again: {plain}")

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        for key in queryset:
            api_key_revoke(key=key)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "user__username")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
