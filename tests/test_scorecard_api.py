"""GET /api/v1/reports/scorecard/ (SPEC S29) and the scorecard page: contract, access, CSV, query bound."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from .reports_factories import ist, make_handoff, make_lead

KEYS = [
    "mqls_generated", "mql_acceptance_rate", "pipeline_sourced", "grade_a_share", "data_quality",
    "speed_to_lead_avg_min", "follow_up_compliance", "sqls_created", "mql_to_sql_rate", "sql_rejection_rate",
    "new_pipeline", "marketing_sourced_pipeline", "velocity_days", "marketing_sla_compliance", "sales_sla_compliance",
]  # fmt: skip
URL = "/api/v1/reports/scorecard/"


def _some_week(n: int = 6) -> None:
    tue = ist(2026, 3, 3, 10)
    for i in range(n):
        lead = make_lead(created_at=tue, stage="sql", grade="AB"[i % 2], mql_at=tue + dt.timedelta(minutes=i),
                         first_attempt_at=tue + dt.timedelta(minutes=i + 3), sal_at=tue + dt.timedelta(hours=1),
                         sql_at=tue + dt.timedelta(hours=2))  # fmt: skip
        make_handoff(lead, decided_at=tue + dt.timedelta(days=1), rejected=i == 0)


def test_a_read_key_gets_the_scorecard_in_the_public_shape(reader: APIClient) -> None:
    _some_week()
    resp = reader.get(URL, {"week": "2026-W10"})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"week", "start", "end", "health", "metrics"}
    assert (body["week"], body["start"], body["end"]) == ("2026-W10", "2026-03-02", "2026-03-08")
    assert body["health"] in {"GREEN", "YELLOW", "RED"}
    assert [m["key"] for m in body["metrics"]] == KEYS
    assert all(set(m) == {"key", "label", "actual", "target", "status"} for m in body["metrics"])
    by_key = {m["key"]: m for m in body["metrics"]}
    assert by_key["mqls_generated"]["actual"] == 6
    assert by_key["sql_rejection_rate"]["actual"] == pytest.approx(1 / 6, abs=1e-4)
    assert by_key["mql_acceptance_rate"]["target"] == 0.4


def test_a_week_with_nothing_to_measure_answers_null_not_zero(reader: APIClient) -> None:
    body = reader.get(URL, {"week": "2026-W10"}).json()
    by_key = {m["key"]: m for m in body["metrics"]}
    assert by_key["mql_acceptance_rate"]["actual"] is None
    assert by_key["mqls_generated"]["actual"] == 0


@pytest.mark.parametrize("week", ["2026-W60", "2026-10", "banana", "2026-W1", "2025-W53"])
def test_a_bad_week_is_a_400_naming_week(reader: APIClient, week: str) -> None:
    resp = reader.get(URL, {"week": week})
    assert resp.status_code == 400
    assert "week" in resp.json()


def test_week_53_exists_where_the_iso_calendar_has_it(reader: APIClient) -> None:
    body = reader.get(URL, {"week": "2026-W53"}).json()
    assert (body["start"], body["end"]) == ("2026-12-28", "2027-01-03")


@pytest.mark.parametrize(("scope", "status"), [("read", 200), ("admin", 200), ("intake", 403)])
def test_api_keys_by_scope(make_key, scope: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(scope)}")
    assert client.get(URL, {"week": "2026-W10"}).status_code == status


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("sdr", 403), ("ae", 403)])
def test_users_by_role(make_user, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_login(make_user(role))
    assert client.get(URL, {"week": "2026-W10"}).status_code == status


def test_anonymous_requests_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_scorecard_takes_a_bounded_number_of_queries(
    reader: APIClient, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _some_week(30)
    with django_assert_max_num_queries(25):
        assert reader.get(URL, {"week": "2026-W10"}).status_code == 200


# --- Page -----------------------------------------------------------------


def test_the_manager_page_shows_dashes_for_a_week_without_mqls(client, make_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("manager"))
    resp = client.get("/reports/scorecard/", {"week": "2026-W10"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-key="mql_acceptance_rate"' in html
    row = html.split('data-key="mql_acceptance_rate"')[1].split("</tr>")[0]
    assert '<td class="actual">—</td>' in row
    assert "Share of the week&#x27;s MQLs that have reached SAL" in row or "reached SAL" in row
    assert "vendor/chart-4.umd.js" in html


def test_sdrs_cannot_open_report_pages(client, make_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("sdr"))
    assert client.get("/reports/scorecard/").status_code == 403
    assert client.get("/reports/funnel/").status_code == 403


def test_the_scorecard_exports_as_csv(client, make_user) -> None:  # type: ignore[no-untyped-def]
    _some_week()
    client.force_login(make_user("manager"))
    resp = client.get("/reports/scorecard/", {"week": "2026-W10", "format": "csv"})
    assert resp["Content-Type"].startswith("text/csv")
    lines = resp.content.decode().splitlines()
    assert lines[0].startswith("week,2026-W10,start,2026-03-02")
    assert any(line.startswith("Marketing performance,mqls_generated,MQLs generated,6,") for line in lines)


def test_the_printable_agreement_shows_the_active_targets(client, make_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("manager"))
    html = client.get("/reports/agreement/").content.decode()
    assert "Deliver 120 MQLs per month" in html
    assert "Maintain ≥40% MQL acceptance rate" in html


def test_the_scorecard_endpoint_exports_csv_too(reader: APIClient) -> None:
    _some_week()
    resp = reader.get(URL, {"week": "2026-W10", "export": "csv"})
    assert resp["Content-Type"].startswith("text/csv")
    assert "Marketing performance,mqls_generated,MQLs generated,6," in resp.content.decode()


def test_marketing_ops_edit_the_agreement_targets_in_admin(client, make_user) -> None:  # type: ignore[no-untyped-def]
    from reports.models import SlaAgreement

    client.force_login(make_user("marketing_ops", is_staff=True))
    ag = SlaAgreement.objects.get(is_active=True)
    assert client.get(f"/admin/reports/slaagreement/{ag.pk}/change/").status_code == 200


def test_only_one_agreement_can_be_active(db) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.db import IntegrityError, transaction

    from reports.models import SlaAgreement

    with pytest.raises(IntegrityError), transaction.atomic():
        SlaAgreement.objects.create(is_active=True, effective_on=dt.date(2026, 1, 1), review_on=dt.date(2026, 4, 1),
                                    marketing_party="M", sales_party="S", pipeline_goal_quarter_lakh=1,
                                    mqls_per_month=1)  # fmt: skip
