"""Audit trail for admin edits: who changed which row, when, with the before and after values.

`AuditedAdminMixin` goes first in a ModelAdmin's bases for every model whose
edits must be accountable (scoring rules, grade bands, SLA policies and
calendars). It records one AuditEntry per add, change or delete, in the same
transaction as the edit (the admin wraps each request's save in one).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from .services import audit_record


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a field value (dates, decimals, files, related rows)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's editable values, as the audit trail stores them."""
    return {name: _plain(value) for name, value in model_to_dict(obj).items()}


class AuditedAdminMixin:
    """Record every add/change/delete made through this ModelAdmin."""

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = None
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        after = snapshot(obj)
        if before == after:
            return
        audit_record(user=request.user, action="change" if change else "add", obj=obj, before=before, after=after)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        # Many-to-many values are saved after the row; record them if they moved.
        obj = form.instance
        before = snapshot(obj)
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        after = snapshot(obj)
        if before != after:
            audit_record(user=request.user, action="change", obj=obj, before=before, after=after)

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        before = snapshot(obj)
        audit_record(user=request.user, action="delete", obj=obj, before=before, after=None)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for obj in queryset:
            audit_record(user=request.user, action="delete", obj=obj, before=snapshot(obj), after=None)
        super().delete_queryset(request, queryset)  # type: ignore[misc]
