"""Versioned rule sets in admin (SPEC S7, S12): defaults, clone, edit (audited), preview, publish."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from accounts.models import AuditEntry
from leads.models import Lead
from scoring import defaults, selectors, services
from scoring.models import EngagementRule, RuleSet

pytestmark = pytest.mark.django_db

STEEL_VP = {"title": "VP Logistics", "industry": "Steel", "employees": 1000, "revenue_cr": 500,
            "shipments_per_day": 200}


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    selectors.rules_cache_clear()
    yield
    selectors.rules_cache_clear()


@pytest.fixture
def mops(make_user) -> Client:
    user = make_user("marketing_ops", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def submit(intake, email: str, *events: str) -> dict:
    body = {"email": email, **STEEL_VP, "event": {"type": events[0]}}
    resp = intake.post("/api/v1/submissions/", body, format="json")
    for event in events[1:]:
        resp = intake.post("/api/v1/submissions/", {"email": email, "event": {"type": event}}, format="json")
    return resp.json()


def change_form_data(response) -> dict:
    """The POST body the admin change form would send back unchanged."""
    data: dict = {}

    def put(form, name):
        value = form[name].value()
        if value is None or value is False:
            return
        data[form.add_prefix(name)] = "on" if value is True else value

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for f in formset.forms:
            for name in f.fields:
                put(f, name)
    return data


def test_a_fresh_install_publishes_the_framework_defaults_exactly_as_version_1():
    published = RuleSet.objects.get(status="published")

    assert published.version == 1
    assert selectors.rules_for(published) == defaults.default_rules(version=1)


def test_a_draft_that_raises_the_mql_threshold_previews_the_fall_in_mql_count(intake, mops):
    submit(intake, "sixty@steel.example.in", "pricing_page_visit")  # 60
    submit(intake, "seventy@steel.example.in", "demo_request")  # 70
    submit(intake, "eighty@steel.example.in", "demo_request", "pricing_page_visit")  # 80
    submit(intake, "cold@steel.example.in", "email_open")  # 50, no intent
    v1 = RuleSet.objects.get(version=1)

    clone = mops.post(f"/admin/scoring/ruleset/{v1.pk}/clone/")
    draft = RuleSet.objects.get(version=2)
    assert clone.status_code == 302 and clone["Location"].endswith(f"/admin/scoring/ruleset/{draft.pk}/change/")
    page = mops.get(f"/admin/scoring/ruleset/{draft.pk}/change/")
    data = change_form_data(page)
    data["mql_threshold"] = "80"
    saved = mops.post(f"/admin/scoring/ruleset/{draft.pk}/change/", data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved.content

    resp = mops.get(f"/admin/scoring/ruleset/{draft.pk}/preview/")

    assert resp.status_code == 200
    preview = resp.context["preview"]
    assert (preview.leads, preview.mql_before, preview.mql_after, preview.changed_grade) == (4, 3, 1, 0)
    html = resp.content.decode()
    row = re.sub(r">\s+<", "><", html.split('id="mql-count"')[1].split("</tr>")[0])
    assert "<td>3</td><td>1</td><td>-2</td>" in row
    assert "rescore --all" in html
    assert "Publish v2" in html


def test_a_draft_that_changes_points_previews_grade_counts_before_and_after(intake, mops):
    submit(intake, "seventy@steel.example.in", "demo_request")  # 70 B → 80 A when a demo is worth 30
    submit(intake, "cold@steel.example.in", "email_open")  # 50 C either way
    draft = services.rule_set_clone(rule_set=RuleSet.objects.get(version=1), user=None)
    EngagementRule.objects.filter(rule_set=draft, name="Demo request").update(points=30)

    resp = mops.get(f"/admin/scoring/ruleset/{draft.pk}/preview/")

    preview = resp.context["preview"]
    assert preview.grade_rows() == [("A", 0, 1, 1), ("B", 1, 0, -1), ("C", 1, 1, 0), ("D", 0, 0, 0)]
    assert preview.changed_grade == 1
    assert [(e.email, e.before_grade, e.after_grade) for e in preview.examples] == [
        ("seventy@steel.example.in", "B", "A")
    ]


def test_publishing_archives_the_old_version_and_new_scores_record_the_new_one(intake, mops):
    submit(intake, "seventy@steel.example.in", "demo_request")
    draft = services.rule_set_clone(rule_set=RuleSet.objects.get(version=1), user=None)
    RuleSet.objects.filter(pk=draft.pk).update(mql_threshold=80)

    resp = mops.post(f"/admin/scoring/ruleset/{draft.pk}/publish/")

    assert resp.status_code == 302
    assert dict(RuleSet.objects.values_list("version", "status")) == {1: "archived", 2: "published"}
    assert {"publish", "archive"} <= set(AuditEntry.objects.values_list("action", flat=True))
    old = Lead.objects.get()
    assert old.score_valid_until is not None  # queued for the sweep
    assert services.leads_rescore_due(now=dt.datetime.now(dt.UTC)).loaded == 1
    old.refresh_from_db()
    assert old.score_version == 2
    assert old.stage == "mql"  # became MQL under v1 and keeps its stage
    new = submit(intake, "another@steel.example.in", "demo_request")
    assert (new["score"]["total"], new["stage"]) == (70, "lead")  # 70 < 80 under v2
    assert Lead.objects.get(pk=new["id"]).score_version == 2


def test_published_rules_are_read_only_and_draft_edits_are_audited_with_before_and_after(mops):
    v1 = RuleSet.objects.get(version=1)
    page = mops.get(f"/admin/scoring/ruleset/{v1.pk}/change/")
    assert page.status_code == 200 and "read-only" in page.content.decode()
    assert mops.post(f"/admin/scoring/ruleset/{v1.pk}/change/", change_form_data(page)).status_code == 403
    assert mops.post(f"/admin/scoring/ruleset/{v1.pk}/publish/").status_code == 403

    draft = services.rule_set_clone(rule_set=v1, user=None)
    page = mops.get(f"/admin/scoring/ruleset/{draft.pk}/change/")
    data = change_form_data(page)
    key = next(k for k, v in data.items() if v == "Demo request")
    data[key.replace("-name", "-points")] = "25"
    resp = mops.post(f"/admin/scoring/ruleset/{draft.pk}/change/", data)

    assert resp.status_code == 302
    rule = EngagementRule.objects.get(rule_set=draft, name="Demo request")
    assert rule.points == 25
    entry = AuditEntry.objects.get(object_type="scoring.engagementrule", object_id=str(rule.pk))
    assert entry.action == "change"
    assert (entry.before["points"], entry.after["points"]) == (20, 25)
    assert entry.user.groups.filter(name="marketing_ops").exists()
    assert EngagementRule.objects.get(rule_set=v1, name="Demo request").points == 20


def test_a_draft_without_grade_bands_cannot_be_published():
    draft = services.rule_set_clone(rule_set=RuleSet.objects.get(version=1), user=None)
    draft.grade_bands.all().delete()

    with pytest.raises(ValueError, match="grade"):
        services.rule_set_publish(rule_set=draft, user=None, now=dt.datetime.now(dt.UTC))
    assert RuleSet.objects.get(status="published").version == 1


def test_the_bulk_delete_action_refuses_the_live_set_and_deletes_drafts_with_an_audit_entry(mops):
    v1 = RuleSet.objects.get(version=1)
    draft = services.rule_set_clone(rule_set=v1, user=None)
    delete = {"action": "delete_selected", "post": "yes"}

    refused = mops.post("/admin/scoring/ruleset/", {**delete, "_selected_action": [v1.pk, draft.pk]})
    deleted = mops.post("/admin/scoring/ruleset/", {**delete, "_selected_action": [draft.pk]})

    assert (refused.status_code, deleted.status_code) == (403, 302)
    assert list(RuleSet.objects.values_list("version", flat=True)) == [1]
    assert AuditEntry.objects.filter(action="delete", object_type="scoring.ruleset").count() == 1


def test_on_a_large_table_the_preview_scores_an_even_sample_and_scales_the_counts(intake):
    for i in range(6):
        submit(intake, f"lead{i}@steel.example.in", "demo_request")
    draft = services.rule_set_clone(rule_set=RuleSet.objects.get(version=1), user=None)
    RuleSet.objects.filter(pk=draft.pk).update(mql_threshold=80)
    draft.refresh_from_db()

    preview = selectors.rule_set_preview(rule_set=draft, now=dt.datetime.now(dt.UTC), full_limit=3)

    assert preview.sampled_every == 2
    assert (preview.leads, preview.mql_before, preview.mql_after) == (6, 6, 0)
    assert preview.grades_before["B"] == 6
