"""Every report (SPEC S24) as a page, a JSON endpoint and a CSV export, for managers only."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from reports.reports import REPORTS

from .reports_factories import campaign_source, ist, make_handoff, make_lead, make_opportunity

TUE = ist(2026, 3, 3, 10)
PARAMS = {"day": {"day": "2026-03-03"}, "week": {"week": "2026-W10"}, "month": {"month": "2026-03"},
          "quarter": {"quarter": "2026-Q1"}}  # fmt: skip


@pytest.fixture
def data(db):  # type: ignore[no-untyped-def]
    src = campaign_source("Cement Webinar", cost="5.00")
    won = make_lead(created_at=TUE, source=src, grade="A", stage="opportunity", mql_at=TUE,
                    first_attempt_at=TUE + dt.timedelta(minutes=3), sal_at=TUE + dt.timedelta(hours=1),
                    sql_at=TUE + dt.timedelta(hours=3), opportunity_at=TUE + dt.timedelta(hours=8))  # fmt: skip
    make_handoff(won, decided_at=TUE + dt.timedelta(hours=8))
    make_opportunity(won, opened_at=TUE + dt.timedelta(hours=8), amount="20.00")
    bad = make_lead(created_at=TUE, source=src, grade="B", stage="sql", mql_at=TUE, sql_at=TUE + dt.timedelta(hours=5))
    make_handoff(bad, decided_at=TUE + dt.timedelta(hours=9), rejected=True)


@pytest.mark.parametrize("key", sorted(REPORTS))
def test_every_report_answers_as_page_json_and_csv(client, make_user, reader, data, key: str) -> None:  # type: ignore[no-untyped-def]
    params = PARAMS[REPORTS[key].period_kind]
    client.force_login(make_user("manager"))
    page = client.get(f"/reports/{key}/", params)
    assert page.status_code == 200
    body = reader.get(f"/api/v1/reports/{key}/", params).json()
    assert body["report"] == key and body["period"]["label"] == next(iter(params.values()))
    assert all({"title", "columns", "rows"} <= set(t) for t in body["tables"])
    csv = client.get(f"/reports/{key}/", {**params, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and body["title"] in csv.content.decode()


def test_campaign_roi_sets_pipeline_and_won_revenue_against_cost(reader, data) -> None:  # type: ignore[no-untyped-def]
    body = reader.get("/api/v1/reports/roi/", {"month": "2026-03"}).json()
    row = next(r for r in body["tables"][0]["rows"] if r["campaign"] == "Cement Webinar")
    assert (row["cost_lakh"], row["mqls"], row["sqls"], row["pipeline_lakh"]) == (5.0, 2, 2, 20.0)
    assert row["pipeline_per_cost"] == 4.0


def test_the_funnel_counts_each_stage_reached_in_the_week(reader, data) -> None:  # type: ignore[no-untyped-def]
    body = reader.get("/api/v1/reports/funnel/", {"week": "2026-W10"}).json()
    assert body["summary"] == {"LEAD": 2, "MQL": 2, "SAL": 1, "SQL": 2, "OPPORTUNITY": 1, "CUSTOMER": 0}


def test_the_weekly_agenda_lists_rejections_with_their_reasons(reader, data) -> None:  # type: ignore[no-untyped-def]
    body = reader.get("/api/v1/reports/weekly/", {"week": "2026-W10"}).json()
    rejected = next(t for t in body["tables"] if t["key"] == "rejected")["rows"]
    assert [(r["category"], r["reason"]) for r in rejected] == [("Not Ready", "No budget this year")]


def test_a_bad_period_is_a_400_naming_it(reader, db) -> None:  # type: ignore[no-untyped-def]
    resp = reader.get("/api/v1/reports/trends/", {"month": "2026-13"})
    assert resp.status_code == 400 and "month" in resp.json()


def test_sdr_users_cannot_read_report_endpoints(make_user) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_login(make_user("sdr"))
    assert client.get("/api/v1/reports/funnel/").status_code == 403


def test_sdr_activity_counts_each_sdrs_work_against_the_weekly_targets(reader, make_user, db) -> None:  # type: ignore[no-untyped-def]
    from leads.models import Attempt

    sdr = make_user("sdr", first_name="Priya", last_name="Nair")
    same_day = make_lead(created_at=TUE, owner=sdr, grade="A", mql_at=TUE, first_attempt_at=TUE + dt.timedelta(hours=2),
                         discovery_call_at=TUE + dt.timedelta(days=1), sql_at=TUE + dt.timedelta(days=1))  # fmt: skip
    make_lead(created_at=TUE, owner=sdr, grade="B", mql_at=TUE + dt.timedelta(hours=13),  # 23:00 IST
              first_attempt_at=TUE + dt.timedelta(hours=14, minutes=30))  # next IST day  # fmt: skip
    for i in range(3):
        Attempt.objects.create(lead=same_day, sdr=sdr, channel="phone", outcome="connected" if i == 0 else "no_answer",
                               at=TUE + dt.timedelta(hours=2 + i))  # fmt: skip
    body = reader.get("/api/v1/reports/sdr/", {"week": "2026-W10"}).json()
    row = body["tables"][0]["rows"][0]
    assert (row["sdr"], row["calls"], row["conversations"], row["discovery_calls"], row["sqls"]) == (
        "Priya Nair", 3, 1, 1, 1)
    assert (row["mqls"], row["same_day_follow_up"], row["mqls_touched"], row["on_target"]) == (2, 0.5, 1.0, False)
    assert body["summary"]["targets"] == {"calls": 250, "conversations": 50, "discovery_calls": 10, "sqls": 5}
    daily = reader.get("/api/v1/reports/sdr-daily/", {"day": "2026-03-03"}).json()
    assert daily["summary"]["targets"]["calls"] == 50
