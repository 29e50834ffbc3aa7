from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .models import (
    Attempt,
    Campaign,
    Disposition,
    Event,
    Handoff,
    Lead,
    Opportunity,
    Qualification,
    QualityFlag,
    Source,
    Stage,
    StageChange,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("type", "occurred_at", "asset", "source")
    ordering = ("-occurred_at",)


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ("at", "from_stage", "to_stage", "actor_kind", "actor_user", "actor_api_key", "reason")


class AttemptInline(ReadOnlyInline):
    model = Attempt
    fields = ("at", "sdr", "channel", "outcome", "notes")


class ManualStageForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, label="New stage")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded in the stage history.")


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "company", "industry", "stage", "grade", "score_total", "owner", "created_at")
    list_filter = ("stage", "grade", "industry")
    search_fields = ("email", "first_name", "last_name", "company")
    list_select_related = ("owner",)
    raw_id_fields = ("source", "merged_into")
    readonly_fields = (
        "stage",
        "grade",
        "score_total",
        "score_fit",
        "score_engagement",
        "score_breakdown",
        "score_valid_until",
        "scored_at",
        "score_version",
        "mql_at",
        "sal_at",
        "sql_at",
        "opportunity_at",
        "customer_at",
        "first_touch_at",
        "first_attempt_at",
        "total_attempts",
        "last_attempt_at",
        "created_at",
        "updated_at",
    )
    inlines = [EventInline, AttemptInline, StageChangeInline]
    change_form_template = "admin/leads/lead/change_form.html"

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.change_stage_view)
        return [path("<int:pk>/change-stage/", view, name="leads_lead_change_stage"), *super().get_urls()]

    def change_stage_view(self, request, pk: int):  # type: ignore[no-untyped-def]
        """Move a lead by hand through `lead_change_stage_manually` (history row + audit entry)."""
        from .services import lead_change_stage_manually

        lead = get_object_or_404(Lead, pk=pk)
        if not self.has_change_permission(request, lead):
            raise PermissionDenied
        form = ManualStageForm(request.POST or None, initial={"to_stage": lead.stage})
        if request.method == "POST" and form.is_valid():
            try:
                lead_change_stage_manually(
                    lead=lead, to_stage=form.cleaned_data["to_stage"], user=request.user,
                    reason=form.cleaned_data["reason"], now=timezone.now(),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"{lead} is now {lead.get_stage_display()}.")
                return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": lead,
            "form": form,
            "title": f"Change stage of {lead}",
        }
        return TemplateResponse(request, "admin/leads/lead/change_stage.html", context)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("lead", "type", "occurred_at", "asset")
    list_filter = ("type",)
    search_fields = ("lead__email", "asset")
    raw_id_fields = ("lead", "source")
    date_hierarchy = "occurred_at"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "cost_lakh", "starts_on", "ends_on")
    search_fields = ("name",)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "campaign", "channel", "content")
    list_filter = ("channel",)
    search_fields = ("campaign__name", "channel", "content")


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    """Stage history is immutable: readable here, never editable."""

    list_display = ("lead", "from_stage", "to_stage", "at", "actor_kind", "actor_user", "reason")
    list_filter = ("to_stage", "actor_kind")
    search_fields = ("lead__email", "reason")
    list_select_related = ("lead", "actor_user")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


for model in (Attempt, Disposition, Handoff, Opportunity, Qualification, QualityFlag):
    admin.site.register(model, type(f"{model.__name__}Admin", (admin.ModelAdmin,), {"raw_id_fields": ("lead",)}))
