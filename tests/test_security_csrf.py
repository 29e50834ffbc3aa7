"""CSRF on every form: each page's POST forms carry the token, and each POST endpoint refuses a request without it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests import test_security_permissions as perms
from tests.test_security_permissions import MATRIX, USERS, _url

# The permission matrix's people, lead and handoff.
world = perms.world

pytestmark = pytest.mark.django_db

PAGE_ROWS = {name: row for name, row in MATRIX.items() if not name.startswith("api") and name != "schema"}
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def _browser(world, principal: str, enforce: bool) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=enforce)
    if principal in USERS:
        client.force_login(world["people"][principal])
    return client


def _first_allowed_user(row) -> str:  # type: ignore[no-untyped-def]
    return next((p for p in ("manager", "sdr", "ae", "marketing_ops") if p in row.allowed), "anonymous")


def test_every_post_form_on_every_page_carries_the_csrf_token(world):
    checked = 0
    for name, row in sorted(PAGE_ROWS.items()):
        if row.method != "get" or name == "admin":
            continue
        resp = _browser(world, _first_allowed_user(row), enforce=True).get(_url(name, row, world), follow=True)
        for form in FORM.findall(resp.content.decode(errors="replace")):
            if re.search(r'method=["\']?post', form, re.I):
                checked += 1
                assert "csrfmiddlewaretoken" in form, f"a POST form on {name} has no CSRF token:\n{form[:300]}"
    assert checked >= 5, "expected the lead, handoff and login pages to have POST forms"


def test_every_page_post_without_a_csrf_token_is_refused(world):
    posts = {name: row for name, row in PAGE_ROWS.items() if row.method == "post"}
    posts["admin:leads_lead_change_stage"] = MATRIX["lead"]
    refused = []
    for name, row in sorted(posts.items()):
        principal = _first_allowed_user(row)
        url = _url(name, row, world) if name in MATRIX else f"/admin/leads/lead/{world['lead'].pk}/change-stage/"
        browser = _browser(world, principal, enforce=True)
        if name.startswith("admin:"):
            world["people"]["manager"].is_staff = world["people"]["manager"].is_superuser = True
            world["people"]["manager"].save()
        resp = browser.post(url, {"reason": "no token"})
        refused.append((name, resp.status_code, b"CSRF" in resp.content))
    assert all(code == 403 and csrf for _, code, csrf in refused), refused
    login = Client(enforce_csrf_checks=True).post("/login/", {"username": "sdr", "password": "pw-123-secret"})
    assert login.status_code == 403
