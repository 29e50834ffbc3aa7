"""Reads for scoring: the active rules, rule sets as engine input, previews, explanations."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime

from leads.models import Event, Lead

from . import engine
from .defaults import default_rules
from .models import RuleSet

if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger(__name__)

# A lead row of the bulk paths: the engine's facts, what lifecycle effects
# need, and the stored score (to skip writing what did not change).
FACT_COLUMNS = (
    "pk",
    "industry",
    "function",
    "title",
    "employees",
    "revenue_cr",
    "shipments_per_day",
    "grade",
    "stage",
    "queue_entered_at",
    "score_total",
    "score_fit",
    "score_engagement",
    "score_version",
    "old_valid_us",  # stored score_valid_until as epoch µs (Postgres) or datetime
    "old_breakdown_md5",  # md5 of the stored breakdown's jsonb text (Postgres) or the breakdown
)
LeadRow = tuple[Any, ...]
PK, GRADE, STAGE, QUEUE_ENTERED_AT = 0, 7, 8, 9
OLD_SCORE = slice(10, 16)


def lead_rows(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    """`qs` as `FACT_COLUMNS` tuples."""
    if connection.vendor == "postgresql":
        qs = qs.annotate(
            old_valid_us=RawSQL("(EXTRACT(EPOCH FROM score_valid_until) * 1000000)::bigint", ()),
            old_breakdown_md5=RawSQL("md5(score_breakdown::text)", ()),
        )
    else:
        qs = qs.annotate(old_valid_us=F("score_valid_until"), old_breakdown_md5=F("score_breakdown"))
    return qs.values_list(*FACT_COLUMNS)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())


def rules_for(rule_set: RuleSet) -> engine.Rules:
    """The rule set's rows as engine input (one query per rule table)."""
    bands: dict[str, list[engine.Band]] = {}
    for b in rule_set.fit_bands.all():
        bands.setdefault(b.attribute, []).append(
            engine.Band(
                label=b.label,
                points=b.points,
                low=b.min_value,
                high=b.max_value,
                low_inclusive=b.min_inclusive,
                high_inclusive=b.max_inclusive,
            )
        )
    return engine.Rules(
        version=rule_set.version,
        fit_bands={k: tuple(v) for k, v in bands.items()},
        industry_categories=tuple(
            engine.IndustryCategory(c.name, c.points, c.is_manufacturing, _split(c.industries))
            for c in rule_set.industry_categories.all()
        ),
        title_levels=tuple(
            engine.TitleLevel(t.name, t.points, _split(t.keywords)) for t in rule_set.title_levels.all()
        ),
        function_rules=tuple(
            engine.FunctionRule(f.function, _split(f.keywords), f.in_icp) for f in rule_set.function_rules.all()
        ),
        engagement_rules=tuple(
            engine.EngagementRule(
                name=r.name,
                event_types=tuple(r.event_types),
                points=r.points,
                decay_days=r.decay_days,
                min_count=r.min_count,
                unless_same_asset=r.unless_same_asset,
                is_intent=r.is_intent,
            )
            for r in rule_set.engagement_rules.all()
        ),
        grade_bands=tuple(
            engine.GradeBand(g.grade, g.min_score, g.classification, g.action) for g in rule_set.grade_bands.all()
        ),
        mql_threshold=rule_set.mql_threshold,
        icp_min_employees=rule_set.icp_min_employees,
        icp_max_employees=rule_set.icp_max_employees,
    )


# Published rule sets are never edited (drafts are), so a compiled set can be
# cached per process under its identity; a publish changes the identity.
_cache: dict[tuple[int, int, dt.datetime | None], engine.CompiledRules] = {}
_cache_lock = threading.Lock()


def rules_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


def active_rules() -> engine.CompiledRules:
    """The published rule set, compiled. Costs one small query when cached.

    Without a published set (never on a migrated install) the framework
    defaults score, with no version recorded.
    """
    row = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).values_list("pk", "version", "published_at").first()
    if row is None:
        log.warning("No published scoring rule set; scoring with the framework defaults")
        return engine.compile_rules(default_rules(version=None))
    compiled = _cache.get(row)
    if compiled is None:
        compiled = engine.compile_rules(rules_for(RuleSet.objects.get(pk=row[0])))
        with _cache_lock:
            _cache.clear()  # only the live set is worth keeping
            _cache[row] = compiled
    return compiled


