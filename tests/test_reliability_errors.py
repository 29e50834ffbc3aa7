"""Failures answer in a form the caller can use: JSON under /api/, never a stack trace or Django's HTML page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from accounts.auth import BearerApiKeyAuthentication

pytestmark = pytest.mark.django_db


def _boom(exc: Exception):  # type: ignore[no-untyped-def]
    def raise_(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise exc

    return raise_


def test_a_lost_database_in_an_api_view_answers_json_503_with_retry_after(intake, monkeypatch):
    monkeypatch.setattr("leads.api.views.submission_receive", _boom(OperationalError("server closed the connection")))

    resp = intake.post("/api/v1/submissions/", {"email": "a@b.in"}, format="json")

    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    assert resp.json()["code"] == "database_unavailable"


def test_a_lost_database_in_a_page_answers_a_plain_503(client, make_user, monkeypatch):
    client.force_login(make_user("sdr"))
    monkeypatch.setattr("leads.views.render", _boom(OperationalError("terminating connection")))

    resp = client.get("/queue/")

    assert resp.status_code == 503
    assert resp["Content-Type"].startswith("text/plain")
    assert b"Nothing was saved" in resp.content


def test_a_lost_database_while_checking_the_api_key_answers_json_503(make_key, monkeypatch):
    monkeypatch.setattr(BearerApiKeyAuthentication, "authenticate", _boom(OperationalError("connection refused")))
    browser = Client(raise_request_exception=False)

    resp = browser.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Bearer {make_key('read')}")

    assert resp.status_code == 503
    assert resp.json()["code"] == "database_unavailable"


def test_a_lost_database_outside_any_view_still_answers_json_503_under_the_api(monkeypatch):
    from slaops import api

    monkeypatch.setattr(api.BodySizeLimitMiddleware, "__call__", _boom(OperationalError("connection refused")))
    browser = Client(raise_request_exception=False)

    resp = browser.get("/api/v1/leads/")

    assert resp.status_code == 503
    assert resp.json()["code"] == "database_unavailable"


def test_an_unexpected_bug_under_the_api_is_a_json_500_without_details(monkeypatch):
    from slaops import api

    monkeypatch.setattr(api.BodySizeLimitMiddleware, "__call__", _boom(RuntimeError("secret internals")))
    browser = Client(raise_request_exception=False)

    resp = browser.get("/api/v1/leads/")

    assert resp.status_code == 500
    assert resp.json()["code"] == "internal_error"
    assert b"secret internals" not in resp.content


def test_an_unknown_api_url_is_a_json_404(client):
    resp = client.get("/api/v1/no-such-thing/")

    assert resp.status_code == 404
    assert resp.json() == {"detail": "Not found."}
