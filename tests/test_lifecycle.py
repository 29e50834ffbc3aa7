"""The lead lifecycle through its services (SPEC S2, S4, S6, S13, S16, S17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads import services
from leads.models import Attempt, Event, Handoff, Lead, Stage, StageChange
from leads.services import Actor

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def make_mql(email: str = "lead@acme.example.in", owner=None) -> Lead:  # type: ignore[no-untyped-def]
    lead = Lead.objects.create(email=email, first_name="Asha", company="Acme Steel", owner=owner, grade="A")
    services.lead_change_stage(lead=lead, to_stage=Stage.MQL, actor=Actor.system(), reason="test MQL", now=NOW)
    return lead


def qualify(lead: Lead, sdr, scores=None) -> None:  # type: ignore[no-untyped-def]
    services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome="connected", now=NOW)
    services.lead_accept(lead=lead, user=sdr, now=NOW)
    services.discovery_record(lead=lead, user=sdr, at=NOW, now=NOW)
    scores = scores or {"budget": 2, "authority": 2, "need": 3, "timeline": 2, "trigger": 2}
    services.qualification_save(lead=lead, user=sdr, scores=scores, notes={k: "noted" for k in scores}, now=NOW)


def disposition_qualified(lead: Lead, sdr) -> None:  # type: ignore[no-untyped-def]
    services.disposition_record(
        lead=lead, user=sdr, kind="qualified", summary="Discovery done", reason="Meets BANT+T",
        next_steps="AE demo", now=NOW,
    )


def test_a_stage_change_stamps_the_stage_date_and_writes_history_with_actor_and_reason():
    lead = make_mql()

    change = StageChange.objects.get(lead=lead)
    assert lead.stage == "mql" and lead.mql_at == NOW and lead.mql_grade == "A"
    assert (change.from_stage, change.to_stage) == ("lead", "mql")
    assert (change.actor_kind, change.reason) == ("system", "test MQL")


def test_an_mql_cannot_be_accepted_before_an_attempt(make_user):
    sdr = make_user("sdr")
    lead = make_mql(owner=sdr)

    with pytest.raises(ValidationError) as err:
        services.lead_accept(lead=lead, user=sdr, now=NOW)

    assert "attempts" in err.value.message_dict
    services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome="no_answer", now=NOW)
    services.lead_accept(lead=lead, user=sdr, now=NOW)
    lead.refresh_from_db()
    assert lead.stage == "sal" and lead.sal_at == NOW


def test_attempts_keep_the_crm_counters(make_user):
    sdr = make_user("sdr")
    lead = make_mql(owner=sdr)
    later = NOW + dt.timedelta(hours=2)

    services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome="no_answer", now=NOW)
    services.attempt_log(lead=lead, sdr=sdr, channel="email", outcome="sent", now=later)

    lead.refresh_from_db()
    assert (lead.first_attempt_at, lead.last_attempt_at, lead.total_attempts) == (NOW, later, 2)
    assert lead.connected_at is None


def test_qualified_is_refused_with_every_missing_piece_named(make_user):
    sdr = make_user("sdr")
    lead = make_mql(owner=sdr)
    services.attempt_log(lead=lead, sdr=sdr, channel="phone", outcome="connected", now=NOW)
    services.lead_accept(lead=lead, user=sdr, now=NOW)
    services.qualification_save(
        lead=lead, user=sdr, scores={"budget": 0, "authority": 3, "need": 3, "timeline": 2, "trigger": 1},
        notes={"authority": "CFO", "need": "detention", "timeline": "Q1", "trigger": "new plant"}, now=NOW,
    )

    with pytest.raises(ValidationError) as err:
        disposition_qualified(lead, sdr)

    message = err.value.message_dict["kind"][0]
    assert "discovery call" in message
    assert "Budget" in message
    assert "9/15" in message
    assert not Handoff.objects.exists()


def test_qualified_creates_a_handoff_to_an_ae_and_moves_to_sql(make_user):
    sdr, ae = make_user("sdr"), make_user("ae")
    lead = make_mql(owner=sdr)
    qualify(lead, sdr)

    disposition_qualified(lead, sdr)

    lead.refresh_from_db()
    handoff = Handoff.objects.get(lead=lead)
    assert lead.stage == "sql" and lead.sql_at == NOW
    assert (handoff.sdr, handoff.ae, handoff.decision) == (sdr, ae, "pending")


@pytest.mark.parametrize(
    ("kind", "extra", "missing"),
    [
        ("disqualified", {}, "reason_code"),
        ("nurture", {}, "reengage_on"),
        ("unable_to_reach", {"reason": ""}, "reason"),
        ("nurture", {"summary": "  ", "reengage_on": dt.date(2027, 1, 1)}, "summary"),
        ("disqualified", {"next_steps": "", "reason_code": "bad_fit"}, "next_steps"),
    ],
)
def test_dispositions_require_summary_reason_next_steps_and_their_extras(make_user, kind, extra, missing):
    sdr = make_user("sdr")
    lead = make_mql(owner=sdr)
    fields = {"summary": "Spoke twice", "reason": "Too small", "next_steps": "Recycle", **extra}

    with pytest.raises(ValidationError) as err:
        services.disposition_record(lead=lead, user=sdr, kind=kind, now=NOW, **fields)

    assert missing in err.value.message_dict
    lead.refresh_from_db()
    assert lead.stage == "mql"


def test_nurture_enrols_the_lead_and_keeps_the_reengagement_date(make_user):
    sdr = make_user("sdr")
    lead = make_mql(owner=sdr)

    services.disposition_record(
        lead=lead, user=sdr, kind="nurture", summary="Interested, not now", reason="Budget next FY",
        next_steps="Check in April", reengage_on=dt.date(2027, 4, 1), now=NOW,
    )

    lead.refresh_from_db()
    assert lead.stage == "nurture" and lead.nurture_enrolled_at == NOW
    assert lead.reengage_on == dt.date(2027, 4, 1) and lead.disposition == "nurture"


def test_the_system_can_disposition_unable_to_reach(make_user):
    lead = make_mql(owner=make_user("sdr"))

    services.disposition_record(
        lead=lead, user=None, kind="unable_to_reach", summary="8 attempts, no answer",
        reason="No response", next_steps="Auto-nurture", now=NOW,
    )

    last = StageChange.objects.filter(lead=lead).last()
    assert (last.to_stage, last.actor_kind) == ("nurture", "system")


def test_an_ae_accept_opens_an_opportunity_with_its_amount(make_user):
    sdr, ae = make_user("sdr"), make_user("ae")
    lead = make_mql(owner=sdr)
    qualify(lead, sdr)
    disposition_qualified(lead, sdr)
    handoff = Handoff.objects.get()

    opp = services.handoff_accept(handoff=handoff, user=ae, amount_lakh=Decimal("42.5"), demo_at=None, now=NOW)

    lead.refresh_from_db()
    assert lead.stage == "opportunity" and opp.amount_lakh == Decimal("42.5")
    services.opportunity_close(opportunity=opp, user=ae, won=True, amount_lakh=None, now=NOW)
    lead.refresh_from_db()
    assert lead.stage == "customer" and lead.opportunity.won_amount_lakh == Decimal("42.5")


@pytest.mark.parametrize(
    ("category", "recommendation", "stage", "flag"),
    [
        ("misqualified", "requalify", "sal", "coaching_flag"),
        ("wrong_fit", "disqualify", "disqualified", "fit_review_flag"),
        ("not_ready", "requalify", "nurture", None),
    ],
)
def test_an_ae_rejection_runs_its_category_action(make_user, category, recommendation, stage, flag):
    sdr, ae = make_user("sdr"), make_user("ae")
    lead = make_mql(owner=sdr)
    qualify(lead, sdr)
    disposition_qualified(lead, sdr)
    handoff = Handoff.objects.get()

    services.handoff_reject(
        handoff=handoff, user=ae, category=category, reason="No budget owner", recommendation=recommendation, now=NOW
    )

    lead.refresh_from_db()
    handoff.refresh_from_db()
    assert lead.stage == stage
    assert handoff.decision == "rejected" and handoff.feedback_call_due_at == NOW + dt.timedelta(hours=48)
    if flag:
        assert getattr(lead, flag) is True


def test_a_rejection_without_reason_or_competitor_is_refused(make_user):
    sdr, ae = make_user("sdr"), make_user("ae")
    lead = make_mql(owner=sdr)
    qualify(lead, sdr)
    disposition_qualified(lead, sdr)
    handoff = Handoff.objects.get()

    with pytest.raises(ValidationError) as err:
        services.handoff_reject(
            handoff=handoff, user=ae, category="competitor_committed", reason="", recommendation="", now=NOW
        )

    assert {"reason", "recommendation", "competitor"} <= set(err.value.message_dict)
    handoff.refresh_from_db()
    assert handoff.decision == "pending"


def test_already_in_pipeline_merges_the_duplicate_keeping_events_attempts_and_history(make_user):
    sdr, ae = make_user("sdr"), make_user("ae")
    existing = make_mql("existing@acme.example.in", owner=sdr)
    Event.objects.create(lead=existing, type="demo_request", occurred_at=NOW)
    dup = make_mql("dup@acme.example.in", owner=sdr)
    Event.objects.create(lead=dup, type="pricing_page_visit", occurred_at=NOW)
    qualify(dup, sdr)
    disposition_qualified(dup, sdr)
    handoff = Handoff.objects.get(lead=dup)
    history_before = StageChange.objects.count()

    services.handoff_reject(
        handoff=handoff, user=ae, category="already_in_pipeline", reason="Same buying group",
        recommendation="disqualify", duplicate_of=existing, now=NOW,
    )

    dup.refresh_from_db()
    existing.refresh_from_db()
    assert dup.merged_into == existing and dup.stage == "disqualified"
    assert sorted(existing.events.values_list("type", flat=True)) == ["demo_request", "pricing_page_visit"]
    assert Attempt.objects.filter(lead=existing).count() == 1 and existing.total_attempts == 1
    # every earlier history row survives (moved to the survivor) and the merge adds its own
    assert StageChange.objects.count() == history_before + 1
    assert Event.objects.count() == 2


def test_quality_flags_need_a_note(make_user):
    sdr = make_user("sdr")
    lead = make_mql(owner=sdr)

    with pytest.raises(ValidationError):
        services.quality_flag_raise(lead=lead, user=sdr, kind="incorrect_data", note=" ", now=timezone.now())
    flag = services.quality_flag_raise(lead=lead, user=sdr, kind="incorrect_data", note="Wrong phone", now=NOW)
    assert flag.lead == lead and flag.responded_at is None