def compiled_rules_for(rule_set: RuleSet) -> engine.CompiledRules:
    return engine.compile_rules(rules_for(rule_set))


def facts_of(row: LeadRow) -> engine.LeadFacts:
    """Engine facts from a `FACT_COLUMNS` row."""
    return engine.LeadFacts(
        industry=row[1], function=row[2], title=row[3], employees=row[4], revenue_cr=row[5], shipments_per_day=row[6]
    )


def events_by_lead(
    *,
    lead_ids: Sequence[int] | None = None,
    pk_range: tuple[int, int] | None = None,
    since: dt.datetime,
    asset_types: Iterable[str] | None = None,
) -> dict[int, list[tuple[str, dt.datetime | int, str]]]:
    """Events at or after `since` of the given leads (by ids or an inclusive pk range), grouped by lead.

    On Postgres the time comes as integer epoch microseconds (the engine takes
    either): building 100k+ datetimes per second would dominate a full rescore.
    """
    if connection.vendor == "postgresql":
        return _events_by_lead_pg(lead_ids=lead_ids, pk_range=pk_range, since=since, asset_types=asset_types)
    qs = Event.objects.filter(occurred_at__gte=since)
    if pk_range is not None:
        qs = qs.filter(lead_id__gte=pk_range[0], lead_id__lte=pk_range[1])
    else:
        qs = qs.filter(lead_id__in=lead_ids)
    return _group(qs.values_list("lead_id", "type", "occurred_at", "asset").iterator(chunk_size=10000))


def _events_by_lead_pg(
    *,
    lead_ids: Sequence[int] | None,
    pk_range: tuple[int, int] | None,
    since: dt.datetime,
    asset_types: Iterable[str] | None,
) -> dict[int, list[tuple[str, dt.datetime | int, str]]]:
    table = Event._meta.db_table
    # Assets matter only to same-asset exclusions: don't ship the rest.
    asset = "asset" if asset_types is None else "CASE WHEN type = ANY(%s) THEN asset ELSE '' END"
    head = [] if asset_types is None else [list(asset_types)]
    if pk_range is not None:
        where, params = "lead_id BETWEEN %s AND %s", [pk_range[0], pk_range[1]]
    else:
        where, params = "lead_id = ANY(%s)", [list(lead_ids or ())]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT lead_id, type, (EXTRACT(EPOCH FROM occurred_at) * 1000000)::bigint, {asset} "  # noqa: S608
            f"FROM {table} WHERE {where} AND occurred_at >= %s",
            [*head, *params, since],
        )
        return _group(cur.fetchall())


def _group(rows: Iterable[tuple[int, str, Any, str]]) -> dict[int, list[tuple[str, dt.datetime | int, str]]]:
    grouped: dict[int, list[tuple[str, dt.datetime | int, str]]] = {}
    for lead_id, etype, at, asset in rows:
        bucket = grouped.get(lead_id)
        if bucket is None:
            grouped[lead_id] = [(etype, at, asset)]
        else:
            bucket.append((etype, at, asset))
    return grouped


def lead_batches(*, batch_size: int, lock: bool = False, every: int = 1) -> Iterator[list[LeadRow]]:
    """Every lead's `FACT_COLUMNS`, `batch_size` at a time, by keyset pagination on pk.

    With `lock`, each batch's rows are locked (the caller holds a transaction per
    batch). With `every` > 1, only leads whose pk is a multiple of it (a sample).
    """
    last = 0
    base = Lead.objects.all()
    if every > 1:
        base = base.alias(sample=F("pk") % every).filter(sample=0)
    while True:
        qs = base.filter(pk__gt=last).order_by("pk")
        if lock:
            qs = qs.select_for_update(of=("self",))
        rows = list(lead_rows(qs)[:batch_size])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


