"""Reads for leads."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Lead

# The columns the S30 lead body shows. A lead row has ~50 columns; loading only
# these makes the API's lead reads (intake answers, lists) noticeably cheaper
# in Python (bench/README.md). Add a column here when LeadOutput shows a new one.
LEAD_BODY_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "stage",
    "grade",
    "score_total",
    "score_fit",
    "score_engagement",
    "score_breakdown",
    "score_valid_until",
    "mql_at",
    "created_at",
    "owner__username",
)


def lead_list_queryset() -> QuerySet[Lead]:
    """Leads with what the S30 body needs loaded in a fixed number of queries."""
    return Lead.objects.select_related("owner").only(*LEAD_BODY_FIELDS).prefetch_related("sla_clocks")
