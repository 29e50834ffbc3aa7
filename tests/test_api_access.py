"""API keys and scopes (SPEC S1, S27), lead listing and filters (S29)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import ApiKey
from accounts.services import hash_secret

pytestmark = pytest.mark.django_db


def test_no_key_gets_401(api):
    assert api.get("/api/v1/leads/").status_code == 401
    assert api.post("/api/v1/submissions/", {"email": "a@b.in"}, format="json").status_code == 401


def test_a_wrong_key_gets_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer slo_deadbeef_nope")
    assert api.get("/api/v1/leads/").status_code == 401


def test_an_intake_key_can_submit_but_not_read_leads(intake):
    assert intake.post("/api/v1/submissions/", {"email": "a@b.in"}, format="json").status_code == 201
    assert intake.get("/api/v1/leads/").status_code == 403


def test_a_read_key_can_read_but_not_submit(reader):
    assert reader.get("/api/v1/leads/").status_code == 200
    assert reader.post("/api/v1/submissions/", {"email": "a@b.in"}, format="json").status_code == 403


def test_an_admin_key_can_do_both(api, make_key):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key('admin')}")
    assert api.post("/api/v1/submissions/", {"email": "a@b.in"}, format="json").status_code == 201
    assert api.get("/api/v1/leads/").json()["count"] == 1


def test_a_revoked_key_gets_401(api, make_key):
    plain = make_key("read")
    ApiKey.objects.update(revoked_at="2026-01-01T00:00:00Z")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert api.get("/api/v1/leads/").status_code == 401


def test_issue_api_key_prints_only_the_key_and_stores_only_its_hash(capsys):
    call_command("issue_api_key", "web-forms", "--scope", "intake")
    out = capsys.readouterr().out
    plain = out.strip()
    assert out == plain + "\n" and " " not in plain
    key = ApiKey.objects.get()
    assert key.scope == "intake" and key.name == "web-forms"
    assert key.key_hash == hash_secret(plain)
    assert plain not in (key.key_hash, key.prefix)


def test_leads_are_filtered_and_paginated(intake, reader):
    for i in range(3):
        intake.post("/api/v1/submissions/", {"email": f"l{i}@x.in", "source": {"campaign": "Summit"}}, format="json")
    intake.post("/api/v1/submissions/", {"email": "other@x.in"}, format="json")

    page = reader.get("/api/v1/leads/", {"source": "Summit", "stage": "lead", "page_size": 2}).json()
    assert page["count"] == 3
    assert {"next", "previous", "results"} <= set(page)

    assert reader.get("/api/v1/leads/", {"grade": "Z"}).status_code == 400


def test_lead_detail_answers_the_s30_body(intake, reader):
    lead_id = intake.post("/api/v1/submissions/", {"email": "d@x.in"}, format="json").json()["id"]

    body = reader.get(f"/api/v1/leads/{lead_id}/").json()

    assert body["id"] == lead_id and body["email"] == "d@x.in"
    assert reader.get("/api/v1/leads/999999/").status_code == 404


def test_a_logged_in_sdr_sees_only_their_own_leads(intake, make_user):
    from rest_framework.test import APIClient

    from leads.models import Lead

    me, other = make_user("sdr"), make_user("sdr")
    for email, owner in (("mine@x.in", me), ("theirs@x.in", other)):
        intake.post("/api/v1/submissions/", {"email": email}, format="json")
        Lead.objects.filter(email=email).update(owner=owner)
    api = APIClient()
    api.force_login(me)

    emails = [lead["email"] for lead in api.get("/api/v1/leads/").json()["results"]]
    theirs = Lead.objects.get(email="theirs@x.in")

    assert emails == ["mine@x.in"]
    assert api.get(f"/api/v1/leads/{theirs.pk}/").status_code == 404


def test_schema_and_docs_are_served(api):
    assert api.get("/api/schema/").status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