# --- preview (S12) ------------------------------------------------------------


@dataclass
class PreviewChange:
    lead_id: int
    email: str
    before_total: int
    before_grade: str
    after_total: int
    after_grade: str


@dataclass
class Preview:
    """A draft's effect on current leads, both sides scored at the same `now`."""

    leads: int = 0
    grades_before: Counter[str] = field(default_factory=Counter)
    grades_after: Counter[str] = field(default_factory=Counter)
    changed_grade: int = 0
    sampled_every: int = 1  # 1: every lead scored; k: one lead in k, counts scaled by k
    mql_before: int = 0
    mql_after: int = 0
    examples: list[PreviewChange] = field(default_factory=list)

    @property
    def mql_delta(self) -> int:
        return self.mql_after - self.mql_before

    def grade_rows(self) -> list[tuple[str, int, int, int]]:
        return [
            (g, self.grades_before[g], self.grades_after[g], self.grades_after[g] - self.grades_before[g])
            for g in ("A", "B", "C", "D")
        ]


# Above this many leads the preview scores an even sample, so the page answers in seconds.
PREVIEW_FULL_LIMIT = 50_000


def rule_set_preview(
    *,
    rule_set: RuleSet,
    now: dt.datetime,
    batch_size: int = 2000,
    max_examples: int = 20,
    full_limit: int = PREVIEW_FULL_LIMIT,
) -> Preview:
    """Score current leads under the published rules and under `rule_set`.

    "MQL" counts leads for which S3 holds (score, ICP and intent) under each set.
    Streams leads in batches, so memory stays flat. Beyond `full_limit` leads it
    scores every k-th lead by id and scales the counts by k (an estimate).
    """
    before = active_rules()
    after = compiled_rules_for(rule_set)
    since = now - max(before.longest_window, after.longest_window)
    asset_types = before.asset_types | after.asset_types
    total = Lead.objects.count()
    every = -(-total // full_limit) if total > full_limit else 1
    out = Preview(sampled_every=every)
    for rows in lead_batches(batch_size=batch_size, every=every):
        if every > 1:
            events = events_by_lead(lead_ids=[r[0] for r in rows], since=since, asset_types=asset_types)
        else:
            events = events_by_lead(pk_range=(rows[0][0], rows[-1][0]), since=since, asset_types=asset_types)
        changed_ids = []
        for row in rows:
            facts = facts_of(row)
            evs = events.get(row[0], ())
            b = engine.score_lead(facts, evs, before, now)
            a = engine.score_lead(facts, evs, after, now)
            out.leads += 1
            out.grades_before[b.grade] += 1
            out.grades_after[a.grade] += 1
            out.mql_before += b.qualifies_mql
            out.mql_after += a.qualifies_mql
            if a.grade != b.grade:
                out.changed_grade += 1
                if len(out.examples) < max_examples:
                    out.examples.append(PreviewChange(row[0], "", b.total, b.grade, a.total, a.grade))
                    changed_ids.append(row[0])
        if changed_ids:
            emails = dict(Lead.objects.filter(pk__in=changed_ids).values_list("pk", "email"))
            for ex in out.examples:
                ex.email = ex.email or emails.get(ex.lead_id, "")
    if every > 1:
        out.leads = total
        for counter in (out.grades_before, out.grades_after):
            for grade in counter:
                counter[grade] *= every
        out.changed_grade *= every
        out.mql_before *= every
        out.mql_after *= every
    return out


# --- explanation (S12, S30) ---------------------------------------------------


@dataclass(frozen=True)
class ExplainedRule:
    rule: str
    kind: str
    points: int
    expires_at: dt.datetime | None


def score_explanation(lead: Lead) -> list[ExplainedRule]:
    """The stored breakdown of the lead's score, with expiry times as datetimes."""
    rows = []
    for r in lead.score_breakdown or []:
        expires = r.get("expires_at")
        rows.append(
            ExplainedRule(
                rule=r["rule"],
                kind=r.get("kind", ""),
                points=int(r["points"]),
                expires_at=parse_datetime(expires) if expires else None,
            )
        )
    return rows
