"""`manage.py seed_demo --leads N`: realistic demo data (SPEC S27).

Indian manufacturing prospects with campaigns, sources and engagement events
over the last 120 days, and a living lifecycle history for every report: MQLs
by grade, SDR attempts, acceptances, discovery calls, dispositions, AE handoffs
(some rejected), opportunities and wins, SLA clocks (some breached), quality
flags — then the stored weekly results of the last 12 weeks. Everything is
decided in Python first and written with bulk inserts, so 100k leads take
seconds. Deterministic for a given --seed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg.types.json import Jsonb
from tqdm import tqdm

from leads.models import (
    ActorKind,
    Attempt,
    Campaign,
    Disposition,
    Event,
    EventType,
    Handoff,
    Lead,
    Opportunity,
    QualityFlag,
    Source,
    Stage,
    StageChange,
)
from scoring import engine
from scoring.selectors import active_rules
from sla.models import SlaClock

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


_CUM: dict[tuple[int, int], tuple[list[float], float]] = {}


def _cumulative(items: list[tuple[Any, ...]], weight_index: int) -> tuple[list[float], float]:
    key = (id(items), weight_index)
    if key not in _CUM:
        cum = list(itertools.accumulate(it[weight_index] for it in items))
        _CUM[key] = (cum, cum[-1] + 0.0)
    return _CUM[key]


def _weighted(rng: random.Random, items: list[tuple[Any, ...]], weight_index: int) -> tuple[Any, ...]:
    """`rng.choices(items, weights, k=1)[0]` (the same draw from the same single `random()`),
    without its per-call set-up: the seed makes a million of these."""
    cum, total = _cumulative(items, weight_index)
    return items[bisect.bisect(cum, rng.random() * total, 0, len(cum) - 1)]


class Writer:
    """Bulk inserts: PostgreSQL COPY (ids drawn from the table's sequence up front, so children can
    point at parents without a round trip), `bulk_create` elsewhere. COPY skips the ORM's per-value
    preparation, which is what keeps 100k leads and a million rows well under a minute."""

    def __init__(self, now: dt.datetime) -> None:
        self.pg = connection.vendor == "postgresql"
        self.now = now

    def allocate(self, model: type[models.Model], objs: list[Any]) -> None:
        """Give `objs` primary keys now (PostgreSQL); elsewhere bulk_create returns them."""
        if not self.pg or not objs:
            return
        table = model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(objs)]
            )
            for obj, (pk,) in zip(objs, cur.fetchall(), strict=True):
                obj.pk = pk

    def insert(self, model: type[models.Model], objs: list[Any], batch: int = 5000) -> None:
        if not objs:
            return
        if not self.pg:
            model.objects.bulk_create(objs, batch_size=batch)
            return
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objs[0].pk is None)]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        getters = [self._getter(f) for f in fields]
        with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cols}) FROM STDIN"
        ) as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])

    def insert_rows(self, model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert plain tuples of the `names` fields (no model instances: building hundreds of
        thousands of those costs more than the insert). A model instance inside a tuple stands
        for its primary key; every other column gets its field's default, as a model would."""
        if not rows:
            return
        if not self.pg:
            model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=5000)
            return
        given = [model._meta.get_field(n) for n in names]
        rest = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
        fill = [self._default(f) for f in rest]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in given + rest)
        Model = models.Model
        with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cols}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row([*(v.pk if isinstance(v, Model) else v for v in row), *fill])

    def _default(self, field: Any) -> Any:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        value = field.get_default()
        return Jsonb(value) if isinstance(field, models.JSONField) else value

    def _getter(self, field: Any) -> Any:
        attname, now = field.attname, self.now
        if field.is_relation:
            def related(obj: Any) -> Any:
                value = getattr(obj, attname)
                if value is None and field.is_cached(obj):
                    parent = field.get_cached_value(obj)
                    value = parent.pk if parent is not None else None
                return value
            return related
        if isinstance(field, models.JSONField):
            return lambda obj: Jsonb(getattr(obj, attname))
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return lambda obj: getattr(obj, attname) or now
        return lambda obj: getattr(obj, attname)


