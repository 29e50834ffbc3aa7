"""seed_demo grows a lifecycle history that every report can show (issue 6)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command
from django.utils import timezone

from leads.models import Attempt, Handoff, Lead, Opportunity, StageChange
from reports import scorecard as sc
from reports.models import WeeklyResult
from reports.periods import last_complete
from sla.models import SlaClock


def test_seed_demo_gives_last_week_meaningful_numbers_and_twelve_stored_weeks(db) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--leads", "1500", "--with-users", "--events-per-lead", "2", verbosity=0)
    now = timezone.now()
    assert Lead.objects.filter(mql_at__isnull=False).count() > 100
    assert Attempt.objects.exists() and Opportunity.objects.exists()
    assert Handoff.objects.filter(decision="rejected").exists() and Handoff.objects.filter(decision="accepted").exists()
    assert SlaClock.objects.filter(state="breached").exists() and SlaClock.objects.filter(state="met").exists()
    assert Opportunity.objects.filter(status="won").exists()
    # Stage history agrees with the lead's final stage.
    last = {c.lead_id: c.to_stage for c in StageChange.objects.order_by("at", "pk")}
    assert all(last[pk] == stage for pk, stage in Lead.objects.values_list("pk", "stage")[:500])
    assert WeeklyResult.objects.count() == 12
    card = sc.compute(last_complete("week", now), now=now)
    for key in ("mqls_generated", "sqls_created", "new_pipeline", "speed_to_lead_avg_min"):
        assert card.metric(key).actual, key
    for key in ("mql_acceptance_rate", "follow_up_compliance", "sql_rejection_rate", "velocity_days"):
        assert card.metric(key).actual is not None, key
    # Nothing happened in the future.
    assert not Attempt.objects.filter(at__gt=now + dt.timedelta(seconds=1)).exists()


SCORE_COLUMNS = ("score_total", "score_fit", "score_engagement", "score_breakdown", "score_valid_until",
                 "score_version", "grade", "scored_at")  # fmt: skip


def _scores() -> dict[int, tuple[object, ...]]:
    return {pk: rest for pk, *rest in Lead.objects.values_list("pk", *SCORE_COLUMNS)}


def test_seed_demo_scores_only_its_new_leads_exactly_as_the_scoring_service_would(db) -> None:  # type: ignore[no-untyped-def]
    from scoring.services import leads_score_bulk

    earlier = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(earlier, tick=False):
        call_command("seed_demo", "--leads", "200", "--events-per-lead", "3", verbosity=0)
    old = _scores()
    now = earlier + dt.timedelta(days=9)
    with time_machine.travel(now, tick=False):
        call_command("seed_demo", "--leads", "300", "--events-per-lead", "3", verbosity=0)
    scores = _scores()
    new = {pk: row for pk, row in scores.items() if pk not in old}
    # Older leads keep their score and scored_at; every new lead was scored at the second seed.
    assert {pk: scores[pk] for pk in old} == old
    assert len(new) == 300 and {row[-1] for row in new.values()} == {now}
    assert {row[6] for row in new.values()} >= {"B", "C", "D"} and any(row[3] for row in new.values())
    # The scoring service, run at the same moment over every lead, finds nothing to change for them.
    leads_score_bulk(now=now)
    assert {pk: row for pk, row in _scores().items() if pk in new} == new
