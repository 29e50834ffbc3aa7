"""The permission matrix (SPEC S1): every role and API key scope × every page and endpoint → allowed or denied.

The list of URLs comes from the URL resolver, so a new page or endpoint
without a row here fails `test_every_url_has_a_row_in_the_matrix` until
someone decides who may use it.

Allowed means the request was served (2xx, a redirect that is not to the
login page, or a 400 for the deliberately empty form); denied means 401, 403,
404 (another person's lead or handoff is not even confirmed to exist) or a
redirect to the login page. Every request runs in a savepoint that is rolled
back, so one principal's POST never changes what the next one sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_key_issue
from leads.models import Handoff, Stage
from leads.services import Actor, lead_change_stage
from reports.reports import REPORTS
from tests.support.factories import make_complete_lead

pytestmark = pytest.mark.django_db

USERS = ("sdr", "other_sdr", "ae", "other_ae", "manager", "marketing_ops")
KEYS = ("key_intake", "key_read", "key_admin")
PRINCIPALS = ("anonymous", *USERS, *KEYS)
EVERYONE = frozenset(PRINCIPALS)
LOGGED_IN = frozenset(USERS)


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str]
    method: str = "get"
    obj: str = ""  # "lead" or "handoff": whose pk fills <pk>
    kwargs: dict = field(default_factory=dict)
    data: object = None
    # Logging out sends everyone to the login page: that is the page working, not a refusal.
    login_is_success: bool = False


def users(*names: str) -> frozenset[str]:
    return frozenset(names)


READ_KEYS = users("key_read", "key_admin")
INTAKE_KEYS = users("key_intake", "key_admin")
LEAD_WORKERS = users("sdr", "manager")  # the lead's own SDR, or a manager
HANDOFF_DECIDERS = users("ae", "manager")  # the handoff's own AE, or a manager
REPORT_KEY = next(iter(REPORTS))

MATRIX: dict[str, Row] = {
    # public
    "healthz": Row(EVERYONE),
    "login": Row(EVERYONE),
    "logout": Row(EVERYONE, method="post", login_is_success=True),
    "schema": Row(EVERYONE),
    "api-docs": Row(EVERYONE),
    # every signed-in person lands somewhere
    "home": Row(LOGGED_IN),
    # SDR pages
    "queue": Row(users("sdr", "other_sdr", "manager")),
    "lead": Row(users("sdr", "manager", "marketing_ops"), obj="lead"),
    "lead-attempt": Row(LEAD_WORKERS, method="post", obj="lead"),
    "lead-accept": Row(LEAD_WORKERS, method="post", obj="lead"),
    "lead-discovery": Row(LEAD_WORKERS, method="post", obj="lead"),
    "lead-qualification": Row(LEAD_WORKERS, method="post", obj="lead"),
    "lead-disposition": Row(LEAD_WORKERS, method="post", obj="lead"),
    "lead-flag": Row(LEAD_WORKERS, method="post", obj="lead"),
    # AE pages
    "handoffs": Row(users("ae", "other_ae", "manager")),
    "handoff": Row(users("ae", "sdr", "manager"), obj="handoff"),
    "handoff-accept": Row(HANDOFF_DECIDERS, method="post", obj="handoff"),
    "handoff-reject": Row(HANDOFF_DECIDERS, method="post", obj="handoff"),
    "handoff-demo": Row(HANDOFF_DECIDERS, method="post", obj="handoff"),
    "handoff-close": Row(HANDOFF_DECIDERS, method="post", obj="handoff"),
    "handoff-feedback": Row(users("ae", "sdr", "manager"), method="post", obj="handoff"),
    # reports: managers (and read/admin keys through the API)
    "reports:scorecard": Row(users("manager")),
    "reports:agreement": Row(users("manager")),
    "reports:recalibration": Row(users("manager")),
    "reports:escalations": Row(users("manager")),
    "reports:report": Row(users("manager"), kwargs={"key": REPORT_KEY}),
    # REST API
    "api-submissions": Row(INTAKE_KEYS, method="post", data={"email": "matrix@x.in"}),
    "api-events": Row(INTAKE_KEYS, method="post", data={"email": "nobody@x.in", "type": "email_open"}),
    "api-leads": Row(READ_KEYS | LOGGED_IN),
    "api-lead-detail": Row(READ_KEYS | users("sdr", "manager", "marketing_ops"), obj="lead"),
    "api-reports-scorecard": Row(READ_KEYS | users("manager")),
    "api-reports-report": Row(READ_KEYS | users("manager"), kwargs={"key": REPORT_KEY}),
    # Django admin: staff only, and none of these people is staff (tests/test_security_admin.py)
    "admin": Row(frozenset()),
}


def _url_names() -> set[str]:
    """Every named URL; the admin's many URLs count as one row."""
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    names.add("admin")
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL {p.pattern} has no name, so it cannot be in the permission matrix"
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_a_row_in_the_matrix():
    names = _url_names()

    assert names - set(MATRIX) == set(), "new URLs need a row in MATRIX saying who may use them"
    assert set(MATRIX) - names == set(), "MATRIX lists URLs that no longer exist"


