"""API keys and the audit trail. Roles are plain Django groups (SPEC S1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    SDR = "sdr", "SDR"
    AE = "ae", "AE"
    MANAGER = "manager", "Manager"
    MARKETING_OPS = "marketing_ops", "Marketing ops"


class ApiKey(models.Model):
    """A REST client's credential. Only a hash of the secret is stored."""

    class Scope(models.TextChoices):
        INTAKE = "intake", "Intake (push submissions and events)"
        READ = "read", "Read"
        ADMIN = "admin", "Admin (everything)"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.scope}, {self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEntry(models.Model):
    """Who changed what, when, with the before and after (rules, policies, manual stage changes)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=20)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_repr}"
