"""Small factories for report tests: fill only what is required; tests set what matters."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from leads.models import Campaign, Handoff, Lead, Opportunity, Source
from reports.models import SlaAgreement
from reports.periods import IST

_seq = itertools.count(1)


def ist(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=IST)


def campaign_source(name: str = "Webinar", cost: str = "2.00") -> Source:
    camp, _ = Campaign.objects.get_or_create(name=name, defaults={"cost_lakh": Decimal(cost), "channel": "webinar"})
    src, _ = Source.objects.get_or_create(campaign=camp, channel="webinar", content="")
    return src


def make_lead(*, created_at: dt.datetime, complete: bool = True, **fields: Any) -> Lead:
    n = next(_seq)
    base: dict[str, Any] = {"email": f"lead{n}@example.in", "company": f"Company {n}"}
    if complete:
        base.update(first_name="Asha", last_name="Rao", title="Logistics Manager", phone="+91 9800000000")
        base.setdefault("source", fields.pop("source", None) or campaign_source())
    base.update(fields)
    if base.get("mql_at") and "mql_grade" not in base:
        base["mql_grade"] = base.get("grade", "D")  # the grade it had when it became MQL
    lead = Lead.objects.create(**base)
    Lead.objects.filter(pk=lead.pk).update(created_at=created_at)
    lead.created_at = created_at
    return lead


def make_handoff(lead: Lead, *, decided_at: dt.datetime, rejected: bool = False) -> Handoff:
    extra: dict[str, Any] = {}
    if rejected:
        extra = {"rejection_category": "not_ready", "rejection_reason": "No budget this year",
                 "recommendation": "nurture"}  # fmt: skip
    return Handoff.objects.create(
        lead=lead, created_at=decided_at - dt.timedelta(hours=3), decided_at=decided_at,
        decision=Handoff.Decision.REJECTED if rejected else Handoff.Decision.ACCEPTED, **extra,
    )  # fmt: skip


def make_opportunity(lead: Lead, *, opened_at: dt.datetime, amount: str) -> Opportunity:
    return Opportunity.objects.create(lead=lead, amount_lakh=Decimal(amount), opened_at=opened_at)


def set_agreement(**fields: Any) -> SlaAgreement:
    """Adjust the active agreement that the data migration installed."""
    ag = SlaAgreement.objects.get(is_active=True)
    for k, v in fields.items():
        setattr(ag, k, v)
    ag.save()
    return ag
