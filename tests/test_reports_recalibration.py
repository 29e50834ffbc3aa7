"""The quarterly recalibration review (framework: SLA Recalibration; SPEC S24)."""

from __future__ import annotations

import datetime as dt

import pytest

from leads.models import Event
from reports.models import RecalibrationReview
from scoring.models import RuleSet
from scoring.services import rule_set_clone

from .reports_factories import ist, make_lead, make_opportunity

FIT_50 = {"industry": "Cement", "employees": 800, "revenue_cr": 500, "title": "VP Logistics", "shipments_per_day": 200}


def _event(lead, etype: str, at: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    Event.objects.create(lead=lead, type=etype, occurred_at=at)


@pytest.fixture
def quarter_leads(db):  # type: ignore[no-untyped-def]
    """Q1 2026: a lead at 70 at the quarter's end (demo request still active) and one at exactly 60
    (pricing page only) with ₹10L pipeline; a Q2 lead that must be left out."""
    strong = make_lead(created_at=ist(2026, 2, 10), mql_at=ist(2026, 2, 10, 1), **FIT_50)
    _event(strong, "demo_request", ist(2026, 2, 10))
    _event(strong, "pricing_page_visit", ist(2026, 2, 10))
    edge = make_lead(created_at=ist(2026, 3, 20), mql_at=ist(2026, 3, 20, 1), **FIT_50)
    _event(edge, "pricing_page_visit", ist(2026, 3, 20))
    make_opportunity(edge, opened_at=ist(2026, 3, 25), amount="10.00")
    later = make_lead(created_at=ist(2026, 4, 5), **FIT_50)
    _event(later, "demo_request", ist(2026, 4, 5))


@pytest.fixture
def draft(db) -> RuleSet:  # type: ignore[no-untyped-def]
    rule_set = rule_set_clone(rule_set=RuleSet.objects.get(status="published"), user=None)
    rule_set.mql_threshold = 65
    rule_set.save()
    return rule_set


def test_modelled_impact_rescores_the_quarters_leads_under_the_draft(client, make_user, quarter_leads, draft) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("manager"))
    resp = client.post("/reports/recalibration/?quarter=2026-Q1", {"action": "model", "draft_rule_set": draft.pk})
    assert resp.status_code == 302
    impact = RecalibrationReview.objects.get(quarter="2026-Q1").impact
    assert (impact["leads"], impact["mqls_before"], impact["mqls_after"]) == (2, 2, 1)
    assert impact["grades_before"] == {"A": 0, "B": 2, "C": 0, "D": 0}  # 70 and 60 at 1 Apr
    assert (impact["no_longer_qualifying"], impact["newly_qualifying"]) == (1, 0)
    assert (impact["pipeline_lakh"], impact["pipeline_at_risk_lakh"], impact["pipeline_impact"]) == (10.0, 10.0, -1.0)
    page = client.get("/reports/recalibration/", {"quarter": "2026-Q1"}).content.decode()
    assert "MQLs: 2 → 1 (0 newly qualify, 1 no longer do)" in page
    assert '<strong data-testid="pipeline-impact">-100%</strong>' in page


def test_the_review_shows_target_against_actual_for_the_quarter(client, make_user, quarter_leads) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("manager"))
    html = client.get("/reports/recalibration/", {"quarter": "2026-Q1"}).content.decode()
    row = html.split('data-item="MQL Volume"')[1].split("</tr>")[0]
    assert "<td>360</td><td>2</td><td>✗</td>" in row  # 120 a month × 3


def test_a_decision_needs_both_signatures(client, make_user, db) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("manager"))
    url = "/reports/recalibration/?quarter=2026-Q1"
    resp = client.post(url, {"action": "decide", "decision": "approved", "vp_sales": "Vikram Singh"})
    assert resp.status_code == 400 and "The Marketing Director signs." in resp.content.decode()
    client.post(url, {"action": "decide", "decision": "modified", "details": "Threshold 62, not 65",
                      "vp_sales": "Vikram Singh", "marketing_director": "Farhan Sheikh"})  # fmt: skip
    review = RecalibrationReview.objects.get(quarter="2026-Q1")
    assert (review.decision, review.decision_details) == ("modified", "Threshold 62, not 65")
    assert (review.vp_sales_signed_by, review.marketing_director_signed_by) == ("Vikram Singh", "Farhan Sheikh")


def test_sdrs_cannot_open_the_review(client, make_user, db) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("sdr"))
    assert client.get("/reports/recalibration/").status_code == 403


def test_the_review_is_also_json_and_csv(client, make_user, reader, quarter_leads, draft) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("manager"))
    client.post("/reports/recalibration/?quarter=2026-Q1", {"action": "model", "draft_rule_set": draft.pk})
    body = reader.get("/api/v1/reports/recalibration/", {"quarter": "2026-Q1"}).json()
    assert body["summary"]["impact"]["mqls_after"] == 1
    assert [t["key"] for t in body["tables"]] == ["performance", "proposed", "impact", "decision"]
    csv = client.get("/reports/recalibration/", {"quarter": "2026-Q1", "format": "csv"}).content.decode()
    assert "MQL Volume,360,2,✗" in csv
