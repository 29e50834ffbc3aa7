"""seed_demo grows a lifecycle history that every report can show (issue 6)."""

from __future__ import annotations

import datetime as dt

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