EVENT_COLUMNS = ["lead", "type", "occurred_at", "asset", "source_id", "received_at"]


def score_new_leads(
    leads: list[Lead], events: list[tuple[Any, ...]], rules: engine.CompiledRules, now: dt.datetime
) -> None:
    """Set the score columns of `leads` (not yet saved) from their `events` (`EVENT_COLUMNS` rows).

    Gives what `scoring.services.leads_score_bulk` would write for them at `now`:
    the same engine, rules and facts, and only the events inside the rules'
    longest decay window (as `scoring.selectors.events_by_lead` loads them).
    """
    since = now - rules.longest_window
    mine: dict[int, list[tuple[str, dt.datetime, str]]] = {id(lead): [] for lead in leads}
    for lead, etype, at, asset, *_ in events:
        if at >= since:
            mine[id(lead)].append((etype, at, asset))
    score_lead, version = engine.score_lead, rules.version
    for lead in leads:
        facts = engine.LeadFacts(
            industry=lead.industry or "",
            function=lead.function or "",
            title=lead.title or "",
            employees=lead.employees,
            revenue_cr=lead.revenue_cr,
            shipments_per_day=lead.shipments_per_day,
        )
        s = score_lead(facts, mine[id(lead)], rules, now)
        lead.score_total, lead.score_fit, lead.score_engagement, lead.grade = s.total, s.fit, s.engagement, s.grade
        lead.score_breakdown, lead.score_valid_until = s.breakdown(), s.valid_until
        lead.scored_at, lead.score_version = now, version


class LeadFactory:
    """Unsaved `Lead` instances from attribute values (`source_id`, not `source`), without
    `Model.__init__`: it walks all ~50 fields per lead, which for 100k leads costs more than
    the rest of their generation. Each lead starts from the defaults of a `Lead()` made once,
    with its own `_state` and its own breakdown list; there are no init signals for Lead."""

    def __init__(self) -> None:
        self.defaults = {k: v for k, v in Lead().__dict__.items() if k != "_state"}

    def __call__(self, **values: Any) -> Lead:
        lead = Lead.__new__(Lead)
        attrs = lead.__dict__
        attrs.update(self.defaults)
        attrs.update(values)
        attrs["_state"] = ModelState()
        attrs["score_breakdown"] = []
        return lead


