"""The weekly scorecard over a week built by hand: every number asserted exactly (SPEC S23, S29)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from leads.models import Attempt, Lead
from reports import scorecard as sc
from reports.models import WeeklyResult
from reports.periods import parse_week

from .reports_factories import ist, make_handoff, make_lead, make_opportunity, set_agreement

WEEK = parse_week("2026-W10")  # Mon 2 Mar – Sun 8 Mar 2026, IST
NOW = ist(2026, 4, 1, 12)  # long after: every deadline of the week has passed
TUE = ist(2026, 3, 3, 10)  # an MQL moment inside the week


def _mql(grade: str, minutes_to_first_attempt: float | None, i: int, at=None, **fields):  # type: ignore[no-untyped-def]
    at = at or TUE + dt.timedelta(minutes=i)
    first = None if minutes_to_first_attempt is None else at + dt.timedelta(minutes=minutes_to_first_attempt)
    return make_lead(created_at=fields.pop("created_at", at - dt.timedelta(hours=1)), stage="mql", grade=grade,
                     mql_at=at, first_attempt_at=first, **fields)  # fmt: skip


@pytest.fixture
def known_week(db, make_user):  # type: ignore[no-untyped-def]
    """10 MQLs (4 A, 6 B), 9 attempted; 5 accepted, 3 SQL; one record incomplete; 8 dispositioned in
    time; 5 handoffs decided with 1 rejection; two opportunities, one of them marketing-sourced."""
    set_agreement(mqls_per_month=52, pipeline_goal_quarter_lakh=130)  # weekly shares: 12 MQLs, ₹10L
    delays = [("A", 5), ("A", 3), ("A", 10), ("A", None), ("B", 30), ("B", 60), ("B", 90), ("B", 20), ("B", 45),
              ("B", 10)]  # fmt: skip
    leads = []
    for i, (grade, delay) in enumerate(delays):
        extra = {}
        if i < 5:
            extra["sal_at"] = TUE + dt.timedelta(hours=5)
        if i < 3:
            extra["sql_at"] = TUE + dt.timedelta(days=2)
        if i < 8:
            extra["dispositioned_at"] = TUE + dt.timedelta(days=6, hours=23)
        leads.append(_mql(grade, delay, i, complete=(i != 9), **extra))
    # The SDR logged each first attempt as a call; the first three connected.
    sdr = make_user("sdr")
    for i, lead in enumerate(leads):
        if lead.first_attempt_at is not None:
            Attempt.objects.create(lead=lead, sdr=sdr, channel="phone", at=lead.first_attempt_at,
                                   outcome="connected" if i < 3 else "no_answer")  # fmt: skip
    Attempt.objects.create(lead=leads[4], sdr=sdr, channel="email", outcome="sent", at=TUE + dt.timedelta(days=1))
    # An SQL this week from an MQL of the week before: counts as created, not in the cohort rate.
    earlier = make_lead(created_at=TUE - dt.timedelta(days=20), stage="opportunity", grade="A",
                        mql_at=TUE - dt.timedelta(days=14), sql_at=TUE + dt.timedelta(days=1),
                        opportunity_at=TUE + dt.timedelta(days=2))  # fmt: skip
    sales_sourced = make_lead(created_at=TUE - dt.timedelta(days=40), complete=False, stage="opportunity")
    for i, lead in enumerate(leads[:5]):
        make_handoff(lead, decided_at=TUE + dt.timedelta(days=3), rejected=(i == 0))
    make_opportunity(earlier, opened_at=TUE + dt.timedelta(days=2), amount="8.50")
    make_opportunity(sales_sourced, opened_at=TUE + dt.timedelta(days=4), amount="4.00")
    # Outside the week on both sides: never counted.
    _mql("A", 1, 0, at=WEEK.start - dt.timedelta(seconds=1), created_at=WEEK.start - dt.timedelta(days=1))
    _mql("A", 1, 0, at=WEEK.end, created_at=WEEK.end)
    return leads


def _actuals(card: sc.Scorecard) -> dict[str, object]:
    return {row.key: row.actual for row in card.metrics}


def test_every_scorecard_number_of_a_hand_built_week(known_week) -> None:  # type: ignore[no-untyped-def]
    card = sc.compute(WEEK, now=NOW)
    assert _actuals(card) == {
        "mqls_generated": 10,
        "mql_acceptance_rate": 0.5,
        "pipeline_sourced": 8.5,
        "grade_a_share": 0.4,
        "data_quality": 0.9,
        "speed_to_lead_avg_min": 30.3,  # (5+3+10+30+60+90+20+45+10) / 9
        "follow_up_compliance": 0.7,  # A: 5✓ 3✓ 10✗ none✗; B: 30✓ 60✓ 90✗ 20✓ 45✓ 10✓
        "sqls_created": 4,
        "mql_to_sql_rate": 0.3,
        "sql_rejection_rate": 0.2,
        "new_pipeline": 12.5,
        "marketing_sourced_pipeline": 8.5,
        "velocity_days": 16.0,
        "marketing_sla_compliance": 0.3333,  # volume ✗ (10 < 10.8), acceptance ✓, data quality ✗
        "sales_sla_compliance": 0.0,  # speed ✗, disposition ✗ (8 of 10), rejection 20% ✗, activity ✗
    }
    speed = card.metric("speed_to_lead_avg_min")
    assert speed.note == "median 20.0, p90 90.0 over 9 MQLs"
    assert card.metric("sqls_created").note == "from 10 MQLs"
    assert card.metric("marketing_sourced_pipeline").note == "68% of new pipeline"
    targets = {row.key: row.target for row in card.metrics}
    assert targets["mqls_generated"] == 12.0 and targets["pipeline_sourced"] == 10.0
    assert card.metric("sql_rejection_rate").status == "concern"
    activity = next(c for c in card.criteria if c.key == "activity")
    assert (activity.met, activity.detail) == (False, "calls 9/250, conversations 3/50, discovery calls 0/10, sqls 4/5")
    assert card.health == "RED"


def test_a_first_attempt_exactly_at_the_grade_target_counts_as_met(db) -> None:  # type: ignore[no-untyped-def]
    _mql("A", 5, 0)  # Grade A target: 5 minutes
    _mql("B", 60, 1)  # Grade B target: 1 hour
    _mql("B", 60.02, 2)  # a second late
    assert sc.compute(WEEK, now=NOW).metric("follow_up_compliance").actual == pytest.approx(2 / 3, abs=1e-4)


def test_an_mql_that_has_since_decayed_counts_with_the_grade_it_had_at_mql(db) -> None:  # type: ignore[no-untyped-def]
    hot = _mql("A", 20, 0)  # 20 minutes: late for Grade A's 5, in time for C's 24 hours
    Lead.objects.filter(pk=hot.pk).update(grade="C")  # its points have since expired
    card = sc.compute(WEEK, now=NOW)
    assert card.metric("grade_a_share").actual == 1.0
    assert card.metric("follow_up_compliance").actual == 0.0


def test_an_unattempted_mql_still_inside_its_target_is_not_yet_counted(db) -> None:  # type: ignore[no-untyped-def]
    _mql("A", 2, 0)
    _mql("B", None, 1)
    with time_machine.travel(TUE + dt.timedelta(minutes=30), tick=False):
        card = sc.compute(WEEK, now=TUE + dt.timedelta(minutes=30))
    assert card.metric("follow_up_compliance").actual == 1.0


def test_a_week_without_mqls_has_no_rates_rather_than_zero(db) -> None:  # type: ignore[no-untyped-def]
    card = sc.compute(WEEK, now=NOW)
    actual = _actuals(card)
    assert actual["mqls_generated"] == 0
    for key in ("mql_acceptance_rate", "grade_a_share", "speed_to_lead_avg_min", "follow_up_compliance",
                "mql_to_sql_rate", "sql_rejection_rate", "data_quality", "velocity_days"):  # fmt: skip
        assert actual[key] is None, key
        assert card.metric(key).status == "no_data"
    assert actual["new_pipeline"] == 0.0


@pytest.mark.parametrize(
    ("decided", "rejected", "status"),
    [(10, 1, "met"), (5, 1, "concern"), (10, 3, "concern"), (20, 7, "critical"), (3, 1, "critical")],
)
def test_rejection_rate_bands(db, decided: int, rejected: int, status: str) -> None:  # type: ignore[no-untyped-def]
    for i in range(decided):
        lead = make_lead(created_at=TUE - dt.timedelta(days=30))
        make_handoff(lead, decided_at=TUE + dt.timedelta(hours=i), rejected=i < rejected)
    row = sc.compute(WEEK, now=NOW).metric("sql_rejection_rate")
    assert (row.actual, row.status) == (round(rejected / decided, 4), status)


def test_a_pending_handoff_is_not_decided(db) -> None:  # type: ignore[no-untyped-def]
    lead = make_lead(created_at=TUE)
    make_handoff(lead, decided_at=TUE + dt.timedelta(hours=1), rejected=True)
    other = make_lead(created_at=TUE)
    h = make_handoff(other, decided_at=TUE + dt.timedelta(hours=1))
    h.decision = "pending"
    h.save()
    assert sc.compute(WEEK, now=NOW).metric("sql_rejection_rate").actual == 1.0


# --- Health ------------------------------------------------------------------


def _good_week(*, incomplete: int = 0, rejected: int = 0) -> None:
    """Three Grade A MQLs, attempted in 2 minutes, accepted, qualified and dispositioned the same day,
    handed off and accepted — every criterion met unless told otherwise."""
    set_agreement(mqls_per_month=13)  # 3.0 a week
    for i in range(3):
        lead = _mql("A", 2, i, complete=i >= incomplete, sal_at=TUE + dt.timedelta(hours=1),
                    sql_at=TUE + dt.timedelta(hours=3), dispositioned_at=TUE + dt.timedelta(hours=3))  # fmt: skip
        make_handoff(lead, decided_at=TUE + dt.timedelta(hours=6), rejected=i < rejected)


def test_health_is_green_when_every_criterion_is_met(db) -> None:  # type: ignore[no-untyped-def]
    _good_week()
    card = sc.compute(WEEK, now=NOW)
    assert [c.met for c in card.criteria if c.met is not None] == [True] * 6
    assert card.health == "GREEN"


def test_health_is_yellow_when_a_criterion_is_missed_but_nothing_is_systemic(db) -> None:  # type: ignore[no-untyped-def]
    _good_week(incomplete=1)  # data quality 67% < 95%
    card = sc.compute(WEEK, now=NOW)
    assert card.metric("marketing_sla_compliance").actual == 0.6667
    assert card.health == "YELLOW"


def test_health_is_red_when_rejections_pass_thirty_percent(db) -> None:  # type: ignore[no-untyped-def]
    _good_week(rejected=1)  # 1 of 3 = 33%
    card = sc.compute(WEEK, now=NOW)
    assert card.health == "RED"
    assert card.level3 == ["SQL rejection rate 33.3% is above 30%"]


def test_health_is_red_after_two_stored_weeks_of_sales_compliance_under_80_percent(db) -> None:  # type: ignore[no-untyped-def]
    _good_week(incomplete=0)
    Lead.objects.filter(grade="A").update(dispositioned_at=None)  # disposition ✗ → sales 2/3 = 67%
    card = sc.compute(WEEK, now=NOW)
    assert card.health == "YELLOW"  # one bad week is not yet a pattern
    prev = WEEK.previous()
    WeeklyResult.objects.create(
        week=prev.label, start=prev.first_day, health="YELLOW", computed_at=NOW,
        data={"metrics": [{"key": "sales_sla_compliance", "actual": 0.5}], "criteria": []},
    )  # fmt: skip
    card = sc.compute(WEEK, now=NOW)
    assert card.health == "RED"
    assert card.level3 == ["Sales SLA compliance under 80% for 2+ weeks"]


def test_sdr_activity_at_ninety_percent_of_target_meets_the_criterion(db, make_user) -> None:  # type: ignore[no-untyped-def]
    set_agreement(calls_weekly=10, conversations_weekly=2, discovery_calls_weekly=1, sqls_weekly=1)
    sdr = make_user("sdr")
    lead = _mql("A", 2, 0, discovery_call_at=TUE + dt.timedelta(hours=5), sql_at=TUE + dt.timedelta(hours=6))
    for i in range(9):  # 9 of 10 calls: 90%
        Attempt.objects.create(lead=lead, sdr=sdr, channel="phone", outcome="connected" if i < 2 else "no_answer",
                               at=TUE + dt.timedelta(hours=i))  # fmt: skip
    activity = next(c for c in sc.compute(WEEK, now=NOW).criteria if c.key == "activity")
    assert activity.met is True
    Attempt.objects.filter(outcome="no_answer").first().delete()  # 8 of 10: under 90%
    activity = next(c for c in sc.compute(WEEK, now=NOW).criteria if c.key == "activity")
    assert (activity.met, activity.detail) == (False, "calls 8/10, conversations 2/2, discovery calls 1/1, sqls 1/1")
