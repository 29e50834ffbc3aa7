"""Scoring writes: compute a lead's score and apply what follows from it (SPEC S3, S7–S12).

`lead_rescore` runs inside the caller's transaction on every submission and
event. The bulk paths (`leads_rescore_due`, `leads_rescore_all`,
`leads_score_bulk`) read leads and events in batches with set-based queries
and write each batch with one UPDATE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Max
from tqdm import tqdm

from accounts.services import audit_record
from leads.models import Event, Lead, Stage

from . import engine
from .models import EngagementRule, FitBand, FunctionRule, GradeBand, IndustryCategory, RuleSet, TitleLevel
from .selectors import (
    GRADE,
    OLD_SCORE,
    PK,
    QUEUE_ENTERED_AT,
    STAGE,
    LeadRow,
    active_rules,
    events_by_lead,
    facts_of,
    lead_batches,
    lead_rows,
    rules_cache_clear,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from leads.services import Actor

log = logging.getLogger(__name__)

SCORE_FIELDS = [
    "score_total",
    "score_fit",
    "score_engagement",
    "score_breakdown",
    "score_valid_until",
    "scored_at",
    "score_version",
    "grade",
]
# A lead whose scoring fails is looked at again after this, not every sweep.
FAILED_RETRY = dt.timedelta(hours=1)


# --- one lead, inside the request ----------------------------------------------


def lead_rescore(
    *,
    lead: Lead,
    now: dt.datetime,
    actor: Actor,
    events: Sequence[tuple[str, dt.datetime, str]] | None = None,
) -> None:
    """Recompute the lead's score, grade and valid_until; move it to MQL when S3 holds.

    Runs in the caller's transaction with the lead row locked and its new event
    stored. Loads only the lead's events inside the longest decay window. A
    lead that loses score keeps its stage; its grade is always the current one.

    `events`, when given, must be ALL of the lead's stored events as
    (type, occurred_at, asset) — only a caller that created the lead in this
    transaction knows that; it saves reading them back (intake hot path).
    """
    rules = active_rules()
    since = now - rules.longest_window
    if events is not None:
        events = [e for e in events if e[1] >= since]
    else:
        events = list(
            Event.objects.filter(lead_id=lead.pk, occurred_at__gte=since).values_list("type", "occurred_at", "asset")
        )
    score = engine.score_lead(_facts_of_lead(lead), events, rules, now)
    old_grade = lead.grade
    lead.score_total = score.total
    lead.score_fit = score.fit
    lead.score_engagement = score.engagement
    lead.score_breakdown = score.breakdown()
    lead.score_valid_until = score.valid_until
    lead.scored_at = now
    lead.score_version = rules.version
    lead.grade = score.grade
    lead.save(update_fields=SCORE_FIELDS)
    lead_apply_score_effects(lead=lead, old_grade=old_grade, score=score, now=now)


def _facts_of_lead(lead: Lead) -> engine.LeadFacts:
    return engine.LeadFacts(
        industry=lead.industry or "",
        function=lead.function or "",
        title=lead.title or "",
        employees=lead.employees,
        revenue_cr=lead.revenue_cr,
        shipments_per_day=lead.shipments_per_day,
    )


def lead_apply_score_effects(*, lead: Lead, old_grade: str, score: engine.Score, now: dt.datetime) -> None:
    """What a new score means for the lifecycle (S3, S5, S14); the score is already saved."""
    from leads import services as lead_services
    from sla import services as sla_services

    if score.grade != old_grade:
        sla_services.lead_grade_changed(lead=lead, old_grade=old_grade, now=now)
    if lead.stage != Stage.LEAD:
        return
    if score.qualifies_mql:
        lead_services.lead_change_stage(
            lead=lead, to_stage=Stage.MQL, actor=lead_services.Actor.system(), reason=score.mql_reason(), now=now
        )
    elif score.grade == "C" and score.icp.met and lead.queue_entered_at is None:
        lead.queue_entered_at = now
        lead.save(update_fields=["queue_entered_at"])
        sla_services.lead_entered_periodic_check(lead=lead, now=now)


# --- batches ------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    loaded: int  # leads read and scored
    changed_grade: int
    more: bool = False  # the sweep stopped at its batch size; there may be more due


def _score_rows(
    rows: Sequence[LeadRow], events: dict[int, list[tuple[str, dt.datetime | int, str]]], rules: engine.CompiledRules,
    now: dt.datetime,
) -> tuple[list[tuple[LeadRow, engine.Score]], list[int]]:
    """Score each row; rows that fail are logged and returned separately (never crash a batch)."""
    scored, failed = [], []
    score_lead, no_events = engine.score_lead, ()
    for row in rows:
        try:
            scored.append((row, score_lead(facts_of(row), events.get(row[0], no_events), rules, now)))
        except Exception:
            log.exception("Scoring lead %s failed; retrying it later", row[0])
            failed.append(row[0])
    return scored, failed


def _write_scores(
    scored: Sequence[tuple[LeadRow, engine.Score]], version: int | None, now: dt.datetime
) -> list[tuple[LeadRow, engine.Score]]:
    """Write the batch's changed scores with one UPDATE; returns the rows written.

    A lead whose stored score, grade, valid_until, version and breakdown all
    equal the new ones is not rewritten (its `scored_at` stays the time that
    score was computed): a full rescore after a no-op costs reads, not writes,
    and lifecycle effects follow only scores that changed.
    """
    postgres = connection.vendor == "postgresql"
    written: list[tuple[LeadRow, engine.Score]] = []
    ids, totals, fits, engs, breakdowns, valid, grades = [], [], [], [], [], [], []
    md5 = hashlib.md5
    for row, s in scored:
        text = s.breakdown_json()
        old = row[OLD_SCORE]
        if row[GRADE] == s.grade and old[:4] == (s.total, s.fit, s.engagement, version):
            if postgres:
                valid_us = engine.to_epoch_us(s.valid_until) if s.valid_until is not None else None
                same = old[4] == valid_us and old[5] == md5(text.encode(), usedforsecurity=False).hexdigest()
            else:
                same = old[4] == s.valid_until and old[5] == s.breakdown()
            if same:
                continue
        written.append((row, s))
        ids.append(row[PK])
        totals.append(s.total)
        fits.append(s.fit)
        engs.append(s.engagement)
        breakdowns.append(text)
        valid.append(s.valid_until)
        grades.append(s.grade)
    if not ids:
        return written
    table = Lead._meta.db_table
    if postgres:
        import psycopg

        connection.ensure_connection()
        # Server-side binding of binary arrays: Django's client-side binding
        # (and text arrays) would escape every JSON document in Python.
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(
                f"""UPDATE {table} AS l SET score_total = v.total, score_fit = v.fit, score_engagement = v.eng,
                        score_breakdown = v.breakdown::jsonb, score_valid_until = v.valid_until,
                        grade = v.grade, scored_at = %s, score_version = %s
                    FROM unnest(%b::bigint[], %b::int[], %b::int[], %b::int[], %b::text[], %b::timestamptz[],
                                %b::text[]) AS v(id, total, fit, eng, breakdown, valid_until, grade)
                    WHERE l.id = v.id""",  # noqa: S608 - the table name is ours, values are parameters
                [now, version, ids, totals, fits, engs, breakdowns, valid, grades],
            )
    else:
        # Raw SQL on SQLite: store datetimes the way Django does (naive UTC text).
        adapt = connection.ops.adapt_datetimefield_value
        at = adapt(now)
        with connection.cursor() as cur:
            cur.executemany(
                f"""UPDATE {table} SET score_total = %s, score_fit = %s, score_engagement = %s,
                        score_breakdown = %s, score_valid_until = %s, grade = %s, scored_at = %s,
                        score_version = %s WHERE id = %s""",  # noqa: S608
                [
                    (t, f, e, b, adapt(v), g, at, version, i)
                    for i, t, f, e, b, v, g in zip(ids, totals, fits, engs, breakdowns, valid, grades, strict=True)
                ],
            )
    return written


def _apply_batch_effects(scored: Iterable[tuple[LeadRow, engine.Score]], now: dt.datetime) -> int:
    """Lifecycle effects for the rows whose new score calls for one; returns grade changes."""
    todo: dict[int, tuple[str, engine.Score]] = {}
    changed = 0
    for row, s in scored:
        old_grade = row[GRADE]
        changed += s.grade != old_grade
        at_lead = row[STAGE] == Stage.LEAD
        if (
            s.grade != old_grade
            or (at_lead and s.qualifies_mql)
            or (at_lead and s.grade == "C" and s.icp.met and row[QUEUE_ENTERED_AT] is None)
        ):
            todo[row[0]] = (old_grade, s)
    if todo:
        for lead in Lead.objects.filter(pk__in=list(todo)).order_by("pk"):
            old_grade, s = todo[lead.pk]
            lead_apply_score_effects(lead=lead, old_grade=old_grade, score=s, now=now)
    return changed


def _rescore_rows(
    rows: Sequence[LeadRow], rules: engine.CompiledRules, now: dt.datetime, *, effects: bool, contiguous: bool
) -> BatchResult:
    since = now - rules.longest_window
    if contiguous:
        events = events_by_lead(pk_range=(rows[0][0], rows[-1][0]), since=since, asset_types=rules.asset_types)
    else:
        events = events_by_lead(lead_ids=[r[0] for r in rows], since=since, asset_types=rules.asset_types)
    scored, failed = _score_rows(rows, events, rules, now)
    written = _write_scores(scored, rules.version, now)
    if failed:
        Lead.objects.filter(pk__in=failed).update(score_valid_until=now + FAILED_RETRY)
    changed = _apply_batch_effects(written, now) if effects else sum(s.grade != r[GRADE] for r, s in written)
    return BatchResult(loaded=len(rows), changed_grade=changed)


def leads_rescore(*, lead_ids: Sequence[int], now: dt.datetime) -> BatchResult:
    """Rescore these leads together in the caller's transaction (batch event intake, SPEC S29).

    The caller holds the rows' locks. Costs a fixed number of queries for any
    number of leads (one event read, one UPDATE of the changed scores), plus
    the lifecycle effects of the leads whose new score calls for one — rather
    than a few queries per lead (added for the benchmark, issue 7).
    """
    if not lead_ids:
        return BatchResult(loaded=0, changed_grade=0)
    rows = list(lead_rows(Lead.objects.filter(pk__in=list(lead_ids)).order_by("pk")))
    return _rescore_rows(rows, active_rules(), now, effects=True, contiguous=False)


def leads_rescore_due(*, now: dt.datetime, batch_size: int = 1000) -> BatchResult:
    """Decay (S11): rescore one batch of leads whose `score_valid_until` has passed.

    Claims rows with FOR UPDATE SKIP LOCKED on Postgres, so parallel sweeps and
    intake requests never work the same lead at once; the new valid_until
    moves each lead out of the due set. Applies lifecycle effects (grade
    changes). `more` says whether another batch may be due.
    """
    with transaction.atomic():
        qs = Lead.objects.filter(score_valid_until__lte=now).order_by("score_valid_until")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = list(lead_rows(qs)[:batch_size])
        if not rows:
            return BatchResult(loaded=0, changed_grade=0)
        result = _rescore_rows(rows, active_rules(), now, effects=True, contiguous=False)
    return BatchResult(loaded=result.loaded, changed_grade=result.changed_grade, more=len(rows) == batch_size)


def leads_due_count(*, now: dt.datetime) -> int:
    return Lead.objects.filter(score_valid_until__lte=now).count()


def leads_rescore_all(
    *, now: dt.datetime, batch_size: int = 2000, effects: bool = True, progress: bool = False
) -> int:
    """Rescore every lead (after a rule change), one transaction per batch; returns the count.

    With `effects`, grade changes, new MQLs and Grade C queue entries follow as
    they would on intake; without, only the score columns are written.
    """
    rules = active_rules()
    done = 0
    bar = tqdm(total=Lead.objects.count(), unit="lead", desc="rescore", disable=not progress)
    batches = lead_batches(batch_size=batch_size, lock=effects and connection.vendor == "postgresql")
    while True:
        with transaction.atomic():
            rows = next(batches, None)
            if rows is None:
                break
            _rescore_rows(rows, rules, now, effects=effects, contiguous=True)
        done += len(rows)
        bar.update(len(rows))
    bar.close()
    return done


def leads_score_bulk(*, now: dt.datetime, progress: bool = False) -> int:
    """Score every lead's columns in bulk, without lifecycle side effects (used by seed_demo)."""
    return leads_rescore_all(now=now, effects=False, progress=progress)