def ensure_demo_users() -> None:
    User = get_user_model()
    # One hash for the one published demo password: each costs a quarter second by design.
    hashed = ""
    for username, first, last, groups, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com", "is_staff": staff},
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
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
        User = get_user_model()
        self.sdrs = list(User.objects.filter(groups__name="sdr", is_active=True).order_by("pk"))
        self.aes = list(User.objects.filter(groups__name="ae", is_active=True).order_by("pk"))
        start = Lead.objects.count()
        # Each batch scores its own new leads from the events it generated, with the
        # published rules, and writes the score in the same insert: older leads are
        # left alone and no second pass reads the events back.
        self.rules = None if opts["no_score"] else active_rules()
        bar = tqdm(total=count, unit="lead", desc="seed_demo", disable=opts["verbosity"] == 0)
        made = 0
        while made < count:
            n = min(opts["batch"], count - made)
            self._batch(rng, start + made, n, sources, now, opts["events_per_lead"])
            made += n
            bar.update(n)
        bar.close()
        if count:
            self._weekly_results(now)
        self.stdout.write(self.style.SUCCESS(f"Created {count} leads."))

    def _weekly_results(self, now: dt.datetime) -> None:
        """Freeze the last 12 complete weeks, so trends and escalation have history from day one."""
        from reports.periods import last_complete
        from reports.services import weekly_result_store

        week = last_complete("week", now)
        for _ in range(12):
            weekly_result_store(week=week, now=now)
            week = week.previous()
        self._recalibration(now)

    def _recalibration(self, now: dt.datetime) -> None:
        """A recalibration review of the running quarter with proposals to discuss (decision pending)."""
        from reports.models import RecalibrationReview
        from reports.periods import period_containing

        quarter = period_containing("quarter", now).label
        RecalibrationReview.objects.get_or_create(quarter=quarter, defaults={
            "proposed_changes": [
                {"item": "Grade B first attempt", "current": "1 hour", "proposed": "45 minutes",
                 "rationale": "Median is 14 min; Grade B leads contacted within 45 min convert better."},
                {"item": "MQL score threshold", "current": "60", "proposed": "65",
                 "rationale": "Leads at 60–64 are most of the Not Ready rejections."},
                {"item": "MQLs per month", "current": "120", "proposed": "150",
                 "rationale": "Volume has run above target for the whole quarter."},
            ],
            "resource_impact": "No new headcount; SDR cadence for Grade B tightens.",
            "risk": "Fewer MQLs from webinars if the threshold rises.",
        })  # fmt: skip

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
        new_lead = LeadFactory()
        for i in range(offset, offset + n):
            industry, _, suffixes = _weighted(rng, INDUSTRIES, 1)
            title, function, _ = _weighted(rng, TITLES, 2)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = f"{rng.choice(PREFIX)} {rng.choice(suffixes)} Ltd"
            employees = int(rng.lognormvariate(6.4, 1.1))
            revenue = Decimal(max(5, int(employees * rng.uniform(0.15, 0.6)))).quantize(Decimal("1"))
            created = now - dt.timedelta(days=rng.uniform(0, 120))
            complete = rng.random() < 0.97  # some records arrive without phone or title
            leads.append(
                new_lead(
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
                    source_id=rng.choice(sources).pk,
                    first_touch_at=created,
                    created_at=created,
                )
            )
        lifecycle = History()
        for lead in leads:
            plan_lifecycle(rng, lead, now, self.sdrs, self.aes, lifecycle)
        history, events = [], []
        # The hot loop (~10 events a lead): `_weighted` inlined, names bound locally.
        cum, total = _cumulative(EVENT_MIX, 1)
        last, rand, find, add = len(cum) - 1, rng.random, bisect.bisect, events.append
        for lead in leads:
            created = lead.first_touch_at
            assert created is not None
            history.append((lead, "", Stage.LEAD, created, ActorKind.SYSTEM, None, "Imported by seed_demo"))
            span, source_id = now - created, lead.source_id
            for _ in range(max(1, int(rng.expovariate(1 / events_avg)))):
                etype, _, asset = EVENT_MIX[find(cum, rand() * total, 0, last)]
                add((lead, etype, created + span * rand(), asset, source_id, now))
        if self.rules is not None:
            score_new_leads(leads, [*events, *lifecycle.events], self.rules, now)
        writer = Writer(now)
        if writer.pg:
            # Demo data: a crash mid-seed loses nothing worth an fsync per batch.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
        writer.allocate(Lead, leads)
        writer.insert(Lead, leads, batch=2000)
        # bulk_create returns primary keys on Postgres and SQLite ≥ 3.35.
        writer.insert_rows(StageChange, STAGE_CHANGE_COLUMNS, history)
        writer.insert_rows(Event, EVENT_COLUMNS, events)
        lifecycle.save(writer)
        if not writer.pg:
            # The demo history spans 120 days: a lead was created at its first touch (bulk_create
            # applies auto_now_add, COPY does not).
            Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=F("first_touch_at"))


# --- Lifecycle history ------------------------------------------------------------------------

MANUFACTURING = {"Steel", "Cement", "FMCG", "Chemicals", "Automotive", "Pharma", "Textiles", "Paper",
                 "Food processing"}  # fmt: skip
