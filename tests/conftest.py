"""Shared fixtures: users by role, API keys, an API client, and the services switch.

Service-dependent tests (real Postgres, Redis, worker, Chromium) call
`require_service(...)`: it skips when the service is absent on a laptop, and
fails instead when SLAOPS_REQUIRE_SERVICES=1, as `.ci/run` sets it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from accounts.services import api_key_issue

REQUIRE_SERVICES = os.environ.get("SLAOPS_REQUIRE_SERVICES") == "1"

# CI explores the same property-test examples on every run, so a red run can be
# reproduced; locally hypothesis keeps exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI") or REQUIRE_SERVICES:
    hypothesis_settings.load_profile("ci")


def require_service(available: bool, what: str) -> None:
    """Skip (locally) or fail (in CI) when a real service the test needs is missing."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required in CI (SLAOPS_REQUIRE_SERVICES=1) but is not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def require_postgres() -> None:
    require_service(settings.IS_POSTGRES, "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def require_redis() -> str:
    require_service(bool(settings.REDIS_URL), "Redis (set REDIS_URL)")
    return settings.REDIS_URL


@pytest.fixture
def make_user(db) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    counter = {"n": 0}

    def make(role: str | None = None, username: str | None = None, **extra: object):  # type: ignore[no-untyped-def]
        counter["n"] += 1
        name = username or f"{role or 'user'}{counter['n']}"
        user = get_user_model().objects.create_user(username=name, password="pw-123-secret", **extra)
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


@pytest.fixture
def make_key(db) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    def make(scope: str) -> str:
        _, plain = api_key_issue(name=f"test-{scope}", scope=scope)
        return plain

    return make


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def intake(api: APIClient, make_key: Callable[[str], str]) -> APIClient:
    """An API client authenticated with an intake-scoped key."""
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key('intake')}")
    return api


@pytest.fixture
def reader(make_key: Callable[[str], str]) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key('read')}")
    return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test restores the rows data migrations made (roles, default rules, policies).

    A transactional test ends by flushing every table; without this, whichever
    transactional test runs next would find no groups or default rules, and
    pass or fail depending on test order.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            restoring = pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True)
            item.add_marker(restoring, append=False)
        elif "transactional_db" in getattr(item, "fixturenames", ()) and "django_db_serialized_rollback" not in (
            item.fixturenames
        ):
            item.fixturenames.append("django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    # The default PBKDF2 costs ~0.8 s per user on these machines; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