# --- rule sets (S12) -------------------------------------------------------------

CHILD_MODELS = (FitBand, IndustryCategory, TitleLevel, FunctionRule, EngagementRule, GradeBand)


def snapshot(obj: Any) -> dict[str, Any]:
    """A JSON-safe dict of a model instance's concrete fields, for the audit trail."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if value is not None and not isinstance(value, str | int | float | bool | list | dict):
            value = str(value)
        out[f.name] = value
    return out


@transaction.atomic
def rule_set_clone(*, rule_set: RuleSet, user: AbstractBaseUser | None) -> RuleSet:
    """A new draft with the next version number and a copy of every rule row."""
    version = (RuleSet.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    draft = RuleSet.objects.create(
        version=version,
        name=f"Draft from v{rule_set.version}",
        status=RuleSet.Status.DRAFT,
        mql_threshold=rule_set.mql_threshold,
        icp_min_employees=rule_set.icp_min_employees,
        icp_max_employees=rule_set.icp_max_employees,
        based_on=rule_set,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for model in CHILD_MODELS:
        rows = list(model.objects.filter(rule_set=rule_set).order_by("pk"))
        for row in rows:
            row.pk = None
            row.rule_set = draft
        model.objects.bulk_create(rows)
    audit_record(user=user, action="clone", obj=draft, before=None, after={"from_version": rule_set.version})
    return draft


def rule_set_problems(rule_set: RuleSet) -> list[str]:
    """Why this rule set cannot be published yet (empty when it can)."""
    problems = []
    if rule_set.status != RuleSet.Status.DRAFT:
        problems.append(f"Only a draft can be published; v{rule_set.version} is {rule_set.get_status_display()}.")
    grades = set(rule_set.grade_bands.values_list("grade", flat=True))
    if grades != {"A", "B", "C", "D"}:
        problems.append("Every grade A–D needs a band.")
    elif not rule_set.grade_bands.filter(min_score=0).exists():
        problems.append("One grade band must start at 0, so every score has a grade.")
    if not rule_set.engagement_rules.exists():
        problems.append("Add at least one engagement rule.")
    return problems


def rule_set_publish(*, rule_set: RuleSet, user: AbstractBaseUser | None, now: dt.datetime) -> int:
    """Publish a draft: archive the live set, make this one live, and mark every lead due.

    Marking leads due (`score_valid_until = now`) lets the decay sweep rescore
    them all under the new rules in batches within minutes; `manage.py rescore
    --all` does it at once. Returns the number of leads marked.
    """
    with transaction.atomic():
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        problems = rule_set_problems(rule_set)
        if problems:
            raise ValueError(" ".join(problems))
        previous = list(RuleSet.objects.select_for_update().filter(status=RuleSet.Status.PUBLISHED))
        for old in previous:
            old.status = RuleSet.Status.ARCHIVED
            old.save(update_fields=["status"])
            audit_record(user=user, action="archive", obj=old, before={"status": "published"},
                         after={"status": "archived"})
        rule_set.status = RuleSet.Status.PUBLISHED
        rule_set.published_at = now
        rule_set.published_by = user if getattr(user, "is_authenticated", False) else None
        rule_set.save(update_fields=["status", "published_at", "published_by"])
        audit_record(user=user, action="publish", obj=rule_set, before={"status": "draft"},
                     after={"status": "published", "version": rule_set.version})
        transaction.on_commit(rules_cache_clear)
    return leads_mark_due(now=now)


def leads_mark_due(*, now: dt.datetime, batch_size: int = 5000) -> int:
    """Set every lead's score_valid_until to `now`, in short pk-range batches (no long lock)."""
    marked, last = 0, 0
    while True:
        hi = Lead.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[batch_size - 1 : batch_size]
        upper = hi[0] if hi else None
        qs = Lead.objects.filter(pk__gt=last)
        if upper is not None:
            qs = qs.filter(pk__lte=upper)
        marked += qs.update(score_valid_until=now)
        if upper is None:
            return marked
        last = upper
