"""Marketing ops edit scoring rules here (SPEC S7–S12).

Rules live in versioned rule sets: clone the published set to a draft, edit
the draft's rows inline, preview its effect on current leads, then publish.
Published and archived sets are read-only. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.services import audit_record
from leads.models import EventType

from . import selectors, services
from .models import EngagementRule, FitBand, FunctionRule, GradeBand, IndustryCategory, RuleSet, TitleLevel


def _user(request: HttpRequest) -> Any:
    return request.user


class AuditedInline(admin.TabularInline):
    """Inline rows editable only while their rule set is a draft."""

    extra = 0

    def _editable(self, obj: RuleSet | None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self._editable(obj) and super().has_delete_permission(request, obj)


class FitBandInline(AuditedInline):
    model = FitBand
    fields = ("attribute", "label", "min_value", "min_inclusive", "max_value", "max_inclusive", "points")


class IndustryCategoryInline(AuditedInline):
    model = IndustryCategory
    fields = ("name", "points", "is_manufacturing", "industries")

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "industries":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class KeywordsInline(AuditedInline):
    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "keywords":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TitleLevelInline(KeywordsInline):
    model = TitleLevel
    fields = ("name", "keywords", "points")


class FunctionRuleInline(KeywordsInline):
    model = FunctionRule
    fields = ("priority", "function", "keywords", "in_icp")


class EngagementRuleForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.SelectMultiple(attrs={"size": 4}), help_text="Qualifying event types."
    )

    class Meta:
        model = EngagementRule
        fields = (
            "position", "name", "event_types", "points", "decay_days", "min_count", "unless_same_asset", "is_intent",
        )


class EngagementRuleInline(AuditedInline):
    model = EngagementRule
    form = EngagementRuleForm
    fields = EngagementRuleForm.Meta.fields


class GradeBandInline(AuditedInline):
    model = GradeBand
    fields = ("grade", "min_score", "classification", "action")


INLINE_MODELS = (FitBand, IndustryCategory, TitleLevel, FunctionRule, EngagementRule, GradeBand)


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "name", "status", "mql_threshold", "published_at", "preview_link")
    list_filter = ("status",)
    fields = (
        "version", "status", "name", "notes", "mql_threshold", "icp_min_employees", "icp_max_employees",
        "based_on", "created_by", "published_at", "published_by",
    )
    readonly_fields = ("version", "status", "based_on", "created_by", "published_at", "published_by")
    inlines = [
        GradeBandInline,
        FitBandInline,
        IndustryCategoryInline,
        TitleLevelInline,
        FunctionRuleInline,
        EngagementRuleInline,
    ]
    actions = ["clone_to_draft"]
    change_form_template = "admin/scoring/ruleset/change_form.html"

    # -- permissions: only drafts change ---------------------------------------

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # New versions start as a clone of an existing set (action or button).
        return False

    # -- audit trail -------------------------------------------------------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "notes":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = services.snapshot(RuleSet.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(user=_user(request), action="change" if change else "add", obj=obj, before=before,
                     after=services.snapshot(obj))

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        before = services.snapshot(obj)
        audit_record(user=_user(request), action="delete", obj=obj, before=before, after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        # The bulk action checks permission per model, not per row: never delete a live or archived set.
        kept = queryset.exclude(status=RuleSet.Status.DRAFT).count()
        if kept:
            self.message_user(request, f"Kept {kept} published or archived rule set(s); only drafts are deleted.",
                              messages.WARNING)
        for obj in queryset.filter(status=RuleSet.Status.DRAFT):
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        model = formset.model
        befores = {}
        for f in formset.forms:
            if f.instance.pk and (f.has_changed() or f in formset.deleted_forms):
                old = model.objects.filter(pk=f.instance.pk).first()
                if old is not None:
                    befores[f.instance.pk] = services.snapshot(old)
        # Deleted rows lose their pk on delete: record them first.
        for f in formset.deleted_forms:
            if f.instance.pk:
                audit_record(user=_user(request), action="delete", obj=f.instance,
                             before=befores.get(f.instance.pk), after=None)
        formset.save()
        user = _user(request)
        for obj in formset.new_objects:
            audit_record(user=user, action="add", obj=obj, before=None, after=services.snapshot(obj))
        for obj, _fields in formset.changed_objects:
            audit_record(user=user, action="change", obj=obj, before=befores.get(obj.pk),
                         after=services.snapshot(obj))

    # -- list column ---------------------------------------------------------------

    @admin.display(description="Preview")
    def preview_link(self, obj: RuleSet) -> str:
        if not obj.is_editable:
            return "—"
        return format_html('<a href="{}">Preview &amp; publish</a>', reverse("admin:scoring_ruleset_preview",
                                                                             args=[obj.pk]))

    # -- clone, preview, publish ------------------------------------------------

    @admin.action(description="Clone to a new draft")
    def clone_to_draft(self, request, queryset):  # type: ignore[no-untyped-def]
        if not super().has_change_permission(request):
            raise PermissionDenied
        for rule_set in queryset:
            draft = services.rule_set_clone(rule_set=rule_set, user=_user(request))
            self.message_user(request, f"Created draft v{draft.version} from v{rule_set.version}.", messages.SUCCESS)

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="scoring_ruleset_preview"),
            path("<int:pk>/publish/", view(self.publish_view), name="scoring_ruleset_publish"),
            path("<int:pk>/clone/", view(self.clone_view), name="scoring_ruleset_clone"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule_set = get_object_or_404(RuleSet, pk=pk)
        if not self.has_view_permission(request, rule_set):
            raise PermissionDenied
        preview = selectors.rule_set_preview(rule_set=rule_set, now=timezone.now())
        published = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview rule set v{rule_set.version}",
            "rule_set": rule_set,
            "published": published,
            "preview": preview,
            "problems": services.rule_set_problems(rule_set) if rule_set.is_editable else [],
            "can_publish": self.has_change_permission(request, rule_set),
        }
        return TemplateResponse(request, "admin/scoring/ruleset/preview.html", context)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule_set = get_object_or_404(RuleSet, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, rule_set):
            raise PermissionDenied
        try:
            marked = services.rule_set_publish(rule_set=rule_set, user=_user(request), now=timezone.now())
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:scoring_ruleset_preview", args=[pk]))
        self.message_user(
            request,
            f"Published v{rule_set.version}. {marked} leads are queued for rescoring by the scheduler; "
            "run `manage.py rescore --all` to rescore them now.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:scoring_ruleset_changelist"))

    def clone_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule_set = get_object_or_404(RuleSet, pk=pk)
        if request.method != "POST" or not super().has_change_permission(request):
            raise PermissionDenied
        draft = services.rule_set_clone(rule_set=rule_set, user=_user(request))
        self.message_user(request, f"Created draft v{draft.version}; edit it, preview, then publish.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:scoring_ruleset_change", args=[draft.pk]))
