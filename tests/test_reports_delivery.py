"""Scheduled delivery (SPEC S25) and escalation from stored history (S19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from reports import tasks
from reports.models import Escalation, WeeklyResult
from reports.periods import parse_week

from .reports_factories import ist, make_handoff, make_lead


@pytest.fixture
def sent(monkeypatch) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """What the reports asked the outbox to deliver (the outbox itself is tested by the SLA app)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("reports.services.notify", lambda **kw: calls.append(kw))
    return calls


def _rejecting_week(tue: dt.datetime) -> None:
    for i in range(3):
        first = tue + dt.timedelta(minutes=2)
        lead = make_lead(created_at=tue, stage="sql", grade="A", mql_at=tue, first_attempt_at=first)
        make_handoff(lead, decided_at=tue + dt.timedelta(hours=5), rejected=i < 2)


def test_monday_0900_ist_posts_last_weeks_scorecard_once_per_week(db, make_user, sent) -> None:  # type: ignore[no-untyped-def]
    make_user("manager", email="boss@example.in")
    _rejecting_week(ist(2026, 3, 3, 10))
    with time_machine.travel(ist(2026, 3, 9, 9, 0), tick=False):
        assert tasks.post_weekly_scorecard() == "2026-W10"
        tasks.post_weekly_scorecard()  # a retry or manual re-run
    assert [c["key"] for c in sent] == ["reports:scorecard:2026-W10"] * 2  # same key: the outbox sends once
    msg = sent[0]["message"]
    assert msg.subject == "Weekly scorecard 2026-W10: RED"
    assert "SQL rejection rate: 66.7% (target 20%) [critical]" in msg.text
    assert msg.link.endswith("/reports/scorecard/?week=2026-W10")
    assert sent[0]["team_channel"] is True and sent[0]["emails"] == ["boss@example.in"]
    stored = WeeklyResult.objects.get(week="2026-W10")
    assert stored.health == "RED" and stored.posted_at == ist(2026, 3, 9, 9, 0)


def test_the_daily_report_covers_yesterday(db, sent) -> None:  # type: ignore[no-untyped-def]
    mon = ist(2026, 3, 9, 11)
    for grade in "AAB":
        make_lead(created_at=mon, stage="mql", grade=grade, mql_at=mon)
    make_lead(created_at=mon, stage="mql", grade="A", mql_at=ist(2026, 3, 10, 0, 1))  # today: not in
    with time_machine.travel(ist(2026, 3, 10, 8, 30), tick=False):
        assert tasks.send_daily_report() == "2026-03-09"
    assert sent[0]["key"] == "reports:daily:2026-03-09"
    assert "New MQLs by grade: A: 2, B: 1" in sent[0]["message"].text


def _store(week: str, *, speed_met: bool, sales: float = 1.0, level3: list[str] | None = None) -> None:
    p = parse_week(week)
    WeeklyResult.objects.create(
        week=week, start=p.first_day, health="YELLOW", computed_at=p.end,
        data={
            "metrics": [{"key": "sales_sla_compliance", "actual": sales}],
            "criteria": [{"key": "speed_to_lead", "side": "sales", "label": "Speed-to-lead within target",
                          "met": speed_met, "detail": "70%" if not speed_met else "95%"}],
            "level3": level3 or [],
        },
    )  # fmt: skip


def test_three_stored_weeks_of_the_same_miss_raise_level_2_once(db, sent) -> None:  # type: ignore[no-untyped-def]
    for week in ("2026-W08", "2026-W09", "2026-W10"):
        _store(week, speed_met=False)
    with time_machine.travel(ist(2026, 3, 9, 9, 15), tick=False):
        tasks.detect_escalations()
        tasks.detect_escalations()
    got = sorted(Escalation.objects.values_list("level", "key", "week"))
    assert got == [(1, "speed_to_lead", "2026-W10"), (2, "speed_to_lead", "2026-W10")]
    level2 = Escalation.objects.get(level=2)
    assert level2.evidence == "2026-W10: 70%; 2026-W09: 70%; 2026-W08: 70%"
    assert len(sent) == 2 and sent[1]["message"].text.startswith("ESCALATION NOTICE\nIssue Type: Level 2")


def test_two_misses_and_a_met_week_are_not_a_pattern(db, sent) -> None:  # type: ignore[no-untyped-def]
    _store("2026-W08", speed_met=True)
    _store("2026-W09", speed_met=False)
    _store("2026-W10", speed_met=False)
    with time_machine.travel(ist(2026, 3, 9, 9, 15), tick=False):
        tasks.detect_escalations()
    assert list(Escalation.objects.values_list("level", flat=True)) == [1]


def test_a_level_3_condition_raises_a_leadership_notice(db, sent) -> None:  # type: ignore[no-untyped-def]
    _store("2026-W10", speed_met=True, level3=["SQL rejection rate 40% is above 30%"])
    with time_machine.travel(ist(2026, 3, 9, 9, 15), tick=False):
        tasks.detect_escalations()
    esc = Escalation.objects.get()
    assert (esc.level, esc.description) == (3, "Systemic: SQL rejection rate 40% is above 30%.")
    assert esc.requested_action == "Leadership review within 24 hours."


def test_an_unstored_week_is_computed_and_stored_before_detection(db, sent) -> None:  # type: ignore[no-untyped-def]
    _rejecting_week(ist(2026, 3, 3, 10))
    with time_machine.travel(ist(2026, 3, 9, 9, 15), tick=False):
        tasks.detect_escalations()
    assert WeeklyResult.objects.filter(week="2026-W10").exists()
    assert Escalation.objects.filter(level=3, week="2026-W10").exists()
    assert Escalation.objects.filter(level=1, key="rejection_rate").exists()
