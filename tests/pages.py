"""Small factories for the page tests: leads in a given state, built straight in the database.

They fill only what a page needs and leave every lifecycle write to the services
under test. SLA clocks are made here directly so the queue's order can be set
exactly, whatever the SLA app would have computed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from leads.models import Campaign, Event, Lead, Source, Stage
from sla.models import SlaClock

_n = itertools.count(1)


def make_lead(*, owner: Any = None, grade: str = "A", stage: str = Stage.MQL, **fields: Any) -> Lead:
    n = next(_n)
    now = fields.pop("now", None) or timezone.now()
    defaults: dict[str, Any] = {
        "email": f"lead{n}@plant{n}.example.in",
        "first_name": f"Asha{n}",
        "last_name": "Rao",
        "title": "VP Logistics",
        "company": f"Shree Cement {n}",
        "industry": "Cement",
        "employees": 1200,
        "score_total": {"A": 85, "B": 70, "C": 50, "D": 20}[grade],
        "score_fit": 45,
        "score_engagement": {"A": 40, "B": 25, "C": 5, "D": 0}[grade],
        "mql_at": now if stage != Stage.LEAD else None,
    }
    defaults.update(fields)
    return Lead.objects.create(owner=owner, grade=grade, stage=stage, **defaults)


def make_clock(lead: Lead, *, due_in: dt.timedelta, kind: str = SlaClock.Kind.FIRST_ATTEMPT, **fields: Any) -> SlaClock:
    now = timezone.now()
    return SlaClock.objects.create(
        lead=lead, kind=kind, owner=lead.owner, started_at=now - dt.timedelta(minutes=1), due_at=now + due_in, **fields
    )


def make_source(campaign: str, channel: str = "webinar") -> Source:
    camp, _ = Campaign.objects.get_or_create(name=campaign, defaults={"channel": channel})
    source, _ = Source.objects.get_or_create(campaign=camp, channel=channel, content="")
    return source


def add_event(lead: Lead, type_: str, *, ago: dt.timedelta = dt.timedelta(hours=1), asset: str = "") -> Event:
    return Event.objects.create(lead=lead, type=type_, occurred_at=timezone.now() - ago, asset=asset)