ICP_FUNCTIONS = {"Logistics", "Supply Chain", "Operations", "Finance"}
FIRST_ATTEMPT = {"A": dt.timedelta(minutes=5), "B": dt.timedelta(hours=1), "C": dt.timedelta(hours=24)}
# Typical minutes to first attempt per grade (lognormal medians): most within SLA, a tail breaches.
FIRST_ATTEMPT_MEDIAN_MIN = {"A": 2.0, "B": 14.0, "C": 400.0}
INTENT_EVENTS = {"A": [EventType.DEMO_REQUEST, EventType.PRICING_PAGE_VISIT, EventType.ROI_CALCULATOR_USAGE],
                 "B": [EventType.PRICING_PAGE_VISIT, EventType.CASE_STUDY_DOWNLOAD]}  # fmt: skip
CHANNELS = [Attempt.Channel.PHONE, Attempt.Channel.EMAIL, Attempt.Channel.PHONE, Attempt.Channel.LINKEDIN]
OBJECTIONS = [
    "Already using an in-house dispatch tool",
    "Budget frozen until next financial year",
    "Needs SAP integration proof",
    "Worried about transporter adoption",
    "Asked for pricing per truck instead of per user",
]
CONTENT_GAPS = ["Case study for cement plants", "ROI sheet for FMCG secondary freight", "Security/IT questionnaire"]
BAD_DATA = ["Phone number unreachable", "Wrong title: left the company", "Company is a distributor, not a plant"]
DQ_REASONS = [Disposition.ReasonCode.BAD_FIT, Disposition.ReasonCode.NOT_INTERESTED, Disposition.ReasonCode.NO_BUDGET,
              Disposition.ReasonCode.INVALID_DATA]  # fmt: skip
REJECTIONS = [
    (Handoff.RejectionCategory.NOT_READY, Handoff.Recommendation.NURTURE, "No approved budget before Q2"),
    (Handoff.RejectionCategory.MISQUALIFIED, Handoff.Recommendation.REQUALIFY, "Authority was a plant engineer"),
    (Handoff.RejectionCategory.WRONG_FIT, Handoff.Recommendation.DISQUALIFY, "Under 200 trucks a month"),
    (Handoff.RejectionCategory.COMPETITOR_COMMITTED, Handoff.Recommendation.NURTURE, "Signed with a competitor"),
]


STAGE_CHANGE_COLUMNS = ["lead", "from_stage", "to_stage", "at", "actor_kind", "actor_user", "reason"]
ATTEMPT_COLUMNS = ["lead", "sdr", "channel", "outcome", "at"]
DISPOSITION_COLUMNS = ["lead", "kind", "reason_code", "summary", "reason", "next_steps", "reengage_on", "by", "at"]
CLOCK_COLUMNS = ["lead", "kind", "owner", "started_at", "due_at", "stopped_at", "state", "handoff"]
FLAG_COLUMNS = ["lead", "kind", "note", "by", "at"]


class History:
    """Rows to insert once the batch's leads have primary keys, in dependency order: plain tuples
    of the `*_COLUMNS` fields, except handoffs and opportunities (few, and filled in as they go)."""

    def __init__(self) -> None:
        self.changes: list[tuple[Any, ...]] = []
        self.attempts: list[tuple[Any, ...]] = []
        self.dispositions: list[tuple[Any, ...]] = []
        self.handoffs: list[Handoff] = []
        self.opportunities: list[tuple[Opportunity, Handoff]] = []
        self.clocks: list[tuple[Any, ...]] = []  # the handoff (last) gets its pk on insert
        self.flags: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []

    def save(self, writer: Writer) -> None:
        writer.insert_rows(StageChange, STAGE_CHANGE_COLUMNS, self.changes)
        writer.insert_rows(Attempt, ATTEMPT_COLUMNS, self.attempts)
        writer.insert_rows(Disposition, DISPOSITION_COLUMNS, self.dispositions)
        writer.allocate(Handoff, self.handoffs)
        writer.insert(Handoff, self.handoffs)
        for opp, handoff in self.opportunities:
            opp.handoff = handoff
        writer.insert(Opportunity, [o for o, _ in self.opportunities])
        writer.insert_rows(SlaClock, CLOCK_COLUMNS, self.clocks)
        writer.insert_rows(QualityFlag, FLAG_COLUMNS, self.flags)
        writer.insert_rows(Event, EVENT_COLUMNS, self.events)


