"""`{% load scoring_tags %}{% score_explanation lead %}`: the lead page's score explanation (SPEC S12)."""

from __future__ import annotations

from typing import Any

from django import template

from leads.models import Lead
from scoring.selectors import score_explanation as explain

register = template.Library()


@register.inclusion_tag("scoring/_score_explanation.html")
def score_explanation(lead: Lead) -> dict[str, Any]:
    rules = explain(lead)
    return {
        "lead": lead,
        "fit_rules": [r for r in rules if r.kind == "fit"],
        "engagement_rules": [r for r in rules if r.kind == "engagement"],
        "fit_uncapped": sum(r.points for r in rules if r.kind == "fit"),
        "engagement_uncapped": sum(r.points for r in rules if r.kind == "engagement"),
    }
