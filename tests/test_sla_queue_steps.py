"""The queue's next cadence step (SPEC S15), for a page of leads in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from sla.models import CadenceStep
from sla.selectors import next_steps
from tests.support.factories import make_lead

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)


def test_grade_a_ships_the_frameworks_eight_step_cadence():
    steps = list(CadenceStep.objects.filter(grade="A").values_list("number", "channel"))

    assert [c for _, c in steps] == ["phone", "email", "phone", "linkedin", "phone", "email", "phone", "email"]
    assert CadenceStep.objects.filter(grade="B").count() == 6
    assert CadenceStep.objects.filter(grade="C").count() == 4


def test_the_next_step_follows_the_attempts_made():
    fresh = make_lead(grade="A", stage="mql", mql_at=T0)
    twice = make_lead(grade="A", stage="mql", mql_at=T0, total_attempts=2)
    done = make_lead(grade="A", stage="mql", mql_at=T0, total_attempts=8)
    periodic = make_lead(grade="C", queue_entered_at=T0, total_attempts=1)

    steps = next_steps([fresh, twice, done, periodic], now=T0 + dt.timedelta(hours=3))

    assert steps[fresh.pk] | {} == {"number": 1, "channel": "phone", "due_at": T0 + dt.timedelta(minutes=5),
                                    "label": "Call within 5 minutes", "overdue": True}
    assert (steps[twice.pk]["number"], steps[twice.pk]["channel"]) == (3, "phone")
    assert steps[twice.pk]["due_at"] == T0 + dt.timedelta(hours=2)
    assert done.pk not in steps
    assert (steps[periodic.pk]["number"], steps[periodic.pk]["channel"]) == (2, "email")


def test_a_page_of_leads_costs_one_query(django_assert_max_num_queries):
    leads = [make_lead(grade=g, stage="mql", mql_at=T0, total_attempts=n % 4) for n, g in enumerate("ABCABCABCA")]

    with django_assert_max_num_queries(1):
        steps = next_steps(leads, now=T0)

    assert len(steps) == 10


def test_a_fresh_hot_lead_is_not_overdue_before_its_five_minutes_are_up():
    fresh = make_lead(grade="A", stage="mql", mql_at=T0)

    step = next_steps([fresh], now=T0 + dt.timedelta(minutes=4))[fresh.pk]

    assert step["due_at"] == T0 + dt.timedelta(minutes=5)
    assert step["overdue"] is False
