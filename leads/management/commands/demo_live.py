"""`manage.py demo_live`: a few leads that arrive *now*, through the real services.

`seed_demo` writes history in bulk; this adds the live part a newcomer wants to
see on `make run`: hot leads fresh in the SDRs' queues with their clocks
ticking, and SQLs waiting in the AEs' inboxes. Everything goes through the same
services as the API and the pages (scoring, MQL, assignment, clocks, alerts).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from leads import services
from leads.models import Handoff, Lead, Stage
from leads.services import Actor

HOT = [
    ("Ananya", "Kulkarni", "VP Logistics", "Deccan Cement Ltd", "Cement", 1800, 620, 260),
    ("Karthik", "Menon", "Head of Supply Chain", "Malabar Ispat Ltd", "Steel", 2400, 880, 340),
    ("Ira", "Chopra", "Director Operations", "Konkan Consumer Products Ltd", "FMCG", 950, 410, 150),
]
READY_FOR_AE = [
    ("Vivaan", "Bhat", "VP Logistics", "Narmada Alloys Ltd", "Steel", 1300, 520, 210),
    ("Myra", "Joshi", "Head of Logistics", "Sahyadri Specialty Chemicals Ltd", "Chemicals", 700, 240, 120),
]


def _submit(row: tuple, events: list[str], now: dt.datetime) -> Lead:  # type: ignore[type-arg]
    first, last, title, company, industry, employees, revenue, shipments = row
    email = f"{first}.{last}@{company.split()[0].lower()}.example.in".lower()
    lead, _ = services.submission_receive(
        data={
            "email": email, "first_name": first, "last_name": last, "title": title, "phone": "+91 98200 11223",
            "company": company, "industry": industry, "employees": employees, "revenue_cr": revenue,
            "shipments_per_day": shipments,
            "source": {"campaign": "Google Ads – Transport Management", "channel": "paid_search",
                       "content": "Pricing landing page"},
            "event": {"type": events[0], "asset": "Demo form", "occurred_at": now - dt.timedelta(minutes=2)},
            "context": "Asked for a call this week about dispatch delays across plants.",
        },
        actor=Actor.system(),
        now=now,
    )
    if events[1:]:
        services.events_record(
            items=[{"email": email, "type": e, "occurred_at": now - dt.timedelta(minutes=1)} for e in events[1:]],
            actor=Actor.system(),
            now=now,
        )
        lead.refresh_from_db()
    return lead


class Command(BaseCommand):
    help = "Add a few leads arriving now: hot MQLs for the SDRs and SQLs waiting for the AEs."

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if not get_user_model().objects.filter(groups__name="sdr", is_active=True).exists():
            raise CommandError("No active SDR: run `manage.py seed_demo --with-users` first.")
        now = timezone.now()
        with transaction.atomic():
            for row in HOT:
                _submit(row, ["demo_request", "pricing_page_visit"], now)
            for row in READY_FOR_AE:
                lead = _submit(row, ["demo_request"], now - dt.timedelta(hours=3))
                if lead.stage != Stage.MQL or lead.owner is None:
                    continue
                sdr, then = lead.owner, now - dt.timedelta(hours=2)
                services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome="connected",
                                     notes="Spoke with them; pain is detention at the plant gate.", now=then)
                services.lead_accept(lead=lead, user=sdr, now=then)
                services.discovery_record(lead=lead, user=sdr, at=now - dt.timedelta(hours=1), now=now)
                services.qualification_save(
                    lead=lead, user=sdr, scores={"budget": 2, "authority": 3, "need": 3, "timeline": 2, "trigger": 2},
                    notes={"budget": "Budgeted for FY27", "authority": "VP signs", "need": "Gate detention",
                           "timeline": "Pilot in Q1", "trigger": "New plant going live"},
                    now=now,
                )
                services.disposition_record(
                    lead=lead, user=sdr, kind="qualified", summary="Discovery call done; strong fit.",
                    reason="All BANT+T criteria met (12/15).", next_steps="AE demo this week.", now=now,
                )
        pending = Handoff.objects.filter(decision=Handoff.Decision.PENDING).count()
        self.stdout.write(self.style.SUCCESS(
            f"Added {len(HOT)} hot leads and {len(READY_FOR_AE)} SQLs; {pending} handoffs wait for an AE."
        ))
