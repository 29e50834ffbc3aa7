"""Marketing ops edit SLA policies in admin; every edit is in the audit trail."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from sla.models import SlaPolicy

pytestmark = pytest.mark.django_db


def test_editing_a_policy_in_admin_is_audited_with_before_and_after(admin_client):
    policy = SlaPolicy.objects.get(grade="A")
    url = f"/admin/sla/slapolicy/{policy.pk}/change/"
    form = {"grade": "A", "first_attempt": "00:03:00", "warn_before": "00:01:00", "total_attempts": "8",
            "window": "7 00:00:00", "disposition": "7 00:00:00", "calendar": ""}

    resp = admin_client.post(url, form)

    assert resp.status_code == 302, resp.content[:500]
    policy.refresh_from_db()
    assert policy.first_attempt.total_seconds() == 180
    entry = AuditEntry.objects.get(object_type="sla.slapolicy")
    assert entry.action == "change"
    assert entry.user.username == "admin"
    assert entry.before["first_attempt"] != entry.after["first_attempt"]


def test_the_failed_notifications_list_loads(admin_client):
    assert admin_client.get("/admin/notifications/notification/?status__exact=failed").status_code == 200
    assert admin_client.get("/admin/sla/businesscalendar/add/").status_code == 200
    assert admin_client.get("/admin/sla/slaclock/").status_code == 200
