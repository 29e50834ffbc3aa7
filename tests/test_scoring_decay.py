"""Decay (SPEC S11): the beat task rescores only leads whose score_valid_until has passed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from leads.models import Lead
from scoring import selectors, services, tasks

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 4, 30, tzinfo=dt.UTC)
STEEL_VP = {
    "title": "VP Logistics",
    "industry": "Steel",
    "employees": 1000,
    "revenue_cr": 500,
    "shipments_per_day": 200,
}


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    selectors.rules_cache_clear()
    yield
    selectors.rules_cache_clear()


@pytest.fixture
def grade_changes(monkeypatch):
    from sla import services as sla_services

    calls: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        sla_services, "lead_grade_changed",
        lambda *, lead, old_grade, now: calls.append((lead.email, old_grade, lead.grade)),
    )
    return calls


def submit(intake, email: str, event: str | None, **fields: object) -> dict:
    body = {"email": email, **fields}
    if event:
        body["event"] = {"type": event}
    resp = intake.post("/api/v1/submissions/", body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def test_the_beat_task_lowers_score_and_grade_of_only_the_leads_whose_rules_expired(
    intake, grade_changes, django_assert_max_num_queries
):
    with time_machine.travel(T0, tick=False):
        submit(intake, "pricing@steel.example.in", "pricing_page_visit", **STEEL_VP)  # 60 B, expires T0+30d
        submit(intake, "demo@steel.example.in", "demo_request", **STEEL_VP)  # 70 B, expires T0+90d
        submit(intake, "cold@bank.example.in", None, industry="Banking")  # nothing to expire
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        submit(intake, "late@steel.example.in", "pricing_page_visit", **STEEL_VP)  # expires T0+50d
    before = {lead.email: lead for lead in Lead.objects.all()}
    assert before["pricing@steel.example.in"].grade == "B"
    assert before["pricing@steel.example.in"].stage == "mql"
    grade_changes.clear()

    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        with django_assert_max_num_queries(12):
            loaded = tasks.rescore_due()
        again = tasks.rescore_due()

    assert loaded == 1
    assert again == 0
    after = {lead.email: lead for lead in Lead.objects.all()}
    expired = after["pricing@steel.example.in"]
    assert (expired.score_total, expired.score_engagement, expired.grade) == (50, 0, "C")
    assert expired.stage == "mql"  # a lead that loses score keeps its stage
    assert expired.score_breakdown and all(r["kind"] == "fit" for r in expired.score_breakdown)
    assert expired.score_valid_until is None
    assert expired.scored_at == T0 + dt.timedelta(days=31)
    assert grade_changes == [("pricing@steel.example.in", "B", "C")]
    for email in ("demo@steel.example.in", "cold@bank.example.in", "late@steel.example.in"):
        assert after[email].scored_at == before[email].scored_at
        assert after[email].score_total == before[email].score_total


def test_a_rule_with_a_minimum_count_expires_with_its_third_most_recent_event(intake):
    with time_machine.travel(T0, tick=False):
        submit(intake, "opens@cement.example.in", "email_open")
    for days in (5, 10):
        with time_machine.travel(T0 + dt.timedelta(days=days), tick=False):
            intake.post("/api/v1/events/", {"email": "opens@cement.example.in", "type": "email_open"}, format="json")
    lead = Lead.objects.get()
    assert lead.score_engagement == 3
    assert lead.score_valid_until == T0 + dt.timedelta(days=30)

    with time_machine.travel(T0 + dt.timedelta(days=29, hours=23), tick=False):
        assert services.leads_rescore_due(now=dt.datetime.now(dt.UTC)).loaded == 0
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        assert services.leads_rescore_due(now=dt.datetime.now(dt.UTC)).loaded == 1

    lead.refresh_from_db()
    assert lead.score_engagement == 0


def test_the_sweep_works_in_batches_and_requeues_itself_while_more_are_due(intake, monkeypatch):
    with time_machine.travel(T0, tick=False):
        for i in range(3):
            submit(intake, f"p{i}@steel.example.in", "pricing_page_visit", **STEEL_VP)
    requeued = []
    monkeypatch.setattr(tasks.rescore_due, "delay", lambda: requeued.append(1))
    monkeypatch.setattr(services, "leads_rescore_due",
                        lambda *, now, batch_size=2, _real=services.leads_rescore_due: _real(now=now, batch_size=2))

    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        first = tasks.rescore_due()
        second = tasks.rescore_due()

    assert (first, second) == (2, 1)
    assert requeued == [1]
    assert set(Lead.objects.values_list("score_engagement", flat=True)) == {0}


def test_rescore_without_all_touches_only_due_leads(intake):
    with time_machine.travel(T0, tick=False):
        submit(intake, "pricing@steel.example.in", "pricing_page_visit", **STEEL_VP)
        submit(intake, "demo@steel.example.in", "demo_request", **STEEL_VP)
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        call_command("rescore", verbosity=0)

    scored = dict(Lead.objects.values_list("email", "scored_at"))
    assert scored["pricing@steel.example.in"] == T0 + dt.timedelta(days=31)
    assert scored["demo@steel.example.in"] == T0


def test_a_full_rescore_that_changes_nothing_writes_nothing_and_fires_no_hooks(intake, grade_changes):
    with time_machine.travel(T0, tick=False):
        submit(intake, "demo@steel.example.in", "demo_request", **STEEL_VP)
        submit(intake, "cold@bank.example.in", None, industry="Banking")
    grade_changes.clear()
    columns = ("scored_at", "score_total", "grade", "score_breakdown")
    before = list(Lead.objects.order_by("pk").values_list(*columns))

    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        call_command("rescore", "--all", verbosity=0)

    assert list(Lead.objects.order_by("pk").values_list(*columns)) == before
    assert grade_changes == []


def test_rescoring_one_lead_costs_a_fixed_number_of_queries_once_the_rules_are_cached(
    intake, django_assert_num_queries
):
    with time_machine.travel(T0, tick=False):
        submit(intake, "demo@steel.example.in", "demo_request", **STEEL_VP)
    lead = Lead.objects.get()
    from leads.services import Actor

    # The live rule set's identity, the lead's recent events, the update.
    with django_assert_num_queries(3):
        services.lead_rescore(lead=lead, now=T0 + dt.timedelta(minutes=1), actor=Actor.system())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_skips_a_lead_another_transaction_holds_and_takes_it_next_time(require_postgres, intake):
    import threading

    from django.db import connection, transaction

    with time_machine.travel(T0, tick=False):
        submit(intake, "held@steel.example.in", "pricing_page_visit", **STEEL_VP)
        submit(intake, "free@steel.example.in", "pricing_page_visit", **STEEL_VP)
    held = Lead.objects.get(email="held@steel.example.in")
    locked, release = threading.Event(), threading.Event()

    def hold_row() -> None:  # an intake request in flight on this lead
        try:
            with transaction.atomic():
                Lead.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=hold_row)
    worker.start()
    assert locked.wait(10)
    try:
        first = services.leads_rescore_due(now=T0 + dt.timedelta(days=31))
    finally:
        release.set()
        worker.join()
    second = services.leads_rescore_due(now=T0 + dt.timedelta(days=31))

    assert (first.loaded, second.loaded) == (1, 1)
    assert set(Lead.objects.values_list("score_total", flat=True)) == {50}


def test_bulk_written_times_compare_like_orm_written_ones(intake):
    with time_machine.travel(T0, tick=False):
        submit(intake, "pricing@steel.example.in", "pricing_page_visit", **STEEL_VP)
    Lead.objects.update(score_version=None)  # force the bulk path to rewrite the row
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        call_command("rescore", "--all", verbosity=0)
    due_at = T0 + dt.timedelta(days=30)

    assert Lead.objects.get().score_valid_until == due_at
    assert not Lead.objects.filter(score_valid_until__lt=due_at).exists()
    assert Lead.objects.filter(score_valid_until__lte=due_at, scored_at=T0 + dt.timedelta(minutes=1)).count() == 1
