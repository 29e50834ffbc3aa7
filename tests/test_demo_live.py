"""`demo_live`: what a newcomer sees right after `make run` (fresh hot leads, SQLs for the AEs)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from leads.management.commands.seed_demo import ensure_demo_users
from leads.models import Handoff, Lead
from sla.models import SlaClock

pytestmark = pytest.mark.django_db


def test_demo_live_puts_hot_mqls_in_sdr_queues_and_sqls_in_ae_inboxes():
    ensure_demo_users()

    call_command("demo_live", verbosity=0)

    hot = Lead.objects.filter(stage="mql")
    assert hot.count() == 3
    assert set(hot.values_list("grade", flat=True)) == {"A"}
    assert all(lead.owner is not None for lead in hot)
    running = SlaClock.objects.filter(lead__in=hot, kind="first_attempt", state="running")
    assert running.count() == 3
    pending = Handoff.objects.filter(decision="pending")
    assert pending.count() == 2
    assert all(h.ae is not None and h.lead.stage == "sql" for h in pending)


def test_demo_live_needs_the_demo_users():
    with pytest.raises(CommandError, match="seed_demo --with-users"):
        call_command("demo_live", verbosity=0)
