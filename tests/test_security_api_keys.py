"""API keys: stored hashed, revocable from admin, last-used time kept; intake throttled per key (SPEC S27)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_issue
from accounts.throttling import IntakeThrottle

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def client_for(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_the_database_holds_no_usable_copy_of_a_key():
    key, plain = api_key_issue(name="web-forms", scope="intake")

    stored = ApiKey.objects.filter(pk=key.pk).values().get()

    assert all(plain not in str(value) for value in stored.values())
    assert plain.split("_", 2)[2] not in stored["key_hash"]


def test_a_key_revoked_in_admin_stops_working_at_once_and_others_keep_working(make_user):
    doomed, doomed_plain = api_key_issue(name="leaked", scope="read")
    _, kept_plain = api_key_issue(name="fine", scope="read")
    assert client_for(doomed_plain).get("/api/v1/leads/").status_code == 200
    admin = APIClient()
    admin.force_login(make_user(username="boss", is_staff=True, is_superuser=True))

    resp = admin.post(
        "/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [doomed.pk]}, follow=True
    )

    assert resp.status_code == 200
    doomed.refresh_from_db()
    assert doomed.revoked_at is not None
    refused = client_for(doomed_plain).get("/api/v1/leads/")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert client_for(kept_plain).get("/api/v1/leads/").status_code == 200


def test_last_used_time_is_recorded_and_refreshed_at_most_once_a_minute():
    key, plain = api_key_issue(name="crm-sync", scope="read")
    assert key.last_used_at is None
    client = client_for(plain)

    with time_machine.travel(T0, tick=False):
        client.get("/api/v1/leads/")
    key.refresh_from_db()
    assert key.last_used_at == T0

    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        client.get("/api/v1/leads/")
    key.refresh_from_db()
    assert key.last_used_at == T0  # no row write on every request

    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        client.get("/api/v1/leads/")
    key.refresh_from_db()
    assert key.last_used_at == T0 + dt.timedelta(minutes=5)


def test_a_refused_key_does_not_touch_last_used_time():
    key, plain = api_key_issue(name="old", scope="read")
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=T0)

    client_for(plain).get("/api/v1/leads/")

    key.refresh_from_db()
    assert key.last_used_at is None


@pytest.fixture
def three_per_minute(monkeypatch):
    monkeypatch.setattr(IntakeThrottle, "THROTTLE_RATES", {"intake": "3/min"})


def _forget(key: ApiKey) -> None:
    # Only this key's counters (the cache may be the shared Redis): one per one-minute window.
    base = IntakeThrottle.cache_format % {"scope": "intake", "ident": key.pk}
    for at in (T0, T0 + dt.timedelta(seconds=61)):
        cache.delete(f"{base}:{int(at.timestamp() // 60)}")


def test_intake_is_throttled_per_key_and_other_keys_are_unaffected(three_per_minute):
    noisy, noisy_plain = api_key_issue(name="runaway-script", scope="intake")
    calm, calm_plain = api_key_issue(name="web-forms", scope="intake")
    _forget(noisy), _forget(calm)
    noisy_client, calm_client = client_for(noisy_plain), client_for(calm_plain)

    with time_machine.travel(T0, tick=False):
        codes = [noisy_client.post("/api/v1/submissions/", {"email": f"n{i}@x.in"}, format="json").status_code
                 for i in range(4)]
        throttled = noisy_client.post("/api/v1/events/", {"email": "n0@x.in", "type": "email_open"}, format="json")
        calm_code = calm_client.post("/api/v1/submissions/", {"email": "calm@x.in"}, format="json").status_code

    assert codes == [201, 201, 201, 429]
    assert throttled.status_code == 429  # events share the intake budget
    assert int(throttled["Retry-After"]) > 0
    assert "detail" in throttled.json()
    assert calm_code == 201

    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        again = noisy_client.post("/api/v1/submissions/", {"email": "later@x.in"}, format="json")
    assert again.status_code == 201
    _forget(noisy), _forget(calm)


def test_reads_are_not_limited_by_the_intake_rate(three_per_minute, make_key):
    client = client_for(make_key("read"))

    assert [client.get("/api/v1/leads/").status_code for _ in range(5)] == [200] * 5


def test_the_throttle_lets_intake_through_when_its_cache_is_unreachable(three_per_minute, monkeypatch, intake):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "set", "add", "incr"):
        monkeypatch.setattr(IntakeThrottle.cache, method, broken)

    codes = [intake.post("/api/v1/submissions/", {"email": f"d{i}@x.in"}, format="json").status_code
             for i in range(5)]

    assert codes == [201] * 5