@pytest.fixture
def world(make_user):
    """One lead owned by `sdr`, one handoff from `sdr` to `ae`, and a client per principal."""
    people = {name: make_user(role=name.removeprefix("other_"), username=name) for name in USERS}
    now = timezone.now()
    lead = make_complete_lead(owner=people["sdr"], grade="B")
    lead_change_stage(lead=lead, to_stage=Stage.MQL, actor=Actor.system(), reason="matrix", now=now)
    handed = make_complete_lead(owner=people["sdr"], grade="A")
    lead_change_stage(lead=handed, to_stage=Stage.SQL, actor=Actor.system(), reason="matrix", now=now)
    handoff = Handoff.objects.create(lead=handed, sdr=people["sdr"], ae=people["ae"], created_at=now)
    keys = {name: api_key_issue(name=name, scope=name.removeprefix("key_"))[1] for name in KEYS}

    def client(principal: str) -> APIClient:
        # A fresh client per request: a logout must not sign out the next row's request.
        c = APIClient()
        if principal in people:
            c.force_login(people[principal])
        elif principal in keys:
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[principal]}")
        return c

    return {"client": client, "lead": lead, "handoff": handoff, "people": people}


def _outcome(resp, row: Row) -> str:  # type: ignore[no-untyped-def]
    if resp.status_code in (401, 403, 404):
        return "denied"
    if resp.status_code in (301, 302) and "/login/" in resp.get("Location", "") and not row.login_is_success:
        return "denied"
    if resp.status_code >= 500:
        return f"error {resp.status_code}"
    return "allowed"


def _url(name: str, row: Row, world) -> str:  # type: ignore[no-untyped-def]
    if name == "admin":
        return reverse("admin:index")
    kwargs = dict(row.kwargs)
    if row.obj:
        kwargs["pk"] = world[row.obj].pk
    return reverse(name, kwargs=kwargs)


def test_each_role_and_key_is_allowed_exactly_what_spec_s1_says(world):
    wrong = []
    for name, row in sorted(MATRIX.items()):
        url = _url(name, row, world)
        for principal in PRINCIPALS:
            client = world["client"](principal)
            with transaction.atomic():
                if row.method == "post":
                    resp = client.post(url, row.data or {}, format="json" if row.data else None)
                else:
                    resp = client.get(url)
                transaction.set_rollback(True)
            expected = "allowed" if principal in row.allowed else "denied"
            got = _outcome(resp, row)
            if got != expected:
                wrong.append(f"{principal:14} {row.method.upper():4} {url:40} expected {expected}, got "
                             f"{got} ({resp.status_code})")
    assert wrong == [], "\n" + "\n".join(wrong)