def _clock(h: History, lead: Lead, kind: str, owner: Any, start: dt.datetime, due: dt.datetime,
           stop: dt.datetime | None, now: dt.datetime, handoff: Handoff | None = None) -> None:  # fmt: skip
    if stop is not None and stop <= now:
        state = SlaClock.State.MET if stop <= due else SlaClock.State.BREACHED
    else:
        stop = None
        state = SlaClock.State.BREACHED if due <= now else SlaClock.State.RUNNING
    h.clocks.append((lead, kind, owner, start, due, stop, state, handoff))


def _move(h: History, lead: Lead, frm: str, to: str, at: dt.datetime, user: Any, reason: str) -> None:
    kind = ActorKind.USER if user is not None else ActorKind.SYSTEM
    h.changes.append((lead, frm, to, at, kind, user, reason))
    lead.stage = to


def plan_lifecycle(
    rng: random.Random, lead: Lead, now: dt.datetime, sdrs: list[Any], aes: list[Any], h: History
) -> None:
    """Decide a lead's grade and its life so far (never past `now`), writing facts on the lead and
    the related rows into `h`. Roughly a third of ICP leads become MQLs; of those about half are
    accepted, a fifth qualify, 15–25% of handoffs are rejected, and a quarter of opportunities close."""
    created = lead.first_touch_at
    assert created is not None
    icp = lead.industry in MANUFACTURING and 200 <= (lead.employees or 0) <= 5000
    roll = rng.random()
    grade = ("A" if roll < 0.10 else "B" if roll < 0.38 else "C" if roll < 0.6 else "D") if icp else (
        "C" if roll < 0.25 else "D")  # fmt: skip
    lo, hi = {"A": (80, 96), "B": (60, 79), "C": (40, 59), "D": (5, 39)}[grade]
    total = rng.randint(lo, hi)
    fit = min(50, max(0, int(total * rng.uniform(0.4, 0.6))))
    lead.grade, lead.score_total, lead.score_fit, lead.score_engagement = grade, total, fit, min(50, total - fit)
    if grade == "D":
        return
    sdr = rng.choice(sdrs) if sdrs else None
    entered = created + dt.timedelta(hours=rng.uniform(0.2, 96))
    if entered > now:
        return
    lead.owner = sdr
    if grade == "C":
        lead.queue_entered_at = entered
    else:
        lead.mql_at = entered
        lead.mql_grade = grade
        _move(h, lead, Stage.LEAD, Stage.MQL, entered, None, f"Score {total} with ICP and intent")
        for etype in INTENT_EVENTS[grade]:
            h.events.append((lead, etype, entered - dt.timedelta(minutes=rng.uniform(1, 90)), "", lead.source_id, now))
    target = FIRST_ATTEMPT[grade]
    delay = dt.timedelta(minutes=rng.lognormvariate(math.log(FIRST_ATTEMPT_MEDIAN_MIN[grade]), 0.9))
    first = entered + delay
    if rng.random() < 0.02:  # a few leads nobody ever calls
        first = now + dt.timedelta(days=1)
    _clock(h, lead, SlaClock.Kind.FIRST_ATTEMPT, sdr, entered, entered + target, first, now)
    if first > now:
        return
    # Attempts along the cadence until a connection (or the grade's attempt budget runs out).
    budget = {"A": 8, "B": 6, "C": 4}[grade]
    connect_at_attempt = rng.randint(1, budget) if rng.random() < 0.75 else None
    at, attempts, connected = first, 0, None
    while attempts < budget and at <= now:
        attempts += 1
        channel = CHANNELS[(attempts - 1) % len(CHANNELS)]
        hit = connect_at_attempt == attempts and channel == Attempt.Channel.PHONE
        outcome = Attempt.Outcome.CONNECTED if hit else (
            rng.choice([Attempt.Outcome.NO_ANSWER, Attempt.Outcome.VOICEMAIL]) if channel == Attempt.Channel.PHONE
            else Attempt.Outcome.SENT)  # fmt: skip
        h.attempts.append((lead, sdr, channel, outcome, at))
        lead.last_attempt_at = at
        if hit:
            connected = at
            break
        if connect_at_attempt is not None and attempts >= connect_at_attempt and channel != Attempt.Channel.PHONE:
            connect_at_attempt += 1
        at += dt.timedelta(hours=rng.choice([0.5, 2, 6, 24, 48]))
    lead.first_attempt_at, lead.total_attempts, lead.connected_at = first, attempts, connected
    disp_due = entered + dt.timedelta(days=7)
    if connected is None:
        if attempts >= budget and at <= now:
            disp_at = lead.last_attempt_at + dt.timedelta(hours=rng.uniform(1, 30))
            if disp_at <= now:
                _dispose(h, lead, Disposition.Kind.UNABLE_TO_REACH, disp_at, sdr, rng)
                _clock(h, lead, SlaClock.Kind.DISPOSITION, sdr, entered, disp_due, disp_at, now)
                return
        _clock(h, lead, SlaClock.Kind.DISPOSITION, sdr, entered, disp_due, None, now)
        return
    # Accepted (SAL) on connection; discovery and qualification follow for some.
    sal_at = connected + dt.timedelta(minutes=rng.uniform(5, 120))
    if sal_at > now:
        return
    if grade != "C":
        lead.sal_at = sal_at
        _move(h, lead, Stage.MQL, Stage.SAL, sal_at, sdr, "Accepted after a connected call")
    if rng.random() < 0.15:
        h.flags.append((lead, QualityFlag.Kind.OBJECTION, rng.choice(OBJECTIONS), sdr, sal_at))
    elif rng.random() < 0.06:
        kind = rng.choice([QualityFlag.Kind.CONTENT_GAP, QualityFlag.Kind.INCORRECT_DATA])
        h.flags.append((lead, kind, rng.choice(CONTENT_GAPS + BAD_DATA), sdr, sal_at))
    qualifies = grade != "C" and rng.random() < (0.55 if grade == "A" else 0.4)
    disp_at = sal_at + dt.timedelta(hours=rng.uniform(2, 190))
    if not qualifies:
        if disp_at <= now:
            kind = rng.choice([Disposition.Kind.NURTURE, Disposition.Kind.NURTURE, Disposition.Kind.DISQUALIFIED])
            _dispose(h, lead, kind, disp_at, sdr, rng)
        _clock(h, lead, SlaClock.Kind.DISPOSITION, sdr, entered, disp_due, disp_at, now)
        return
    discovery = sal_at + dt.timedelta(hours=rng.uniform(4, 72))
    if discovery > now:
        _clock(h, lead, SlaClock.Kind.DISPOSITION, sdr, entered, disp_due, None, now)
        return
    lead.discovery_call_at = discovery
    sql_at = discovery + dt.timedelta(hours=rng.uniform(1, 48))
    _clock(h, lead, SlaClock.Kind.DISPOSITION, sdr, entered, disp_due, sql_at, now)
    if sql_at > now:
        return
    _dispose(h, lead, Disposition.Kind.QUALIFIED, sql_at, sdr, rng)
    lead.sql_at = sql_at
    _move(h, lead, Stage.SAL, Stage.SQL, sql_at, sdr, "BANT+T met")
    ae = rng.choice(aes) if aes else None
    handoff = Handoff(lead=lead, sdr=sdr, ae=ae, created_at=sql_at)
    h.handoffs.append(handoff)
    review = sql_at + dt.timedelta(hours=rng.lognormvariate(math.log(1.5), 0.9))
    decided = review + dt.timedelta(hours=rng.uniform(0.5, 20))
    _clock(h, lead, SlaClock.Kind.AE_REVIEW, ae, sql_at, sql_at + dt.timedelta(hours=4), review, now, handoff)
    _clock(h, lead, SlaClock.Kind.AE_DECISION, ae, sql_at, sql_at + dt.timedelta(hours=24), decided, now, handoff)
    if review <= now:
        handoff.reviewed_at = review
    if decided > now:
        return
    handoff.decided_at = decided
    # Rejection share drifts week to week (so some weeks are healthy and some need review).
    week_bias = 0.10 + 0.12 * (decided.isocalendar()[1] % 3)
    if rng.random() < week_bias:
        category, rec, reason = rng.choice(REJECTIONS)
        handoff.decision = Handoff.Decision.REJECTED
        handoff.rejection_category, handoff.recommendation, handoff.rejection_reason = category, rec, reason
        handoff.feedback_call_due_at = decided + dt.timedelta(hours=48)
        done = decided + dt.timedelta(hours=rng.uniform(2, 60))
        if done <= now:
            handoff.feedback_call_done_at = done
        _move(h, lead, Stage.SQL, Stage.NURTURE if rec == Handoff.Recommendation.NURTURE else Stage.SAL, decided, ae,
              f"AE rejected: {reason}")  # fmt: skip
        return
    handoff.decision = Handoff.Decision.ACCEPTED
    amount = Decimal(str(round(rng.lognormvariate(math.log(18), 0.6), 2)))
    lead.opportunity_at = decided
    _move(h, lead, Stage.SQL, Stage.OPPORTUNITY, decided, ae, "AE accepted")
    demo = decided + dt.timedelta(hours=rng.uniform(4, 60))
    opp = Opportunity(lead=lead, ae=ae, amount_lakh=amount, opened_at=decided, demo_at=demo if demo <= now else None)
    _clock(h, lead, SlaClock.Kind.DEMO_SCHEDULING, ae, decided, decided + dt.timedelta(hours=48), demo, now, handoff)
    if demo <= now:
        handoff.demo_scheduled_at = demo
    close = decided + dt.timedelta(days=rng.uniform(14, 60))
    if close <= now and rng.random() < 0.45:
        won = rng.random() < 0.6
        opp.status, opp.closed_at = (Opportunity.Status.WON if won else Opportunity.Status.LOST), close
        if won:
            opp.won_amount_lakh = (amount * Decimal(str(round(rng.uniform(0.8, 1.05), 2)))).quantize(Decimal("0.01"))
            lead.customer_at = close
            _move(h, lead, Stage.OPPORTUNITY, Stage.CUSTOMER, close, ae, "Won")
    h.opportunities.append((opp, handoff))


def _dispose(h: History, lead: Lead, kind: str, at: dt.datetime, sdr: Any, rng: random.Random) -> None:
    reason_code = rng.choice(DQ_REASONS) if kind == Disposition.Kind.DISQUALIFIED else ""
    reengage = (at + dt.timedelta(days=90)).date() if kind == Disposition.Kind.NURTURE else None
    h.dispositions.append(
        (lead, kind, reason_code, "Demo history", f"Demo: {kind}", "Follow the cadence", reengage, sdr, at)
    )
    lead.disposition, lead.disposition_reason, lead.dispositioned_at, lead.reengage_on = kind, reason_code, at, reengage
    if kind == Disposition.Kind.QUALIFIED:
        return
    to = {Disposition.Kind.DISQUALIFIED: Stage.DISQUALIFIED}.get(kind, Stage.NURTURE)
    if kind in (Disposition.Kind.NURTURE, Disposition.Kind.UNABLE_TO_REACH):
        lead.nurture_enrolled_at = at
    actor = None if kind == Disposition.Kind.UNABLE_TO_REACH else sdr
    _move(h, lead, lead.stage, to, at, actor, f"Dispositioned {kind}")
