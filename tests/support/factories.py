"""Small factories: only required fields; tests set what matters to them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from leads.models import Lead
from sla.models import TeamMember

_seq = itertools.count(1)

COMPLETE = {"first_name": "Asha", "last_name": "Rao", "title": "VP Logistics", "phone": "+91 98450 00000",
            "company": "Shree Cement", "industry": "Cement"}


def make_lead(**fields: Any) -> Lead:
    n = next(_seq)
    return Lead.objects.create(email=fields.pop("email", f"lead{n}@example.in"), **fields)


def make_complete_lead(**fields: Any) -> Lead:
    """A lead whose data package is complete (name, title, email, phone, company, source)."""
    from leads.services import source_get_or_create

    source = source_get_or_create(campaign="Cement Dispatch Webinar", channel="webinar", content="Yard webinar")
    return make_lead(**(COMPLETE | {"source": source} | fields))


def make_member(user: Any, *, slack: str = "", manager: Any = None, active: bool = True) -> TeamMember:
    return TeamMember.objects.create(user=user, slack_user_id=slack, manager=manager, active=active)


def to_mql(lead: Lead, *, now: dt.datetime) -> None:
    """Move a lead to MQL the way scoring does: one system stage change."""
    from leads.services import Actor, lead_change_stage

    lead_change_stage(lead=lead, to_stage="mql", actor=Actor.system(), reason="Score ≥ 60, ICP and intent met",
                      now=now)
