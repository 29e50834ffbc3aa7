"""The admin is behind staff login; its forms carry CSRF protection."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client):
    resp = client.get("/admin/leads/lead/")

    assert resp.status_code == 302
    assert resp["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["sdr", "ae", "manager", "marketing_ops"])
def test_a_logged_in_user_without_staff_status_cannot_use_the_admin(client, make_user, role):
    client.force_login(make_user(role))

    resp = client.get("/admin/leads/lead/")

    assert resp.status_code == 302
    assert resp["Location"].startswith("/admin/login/")


def test_an_api_key_does_not_open_the_admin(client, make_key):
    resp = client.get("/admin/", HTTP_AUTHORIZATION=f"Bearer {make_key('admin')}")

    assert resp.status_code == 302


def test_staff_can_use_the_admin(client, make_user):
    client.force_login(make_user(username="ops", is_staff=True, is_superuser=True))

    assert client.get("/admin/leads/lead/").status_code == 200


def test_the_admin_login_form_refuses_a_post_without_a_csrf_token(make_user):
    make_user(username="ops", is_staff=True)
    browser = Client(enforce_csrf_checks=True)

    resp = browser.post("/admin/login/", {"username": "ops", "password": "pw-123-secret"})

    assert resp.status_code == 403


def test_an_admin_change_without_a_csrf_token_is_refused(make_user, make_key):
    from accounts.models import ApiKey

    make_key("read")
    key = ApiKey.objects.get()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user(username="ops", is_staff=True, is_superuser=True))

    resp = browser.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [key.pk]})

    assert resp.status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None
