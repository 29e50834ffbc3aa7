"""SLA clocks by moving time (SPEC S14, S16, S18): met, breached, re-targeted, business hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from leads import services as lead_services
from leads.models import Stage
from notifications.models import Notification
from sla import selectors
from sla.models import BusinessCalendar, ClockTransition, SlaClock, SlaPolicy, WorkingHours
from sla.services import clocks_sweep
from tests.support.factories import make_complete_lead, make_member, to_mql

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=IST)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def team(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_ALERT_CHANNEL = "C0SDRTEAM"
    settings.EMAIL_URL = "smtp://127.0.0.1:2525"
    manager = make_user("manager", email="mgr@example.in")
    sdr = make_user("sdr", email="sdr@example.in")
    make_member(manager, slack="U0MANAGER")
    make_member(sdr, slack="U0SDR", manager=manager)
    return {"sdr": sdr, "manager": manager}


def first_attempt_clock(lead):
    return SlaClock.objects.get(lead=lead, kind="first_attempt")


def mql_at(grade, when=T0, **fields):
    lead = make_complete_lead(grade=grade, **fields)
    with time_machine.travel(when, tick=False):
        to_mql(lead, now=timezone.now())
    return lead


def attempt(lead, sdr, when, outcome="no_answer"):
    with time_machine.travel(when, tick=False):
        lead.refresh_from_db()
        return lead_services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome=outcome, now=timezone.now())


def sweep(when):
    with time_machine.travel(when, tick=False):
        return clocks_sweep(now=timezone.now())


def test_an_mql_is_assigned_to_an_sdr_with_clocks_running(team):
    lead = mql_at("A")

    lead.refresh_from_db()
    assert lead.owner == team["sdr"]
    clocks = {c.kind: c for c in lead.sla_clocks.all()}
    assert clocks["first_attempt"].due_at == T0 + 5 * MIN
    assert clocks["first_attempt"].owner == team["sdr"]
    assert clocks["disposition"].due_at == T0 + dt.timedelta(days=7)
    assert clocks["attempts"].due_at == T0 + dt.timedelta(days=7)
    assert clocks["data_complete"].state == "met"  # the package was complete at MQL


def test_grade_a_first_attempt_at_four_minutes_is_met(team):
    lead = mql_at("A")

    attempt(lead, team["sdr"], T0 + 4 * MIN)

    clock = first_attempt_clock(lead)
    assert clock.state == "met"
    assert clock.met_at == T0 + 4 * MIN
    assert sweep(T0 + 10 * MIN)["breached"] == 0
    assert first_attempt_clock(lead).state == "met"


def test_grade_a_without_an_attempt_by_five_minutes_breaches_and_alerts_sdr_and_manager(team):
    lead = mql_at("A")

    assert sweep(T0 + 4 * MIN + 59 * dt.timedelta(seconds=1))["breached"] == 0
    result = sweep(T0 + 5 * MIN)

    assert result["breached"] == 1
    clock = first_attempt_clock(lead)
    assert clock.state == "breached"
    assert clock.breached_at == T0 + 5 * MIN
    assert [t.to_state for t in clock.transitions.all()] == ["running", "breached"]
    breach = Notification.objects.filter(key__startswith=f"breach:{clock.pk}:")
    assert sorted(breach.filter(channel="slack").values_list("target", flat=True)) == ["U0MANAGER", "U0SDR"]
    assert sorted(breach.filter(channel="email").values_list("target", flat=True)) == ["mgr@example.in",
                                                                                      "sdr@example.in"]
    assert "SLA breached" in breach.first().subject


def test_a_second_sweep_does_not_alert_the_same_breach_twice(team):
    lead = mql_at("A")
    sweep(T0 + 5 * MIN)
    before = Notification.objects.count()

    assert sweep(T0 + 6 * MIN)["breached"] == 0
    assert Notification.objects.count() == before
    assert first_attempt_clock(lead).transitions.filter(to_state="breached").count() == 1


def test_a_late_first_attempt_leaves_the_clock_breached_with_its_stop_time(team):
    lead = mql_at("A")

    attempt(lead, team["sdr"], T0 + 7 * MIN)

    clock = first_attempt_clock(lead)
    assert clock.state == "breached"
    assert clock.breached_at == T0 + 5 * MIN
    assert clock.stopped_at == T0 + 7 * MIN
    assert clock.met_at is None


def test_the_owner_is_warned_shortly_before_a_grade_a_breach(team):
    lead = mql_at("A")

    assert sweep(T0 + 3 * MIN)["warned"] == 0
    assert sweep(T0 + 4 * MIN)["warned"] == 1
    assert sweep(T0 + 4 * MIN + dt.timedelta(seconds=30))["warned"] == 0

    warning = Notification.objects.get(key__startswith="warn:", channel="slack")
    assert warning.target == "U0SDR"
    assert "left" in warning.text
    assert first_attempt_clock(lead).state == "running"


def test_a_b_lead_that_becomes_a_at_minute_ten_is_due_five_minutes_after_the_rise(team):
    lead = mql_at("B")
    assert first_attempt_clock(lead).due_at == T0 + 60 * MIN

    with time_machine.travel(T0 + 10 * MIN, tick=False):
        lead.grade = "A"
        lead.save(update_fields=["grade"])
        from sla.services import lead_grade_changed

        lead_grade_changed(lead=lead, old_grade="B", now=timezone.now())

    clock = first_attempt_clock(lead)
    assert clock.due_at == T0 + 15 * MIN
    assert clock.transitions.last().note.startswith("re-targeted")
    assert sweep(T0 + 15 * MIN)["breached"] == 1


def test_a_grade_rise_never_loosens_a_target_that_ends_sooner(team):
    lead = mql_at("B")

    with time_machine.travel(T0 + 58 * MIN, tick=False):
        lead.grade = "A"
        from sla.services import lead_grade_changed

        lead_grade_changed(lead=lead, old_grade="B", now=timezone.now())

    assert first_attempt_clock(lead).due_at == T0 + 60 * MIN


def test_a_grade_rise_after_first_contact_changes_nothing(team):
    lead = mql_at("B")
    attempt(lead, team["sdr"], T0 + 5 * MIN)

    with time_machine.travel(T0 + 10 * MIN, tick=False):
        lead.refresh_from_db()
        lead.grade = "A"
        from sla.services import lead_grade_changed

        lead_grade_changed(lead=lead, old_grade="B", now=timezone.now())

    clock = first_attempt_clock(lead)
    assert clock.state == "met"
    assert clock.due_at == T0 + 60 * MIN


def test_a_saturday_evening_grade_b_lead_on_a_mon_to_sat_calendar_is_due_monday_morning(team):
    office = BusinessCalendar.objects.create(name="Office Mon–Sat 9–18", timezone="Asia/Kolkata")
    for day in range(6):
        WorkingHours.objects.create(calendar=office, weekday=day, start=dt.time(9), end=dt.time(18))
    SlaPolicy.objects.filter(grade="B").update(calendar=office)

    lead = mql_at("B", when=dt.datetime(2026, 12, 5, 17, 58, tzinfo=IST))  # a Saturday

    assert first_attempt_clock(lead).due_at == dt.datetime(2026, 12, 7, 9, 58, tzinfo=IST)


def test_eight_unanswered_attempts_on_a_grade_a_lead_disposition_it_unable_to_reach_by_the_system(team):
    lead = mql_at("A")

    for n in range(8):
        attempt(lead, team["sdr"], T0 + n * dt.timedelta(hours=5))

    lead.refresh_from_db()
    assert lead.stage == Stage.NURTURE
    assert lead.disposition == "unable_to_reach"
    assert lead.nurture_enrolled_at == T0 + 35 * dt.timedelta(hours=1)
    disposition = lead.dispositions.get()
    assert disposition.by is None
    last = lead.stage_changes.last()
    assert (last.to_stage, last.actor_kind) == ("nurture", "system")
    clocks = {c.kind: c.state for c in lead.sla_clocks.all()}
    assert clocks["disposition"] == "met"
    assert clocks["attempts"] == "met"


def test_seven_unanswered_attempts_are_not_enough_to_give_up_on_a_grade_a_lead(team):
    lead = mql_at("A")

    for n in range(7):
        attempt(lead, team["sdr"], T0 + n * dt.timedelta(hours=5))

    lead.refresh_from_db()
    assert lead.stage == Stage.MQL
    assert lead.disposition == ""


def test_the_disposition_clock_breaches_seven_days_after_mql(team):
    lead = mql_at("A")
    attempt(lead, team["sdr"], T0 + MIN, outcome="connected")

    assert sweep(T0 + dt.timedelta(days=7) - MIN)["breached"] == 0
    sweep(T0 + dt.timedelta(days=7))

    assert SlaClock.objects.get(lead=lead, kind="disposition").state == "breached"


def test_an_incomplete_mql_is_flagged_to_marketing_ops_and_breaches_at_five_minutes(team, make_user):
    ops = make_user("marketing_ops", email="ops@example.in")
    lead = mql_at("B", phone="", title="")

    flagged = Notification.objects.get(key__startswith=f"incomplete:{lead.pk}:", channel="email")
    assert flagged.target == ops.email
    assert "title, phone" in flagged.text
    sweep(T0 + 5 * MIN)
    assert SlaClock.objects.get(lead=lead, kind="data_complete").state == "breached"


def test_an_mql_completed_before_five_minutes_meets_marketings_clock(team):
    lead = mql_at("B", phone="")
    with time_machine.travel(T0 + 2 * MIN, tick=False):
        lead.phone = "+91 90000 00000"
        lead.save(update_fields=["phone", "updated_at"])

    sweep(T0 + 5 * MIN)

    assert SlaClock.objects.get(lead=lead, kind="data_complete").state == "met"


def test_a_quality_flag_must_be_answered_within_48_hours(team, make_user):
    ops = make_user("marketing_ops")
    lead = mql_at("B")
    with time_machine.travel(T0 + MIN, tick=False):
        flag = lead_services.quality_flag_raise(lead=lead, user=team["sdr"], kind="incorrect_data",
                                                note="Phone number is wrong", now=timezone.now())
    with time_machine.travel(T0 + 47 * 60 * MIN, tick=False):
        lead_services.quality_flag_respond(flag=flag, user=ops, response="Fixed at source", now=timezone.now())

    assert SlaClock.objects.get(quality_flag=flag).state == "met"


def test_an_unanswered_quality_flag_breaches_after_48_hours(team, make_user):
    make_user("marketing_ops")
    lead = mql_at("B")
    with time_machine.travel(T0, tick=False):
        flag = lead_services.quality_flag_raise(lead=lead, user=team["sdr"], kind="objection", note="Too pricey",
                                                now=timezone.now())

    sweep(T0 + dt.timedelta(hours=48))

    assert SlaClock.objects.get(quality_flag=flag).state == "breached"


def test_leaving_sdr_work_cancels_the_running_clocks(team):
    lead = mql_at("A")
    with time_machine.travel(T0 + MIN, tick=False):
        lead_services.lead_change_stage(lead=lead, to_stage="disqualified", actor=lead_services.Actor.system(),
                                        reason="test", now=timezone.now())

    states = dict(lead.sla_clocks.values_list("kind", "state"))
    assert states["first_attempt"] == "cancelled"
    assert states["disposition"] == "cancelled"
    assert ClockTransition.objects.filter(clock__lead=lead, to_state="cancelled").count() == 3


def test_first_attempt_targets_come_from_the_policy_table(db):
    SlaPolicy.objects.filter(grade="A").update(first_attempt=dt.timedelta(minutes=3))

    assert selectors.first_attempt_target("A") == dt.timedelta(minutes=3)
    assert selectors.first_attempt_target("B") == dt.timedelta(hours=1)
    assert selectors.first_attempt_target("D") is None


def test_an_unassigned_breach_goes_to_the_managers(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_URL = "smtp://127.0.0.1:2525"
    make_user("manager", email="head@example.in")
    make_user("marketing_ops", email="ops@example.in")
    lead = mql_at("A")  # no SDR exists

    sweep(T0 + 5 * MIN)

    clock = first_attempt_clock(lead)
    assert clock.owner is None and clock.state == "breached"
    targets = Notification.objects.filter(key__startswith=f"breach:{clock.pk}:").values_list("target", flat=True)
    assert list(targets) == ["head@example.in"]


def test_a_paused_clock_keeps_its_remaining_time_and_is_not_breached_while_paused(team):
    from sla.services import clock_pause, clock_resume

    lead = mql_at("B")
    clock = first_attempt_clock(lead)
    assert clock_pause(clock=clock, now=T0 + 20 * MIN, note="prospect asked to call after lunch")

    assert sweep(T0 + 3 * 60 * MIN)["breached"] == 0
    assert first_attempt_clock(lead).state == "paused"
    clock_resume(clock=first_attempt_clock(lead), now=T0 + 3 * 60 * MIN, note="back")

    clock = first_attempt_clock(lead)
    assert clock.state == "running"
    assert clock.due_at == T0 + 3 * 60 * MIN + 40 * MIN
    assert [t.to_state for t in clock.transitions.all()] == ["running", "paused", "running"]


def test_the_first_attempt_on_a_paused_clock_meets_it(team):
    from sla.services import clock_pause

    lead = mql_at("A")
    clock_pause(clock=first_attempt_clock(lead), now=T0 + MIN, note="holiday")

    attempt(lead, team["sdr"], T0 + 60 * MIN)

    assert first_attempt_clock(lead).state == "met"
