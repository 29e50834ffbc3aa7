"""Assignment (SPEC S20): admin rules first, then round-robin over active SDRs; AEs for handoffs the same way."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from leads.models import Lead
from sla.models import AssignmentRule
from sla.services import ae_for_handoff, assignee_for
from tests.support.factories import make_lead, make_member, to_mql

T0 = dt.datetime(2026, 12, 3, 4, 30, tzinfo=dt.UTC)


@pytest.fixture
def fast_users(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_mqls_go_round_robin_over_active_sdrs_skipping_inactive_ones(make_user, fast_users):
    a, b, c = make_user("sdr"), make_user("sdr"), make_user("sdr")
    make_member(b, active=False)
    owners = []

    for _ in range(4):
        lead = make_lead(grade="B")
        to_mql(lead, now=T0)
        lead.refresh_from_db()
        owners.append(lead.owner)

    assert owners == [a, c, a, c]


@pytest.mark.django_db
def test_a_deactivated_user_account_gets_no_leads(make_user, fast_users):
    a, b = make_user("sdr"), make_user("sdr")
    b.is_active = False
    b.save()

    assert {assignee_for(role="sdr", lead=make_lead()) for _ in range(3)} == {a}


@pytest.mark.django_db
def test_an_industry_rule_routes_before_round_robin(make_user, fast_users):
    make_user("sdr")
    cement = make_user("sdr")
    AssignmentRule.objects.create(role="sdr", field="industry", value="cement", assignee=cement)

    lead = make_lead(grade="A", industry="Cement")
    to_mql(lead, now=T0)

    lead.refresh_from_db()
    assert lead.owner == cement


@pytest.mark.django_db
def test_a_rule_whose_assignee_is_inactive_falls_through_to_round_robin(make_user, fast_users):
    other = make_user("sdr")
    away = make_user("sdr")
    make_member(away, active=False)
    AssignmentRule.objects.create(role="sdr", field="industry", value="steel", assignee=away)

    assert assignee_for(role="sdr", lead=make_lead(industry="Steel")) == other


@pytest.mark.django_db
def test_a_phone_prefix_rule_routes_by_region(make_user, fast_users):
    make_user("sdr")
    south = make_user("sdr")
    AssignmentRule.objects.create(role="sdr", field="phone_prefix", value="+91 80", assignee=south)

    assert assignee_for(role="sdr", lead=make_lead(phone="+918041234567")) == south


@pytest.mark.django_db
def test_handoffs_go_round_robin_over_active_aes(make_user, fast_users):
    ae1, ae2 = make_user("ae"), make_user("ae")
    make_user("sdr")

    assert [ae_for_handoff(lead=make_lead()) for _ in range(3)] == [ae1, ae2, ae1]


@pytest.mark.django_db
def test_no_active_sdr_leaves_the_mql_unassigned_but_clocked(fast_users):
    lead = make_lead(grade="A")

    to_mql(lead, now=T0)

    lead.refresh_from_db()
    assert lead.owner is None
    assert lead.sla_clocks.filter(kind="first_attempt").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_mqls_are_spread_evenly(make_user, fast_users, require_postgres):
    sdrs = [make_user("sdr") for _ in range(3)]
    leads = [make_lead(grade="B") for _ in range(6)]
    barrier = threading.Barrier(6)
    errors = []

    def work(lead_id: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                to_mql(Lead.objects.select_for_update().get(pk=lead_id), now=timezone.now())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(lead.pk,)) for lead in leads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    counts = [Lead.objects.filter(owner=s).count() for s in sdrs]
    assert counts == [2, 2, 2]


@pytest.mark.django_db
def test_a_returning_lead_whose_sdr_is_inactive_is_reassigned(make_user, fast_users):
    gone, here = make_user("sdr"), make_user("sdr")
    make_member(gone, active=False)
    lead = make_lead(grade="B", owner=gone)

    to_mql(lead, now=T0)

    lead.refresh_from_db()
    assert lead.owner == here
