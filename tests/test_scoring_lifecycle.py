"""Scoring on every submission and event, through the HTTP API (SPEC S3, S5, S12, S28–S30)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from leads.models import Lead, StageChange
from scoring import selectors, services
from scoring.templatetags.scoring_tags import score_explanation

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 4, 30, tzinfo=dt.UTC)

STEEL_VP = {
    "email": "vikram.rao@jindalsteel.example.in",
    "first_name": "Vikram",
    "last_name": "Rao",
    "title": "VP Logistics",
    "company": "Jindal Steel",
    "industry": "Steel",
    "employees": 1000,
    "revenue_cr": 500,
    "shipments_per_day": 200,
    "event": {"type": "demo_request", "asset": "Demo form"},
}


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    selectors.rules_cache_clear()
    yield
    selectors.rules_cache_clear()


@pytest.fixture
def hooks(monkeypatch):
    """Record the SLA hooks scoring calls (their behaviour belongs to the SLA app)."""
    from sla import services as sla_services

    calls: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        sla_services, "lead_grade_changed",
        lambda *, lead, old_grade, now: calls.append(("grade", lead.pk, f"{old_grade}->{lead.grade}")),
    )
    monkeypatch.setattr(
        sla_services, "lead_entered_periodic_check",
        lambda *, lead, now: calls.append(("periodic_check", lead.pk, lead.grade)),
    )
    return calls


def test_a_steel_vp_requesting_a_demo_answers_fit_50_engagement_20_grade_b_and_becomes_an_mql(intake, hooks):
    with time_machine.travel(T0, tick=False):
        resp = intake.post("/api/v1/submissions/", STEEL_VP, format="json")

    assert resp.status_code == 201
    body = resp.json()
    assert body["score"]["fit"] == 50
    assert body["score"]["engagement"] == 20
    assert body["score"]["total"] == 70
    assert body["grade"] == "B"
    assert body["stage"] == "mql"
    assert body["mql_at"] is not None
    demo = next(r for r in body["score"]["rules"] if r["rule"] == "Demo request")
    assert demo["points"] == 20
    assert dt.datetime.fromisoformat(demo["expires_at"]) == T0 + dt.timedelta(days=90)
    assert dt.datetime.fromisoformat(body["score"]["valid_until"]) == T0 + dt.timedelta(days=90)
    assert sum(r["points"] for r in body["score"]["rules"]) == 70
    change = StageChange.objects.get(lead_id=body["id"], to_stage="mql")
    assert change.from_stage == "lead"
    assert change.actor_kind == "system"
    assert change.reason == (
        "Score 70 (fit 50 + engagement 20) ≥ 60; ICP met (Steel, Logistics, 1000 employees); intent: demo request"
    )
    lead = Lead.objects.get(pk=body["id"])
    assert lead.score_version == 1
    assert ("grade", lead.pk, "D->B") in hooks


def test_a_good_fit_without_intent_stays_a_lead_whatever_its_score(intake):
    body = {**STEEL_VP, "event": {"type": "webinar_attendance", "asset": "Yard webinar"}}
    intake.post("/api/v1/submissions/", body, format="json")

    resp = intake.post("/api/v1/submissions/", {**body, "event": {"type": "roi_calculator_usage"}}, format="json")

    assert resp.json()["score"]["total"] == 66
    assert resp.json()["grade"] == "B"
    assert resp.json()["stage"] == "lead"


def test_three_email_opens_score_three_points_two_do_not(intake):
    intake.post("/api/v1/submissions/", {"email": "a@cement.example.in"}, format="json")
    two = [{"email": "a@cement.example.in", "type": "email_open"}] * 2

    after_two = intake.post("/api/v1/events/", two, format="json").json()["leads"][0]["score"]
    after_three = intake.post(
        "/api/v1/events/", {"email": "a@cement.example.in", "type": "email_open"}, format="json"
    ).json()["leads"][0]["score"]

    assert after_two["engagement"] == 0
    assert after_three["engagement"] == 3
    assert [r["rule"] for r in after_three["rules"]] == ["Email opens (3+)"]


def test_a_webinar_registration_then_attendance_of_the_same_webinar_scores_8_not_11(intake):
    intake.post("/api/v1/submissions/", {"email": "w@fmcg.example.in",
                                         "event": {"type": "webinar_registration", "asset": "Yard webinar"}},
                format="json")

    resp = intake.post("/api/v1/events/", {"email": "w@fmcg.example.in", "type": "webinar_attendance",
                                           "asset": "Yard webinar"}, format="json")

    assert resp.json()["leads"][0]["score"]["engagement"] == 8


def test_a_grade_c_icp_lead_enters_the_periodic_check_queue_once_and_is_not_an_mql(intake, hooks):
    cool = {**STEEL_VP, "title": "Logistics Manager", "shipments_per_day": None, "event": {"type": "email_open"}}

    first = intake.post("/api/v1/submissions/", {**cool, "shipments_per_day": 10}, format="json").json()
    intake.post("/api/v1/submissions/", {"email": cool["email"], "event": {"type": "website_visit"}}, format="json")

    lead = Lead.objects.get(pk=first["id"])
    assert (lead.score_total, lead.grade, lead.stage) == (42, "C", "lead")
    assert lead.queue_entered_at is not None
    assert [c for c in hooks if c[0] == "periodic_check"] == [("periodic_check", lead.pk, "C")]


def test_a_lead_that_loses_score_keeps_its_stage_but_its_grade_follows(intake):
    with time_machine.travel(T0, tick=False):
        lead_id = intake.post("/api/v1/submissions/", STEEL_VP, format="json").json()["id"]
    with time_machine.travel(T0 + dt.timedelta(days=91), tick=False):
        resp = intake.post("/api/v1/events/", {"email": STEEL_VP["email"], "type": "email_open"}, format="json")

    body = resp.json()["leads"][0]
    assert body["id"] == lead_id
    assert (body["score"]["total"], body["grade"], body["stage"]) == (50, "C", "mql")


def test_the_lead_page_explanation_lists_each_rule_with_points_and_expiry(intake):
    with time_machine.travel(T0, tick=False):
        lead_id = intake.post("/api/v1/submissions/", STEEL_VP, format="json").json()["id"]
    lead = Lead.objects.get(pk=lead_id)

    context = score_explanation(lead)

    assert [(r.rule, r.points) for r in context["fit_rules"]][0] == ("Industry: Steel/Cement/FMCG (Steel)", 15)
    (demo,) = context["engagement_rules"]
    assert (demo.rule, demo.points, demo.expires_at) == ("Demo request", 20, T0 + dt.timedelta(days=90))
    from django.template.loader import render_to_string

    html = render_to_string("scoring/_score_explanation.html", context)
    assert "Demo request" in html and "Title: VP/Director level" in html and "Score 70" in html


def test_rescore_all_restores_scores_and_seeding_scores_without_stage_changes(intake):
    intake.post("/api/v1/submissions/", STEEL_VP, format="json")
    intake.post("/api/v1/submissions/", {"email": "x@bank.example.in", "industry": "Banking"}, format="json")
    expected = list(Lead.objects.order_by("pk").values_list("score_total", "grade"))
    Lead.objects.update(score_total=0, score_fit=0, score_engagement=0, grade="D", score_breakdown=[])

    call_command("rescore", "--all", verbosity=0)

    assert list(Lead.objects.order_by("pk").values_list("score_total", "grade")) == expected
    assert Lead.objects.get(email=STEEL_VP["email"]).score_breakdown[0]["rule"].startswith("Industry")
    history = StageChange.objects.count()
    Lead.objects.update(score_total=0, grade="D")

    assert services.leads_score_bulk(now=dt.datetime.now(dt.UTC)) == 2

    assert list(Lead.objects.order_by("pk").values_list("score_total", "grade")) == expected
    assert StageChange.objects.count() == history
