"""Playwright driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: Playwright launches /usr/bin/chromium (`.ci/run`
installs it with apt). Without Chromium the tests skip on a laptop and fail in
CI (`require_service`). Screenshots go to tests/artifacts/ for reviewers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.conftest import require_service

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told the test knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "pw-123-secret"


@pytest.fixture(autouse=True)
def _close_db_connections_after_each_request() -> Iterator[None]:
    """The browser keeps HTTP connections alive, and with them the server threads and their
    persistent database connections; without this the test database cannot be dropped."""
    from django.db import connections

    db = connections.settings["default"]
    old = db.get("CONN_MAX_AGE", 0)
    db["CONN_MAX_AGE"] = 0
    yield
    db["CONN_MAX_AGE"] = old


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Logging in is exercised for real, just with a cheap hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_service(os.path.exists(CHROMIUM), "Chromium (/usr/bin/chromium; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="en-IN", timezone_id="Asia/Kolkata"
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def person(transactional_db: None) -> Callable[..., Any]:
    """A user with a role. Groups are fetched or made: a transactional test may run after a flush."""

    def make(username: str, role: str, **extra: Any) -> Any:
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


@pytest.fixture
def login(live_server: Any) -> Callable[[Any, str], None]:
    def do(pg: Any, username: str) -> None:
        pg.goto(f"{live_server.url}/login/")
        pg.fill("#id_username", username)
        pg.fill("#id_password", PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_url(lambda url: "/login/" not in url)

    return do


def logout(pg: Any) -> None:
    pg.click("form.logout button")
    pg.wait_for_url("**/login/**")


def shot(pg: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
