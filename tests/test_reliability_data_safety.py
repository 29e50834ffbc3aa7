"""Data safety: history is never rewritten, and a merge loses no event, attempt or history row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from leads import services
from leads.models import Attempt, Event, Lead, Stage, StageChange
from leads.services import Actor

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def _lead(email: str, owner=None) -> Lead:  # type: ignore[no-untyped-def]
    lead, _ = services.submission_receive(
        data={"email": email, "company": "Acme Steel", "event": {"type": "website_visit"}},
        actor=Actor.system(),
        now=NOW,
    )
    lead.refresh_from_db()
    if owner is not None:
        Lead.objects.filter(pk=lead.pk).update(owner=owner)
    return lead


def _history(rows) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted(rows.values_list("pk", "from_stage", "to_stage", "at", "actor_kind", "actor_user", "reason"))


def test_stage_history_cannot_be_rewritten_in_bulk_either():
    lead = _lead("a@steel.example.in")

    with pytest.raises(ValueError, match="immutable"):
        StageChange.objects.filter(lead=lead).update(reason="tampered")
    rows = list(StageChange.objects.filter(lead=lead))
    rows[0].to_stage = Stage.CUSTOMER
    with pytest.raises(ValueError, match="immutable"), transaction.atomic():
        StageChange.objects.bulk_update(rows, ["to_stage"])

    assert StageChange.objects.get(lead=lead).to_stage == Stage.LEAD


def test_a_merge_keeps_every_event_attempt_and_history_row_unchanged_on_the_survivor(make_user):
    sdr = make_user("sdr")
    survivor, duplicate = _lead("asha@steel.example.in", sdr), _lead("asha.rao@steel.example.in", sdr)
    for lead in (survivor, duplicate):
        services.lead_change_stage(lead=lead, to_stage=Stage.MQL, actor=Actor.system(), reason="scored", now=NOW)
        for outcome in ("no_answer", "voicemail"):
            services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome=outcome, now=NOW)
        services.events_record(
            items=[{"email": lead.email, "type": "pricing_page_visit"}], actor=Actor.system(), now=NOW
        )
    events_before = sorted(Event.objects.values_list("pk", "type", "occurred_at"))
    attempts_before = sorted(Attempt.objects.values_list("pk", "channel", "outcome", "at", "sdr"))
    history_before = _history(StageChange.objects.all())

    services.lead_merge(
        source=Lead.objects.get(pk=duplicate.pk), into=Lead.objects.get(pk=survivor.pk),
        actor=Actor.of_user(sdr), reason="same person", now=NOW + dt.timedelta(hours=1),
    )

    survivor.refresh_from_db()
    assert sorted(survivor.events.values_list("pk", "type", "occurred_at")) == events_before
    assert sorted(survivor.attempts.values_list("pk", "channel", "outcome", "at", "sdr")) == attempts_before
    assert survivor.total_attempts == 4
    # Every earlier history row is still there, word for word, now on the survivor;
    # the merge only adds its own row to the duplicate.
    assert _history(StageChange.objects.filter(lead=survivor)) == history_before
    merge_row = StageChange.objects.get(lead=duplicate)
    assert merge_row.to_stage == Stage.DISQUALIFIED and f"#{survivor.pk}" in merge_row.reason


def test_every_clock_change_is_an_appended_transition_and_transitions_are_never_rewritten(make_user):
    from sla.models import ClockTransition, SlaClock
    from sla.services import clocks_sweep
    from tests.support.factories import make_complete_lead, make_member, to_mql

    sdr = make_user("sdr")
    make_member(sdr)
    worked, ignored = make_complete_lead(grade="A", owner=sdr), make_complete_lead(grade="A", owner=sdr)
    for lead in (worked, ignored):
        to_mql(lead, now=NOW)
    services.attempt_log(lead=worked, sdr=sdr, channel="phone", outcome="connected", now=NOW + dt.timedelta(minutes=2))
    clocks_sweep(now=NOW + dt.timedelta(minutes=6))
    services.lead_merge(source=ignored, into=worked, actor=Actor.of_user(sdr), reason="dup",
                        now=NOW + dt.timedelta(minutes=7))

    clocks = list(SlaClock.objects.filter(lead__in=[worked, ignored]))
    assert {c.state for c in clocks} >= {"met", "breached", "cancelled"}
    for clock in clocks:
        last = clock.transitions.last()
        # The clock row is a cache of its history: its state and due time are the last transition's.
        assert (clock.state, clock.due_at) == (last.to_state, last.due_at), clock
        assert clock.transitions.first().from_state == ""
    transition = ClockTransition.objects.first()
    transition.note = "tampered"
    with pytest.raises(ValueError, match="immutable"):
        transition.save()
    with pytest.raises(ValueError, match="immutable"):
        ClockTransition.objects.filter(pk=transition.pk).update(note="tampered")
