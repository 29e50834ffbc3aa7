"""`manage.py seed_demo --leads N`: realistic demo data (SPEC S27).

Indian manufacturing prospects with campaigns, sources and engagement events
over the last 120 days, written with bulk inserts so 100k leads take seconds.
Deterministic for a given --seed.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from tqdm import tqdm

from leads.models import ActorKind, Campaign, Event, EventType, Lead, Source, Stage, StageChange

FIRST = (
    "Aarav Vivaan Aditya Vihaan Arjun Sai Reyansh Ayaan Krishna Ishaan Ananya Diya Aadhya Saanvi Ira Myra Anika "
    "Priya Kavya Meera Rohan Rahul Vikram Suresh Ramesh Lakshmi Deepa Neha Pooja Sanjay Anil Sunita Kiran Manoj "
    "Harish Gaurav Nikhil Swati Shreya Tanvi Venkat Karthik Prakash Rajesh Shalini Divya Amit Arvind Farhan Zoya"
).split()
LAST = (
    "Sharma Verma Iyer Nair Reddy Patel Shah Mehta Gupta Agarwal Singh Kumar Das Banerjee Chatterjee Rao Menon "
    "Pillai Joshi Kulkarni Deshpande Bhat Naidu Chopra Malhotra Kapoor Saxena Mishra Pandey Trivedi Khan Sheikh "
    "Fernandes DSouza Gill Sandhu Jain Bansal Goyal Mittal"
).split()
INDUSTRIES: list[tuple[str, int, list[str]]] = [
    ("Steel", 14, ["Steel", "Ispat", "Metals", "Alloys"]),
    ("Cement", 12, ["Cement", "Cements", "Concrete"]),
    ("FMCG", 14, ["Consumer Products", "Foods", "Home Care", "Beverages"]),
    ("Chemicals", 10, ["Chemicals", "Petrochem", "Specialty Chemicals"]),
    ("Automotive", 7, ["Auto Components", "Motors", "Autoparts"]),
    ("Pharma", 6, ["Pharma", "Lifesciences", "Healthcare"]),
    ("Textiles", 5, ["Textiles", "Fabrics", "Spinning Mills"]),
    ("Paper", 4, ["Paper", "Paper Mills", "Packaging"]),
    ("Food processing", 4, ["Agro Foods", "Dairy", "Edible Oils"]),
    ("IT services", 8, ["Infotech", "Technologies", "Software"]),
    ("Retail", 6, ["Retail", "Mart", "Stores"]),
    ("Banking", 4, ["Finance", "Capital", "Bank"]),
    ("Education", 3, ["Academy", "Learning", "Institute"]),
]
PREFIX = (
    "Bharat Hindustan Shree Sri Jai Om Ganga Deccan Konkan Malabar Vindhya Ambuja Narmada Sahyadri Aravali Kaveri "
    "Indus Sagar Surya Tata Kalinga Utkal Magadh Pragati Vijay Navbharat Sapphire Orient Eastern Western Southern"
).split()
CITIES = "Mumbai Pune Chennai Bengaluru Hyderabad Kolkata Ahmedabad Jamshedpur Raipur Nagpur".split()
TITLES: list[tuple[str, str, int]] = [
    ("VP Logistics", "Logistics", 6),
    ("Vice President Supply Chain", "Supply Chain", 4),
    ("Director Operations", "Operations", 5),
    ("Head of Logistics", "Logistics", 6),
    ("Chief Financial Officer", "Finance", 2),
    ("COO", "Operations", 2),
    ("Logistics Manager", "Logistics", 12),
    ("Supply Chain Manager", "Supply Chain", 10),
    ("Plant Operations Manager", "Operations", 8),
    ("Finance Manager", "Finance", 5),
    ("Dispatch Lead", "Logistics", 5),
    ("Transport Executive", "Logistics", 8),
    ("Logistics Coordinator", "Logistics", 6),
    ("Marketing Manager", "Marketing", 5),
    ("HR Manager", "Human Resources", 4),
    ("Software Engineer", "IT", 4),
    ("Procurement Officer", "Procurement", 4),
]
CAMPAIGNS: list[tuple[str, str, Decimal]] = [
    ("Steel Logistics Summit 2026", "event", Decimal("18.00")),
    ("Cement Dispatch Webinar Series", "webinar", Decimal("6.50")),
    ("FMCG Freight Cost Benchmark", "content", Decimal("4.00")),
    ("Google Ads – Transport Management", "paid_search", Decimal("12.00")),
    ("LinkedIn ABM – Top 500 Manufacturers", "paid_social", Decimal("15.00")),
    ("Outbound Email – Chemicals", "email", Decimal("2.50")),
    ("Organic Website", "organic", Decimal("0.00")),
    ("Partner Referrals", "referral", Decimal("3.00")),
]
CONTENT = {
    "event": ["Booth scan", "Keynote registration"],
    "webinar": ["Dispatch automation webinar", "Yard management webinar"],
    "content": ["Freight cost benchmark PDF", "Case study: Steel major cuts detention 40%"],
    "paid_search": ["TMS landing page", "Pricing landing page"],
    "paid_social": ["Lead gen form", "Carousel: visibility"],
    "email": ["Nurture #3", "Product update"],
    "organic": ["Blog", "Homepage"],
    "referral": ["Partner intro"],
}
# Event type, relative weight, and a typical asset.
EVENT_MIX: list[tuple[str, int, str]] = [
    (EventType.WEBSITE_VISIT, 30, "/solutions/tms"),
    (EventType.EMAIL_OPEN, 25, "Newsletter"),
    (EventType.CONTENT_DOWNLOAD, 10, "Freight cost benchmark PDF"),
    (EventType.CASE_STUDY_DOWNLOAD, 6, "Case study: Steel major"),
    (EventType.PRICING_PAGE_VISIT, 6, "/pricing"),
    (EventType.LINKEDIN_ENGAGEMENT, 8, "Post: dispatch automation"),
    (EventType.WEBINAR_REGISTRATION, 5, "Dispatch automation webinar"),
    (EventType.WEBINAR_ATTENDANCE, 3, "Dispatch automation webinar"),
    (EventType.ROI_CALCULATOR_USAGE, 3, "ROI calculator"),
    (EventType.DEMO_REQUEST, 4, "Demo form"),
]

DEMO_PASSWORD = "demo-pass-123"
DEMO_USERS = [
    ("manager", "Meera", "Kapoor", ["manager"], True),
    ("mops", "Farhan", "Sheikh", ["marketing_ops"], True),
    ("sdr1", "Priya", "Nair", ["sdr"], False),
    ("sdr2", "Rohan", "Mehta", ["sdr"], False),
    ("sdr3", "Kavya", "Iyer", ["sdr"], False),
    ("ae1", "Vikram", "Singh", ["ae"], False),
    ("ae2", "Shalini", "Rao", ["ae"], False),
]


def _weighted(rng: random.Random, items: list[tuple[Any, ...]], weight_index: int) -> tuple[Any, ...]:
    return rng.choices(items, weights=[it[weight_index] for it in items], k=1)[0]


def ensure_demo_users() -> None:
    User = get_user_model()
    for username, first, last, groups, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com", "is_staff": staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if username == "manager":
                user.is_superuser = True
            user.save()
        user.groups.add(*Group.objects.filter(name__in=groups))


class Command(BaseCommand):
    help = "Create realistic demo leads, sources and engagement events over the last 120 days."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--leads", type=int, default=500, help="How many leads (default 500).")
        parser.add_argument("--events-per-lead", type=float, default=10.0, help="Average events per lead.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--with-users", action="store_true", help="Also create the demo users.")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--no-score", action="store_true", help="Skip scoring the new leads.")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        count = opts["leads"]
        if count < 0:
            raise CommandError("--leads must be 0 or more")
        rng = random.Random(opts["seed"])
        now = timezone.now()
        if opts["with_users"]:
            ensure_demo_users()
        sources = self._sources()
        start = Lead.objects.count()
        bar = tqdm(total=count, unit="lead", desc="seed_demo", disable=opts["verbosity"] == 0)
        made = 0
        while made < count:
            n = min(opts["batch"], count - made)
            self._batch(rng, start + made, n, sources, now, opts["events_per_lead"])
            made += n
            bar.update(n)
        bar.close()
        if not opts["no_score"] and count:
            from scoring.services import leads_score_bulk

            leads_score_bulk(now=now, progress=opts["verbosity"] > 0)
        self.stdout.write(self.style.SUCCESS(f"Created {count} leads."))

    def _sources(self) -> list[Source]:
        out = []
        for name, channel, cost in CAMPAIGNS:
            camp, _ = Campaign.objects.get_or_create(name=name, defaults={"channel": channel, "cost_lakh": cost})
            for content in CONTENT[channel]:
                src, _ = Source.objects.get_or_create(campaign=camp, channel=channel, content=content)
                out.append(src)
        return out

    @transaction.atomic
    def _batch(
        self, rng: random.Random, offset: int, n: int, sources: list[Source], now: dt.datetime, events_avg: float
    ) -> None:
        leads = []
        for i in range(offset, offset + n):
            industry, _, suffixes = _weighted(rng, INDUSTRIES, 1)
            title, function, _ = _weighted(rng, TITLES, 2)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = f"{rng.choice(PREFIX)} {rng.choice(suffixes)} Ltd"
            employees = int(rng.lognormvariate(6.4, 1.1))
            revenue = Decimal(max(5, int(employees * rng.uniform(0.15, 0.6)))).quantize(Decimal("1"))
            created = now - dt.timedelta(days=rng.uniform(0, 120))
            complete = rng.random() < 0.93  # some records arrive without phone or title
            leads.append(
                Lead(
                    email=f"{first}.{last}.{i}@{company.split()[0].lower()}{i % 97}.example.in".lower(),
                    first_name=first,
                    last_name=last,
                    title=title if complete or rng.random() < 0.5 else "",
                    phone=f"+91 9{rng.randint(100000000, 999999999)}" if complete else "",
                    company=company,
                    industry=industry,
                    function=function if rng.random() < 0.6 else "",
                    employees=employees,
                    revenue_cr=revenue,
                    shipments_per_day=int(employees / rng.uniform(4, 20)),
                    context=f"Plant in {rng.choice(CITIES)}." if rng.random() < 0.3 else "",
                    source=rng.choice(sources),
                    first_touch_at=created,
                )
            )
        Lead.objects.bulk_create(leads, batch_size=2000)
        # bulk_create returns primary keys on Postgres and SQLite ≥ 3.35.
        history, events = [], []
        for lead in leads:
            created = lead.first_touch_at
            assert created is not None
            history.append(
                StageChange(
                    lead=lead,
                    from_stage="",
                    to_stage=Stage.LEAD,
                    at=created,
                    actor_kind=ActorKind.SYSTEM,
                    reason="Imported by seed_demo",
                )
            )
            for _ in range(max(1, int(rng.expovariate(1 / events_avg)))):
                etype, _, asset = _weighted(rng, EVENT_MIX, 1)
                at = created + (now - created) * rng.random()
                events.append(Event(lead=lead, type=etype, occurred_at=at, asset=asset, source=lead.source))
        StageChange.objects.bulk_create(history, batch_size=5000)
        Event.objects.bulk_create(events, batch_size=5000)
        # The demo history spans 120 days: a lead was created at its first touch.
        Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=F("first_touch_at"))
