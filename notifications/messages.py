"""Message builders: one function per message, each testable alone (no sending, no writes).

The MQL alert carries the framework's handoff data package (SPEC S20);
escalation notices carry the framework's escalation template fields (S19).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from .services import Message

IST = ZoneInfo("Asia/Kolkata")
RULE = "─" * 33


def lead_link(lead_id: int) -> str:
    return f"{settings.SITE_URL}/leads/{lead_id}/"


def _local(at: dt.datetime | None) -> str:
    return at.astimezone(IST).strftime("%a %d %b %H:%M IST") if at else "—"


def _duration(td: dt.timedelta) -> str:
    minutes = int(td.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} days" if minutes >= 48 * 60 else f"{minutes // 60} hours"
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes // 60} h {minutes % 60} min"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _trigger(events: Sequence[Any]) -> str:
    # The most recent high-intent event explains why the lead is hot.
    priority = ["demo_request", "pricing_page_visit", "roi_calculator_usage", "case_study_download",
                "webinar_attendance", "content_download"]
    for kind in priority:
        for event in events:
            if event.type == kind:
                return event.get_type_display() + (f" ({event.asset})" if event.asset else "")
    return events[0].get_type_display() if events else "—"


def mql_alert(*, lead: Any, events: Sequence[Any], target: dt.timedelta, due_at: dt.datetime,
              periodic_check: bool = False) -> Message:
    """NEW MQL ALERT with the handoff data package; `events` newest first."""
    name = lead.name or lead.email
    title = "PERIODIC CHECK (GRADE C)" if periodic_check else "NEW MQL ALERT"
    source = str(lead.source) if lead.source_id else "(unknown)"
    recent = [f"• {e.occurred_at.astimezone(IST):%d %b %Y}: {e.get_type_display()}"
              + (f" – {e.asset}" if e.asset else "") for e in events[:3]] or ["• (none recorded)"]
    required = f"REQUIRED: First contact within {_duration(target)} (by {_local(due_at)})"
    link = lead_link(lead.pk)
    lines = [
        title,
        RULE,
        f"Contact: {name}, {lead.title or '—'}",
        f"Email: {lead.email} | Phone: {lead.phone or '—'}",
        f"Company: {lead.company or '—'} | {lead.industry or '—'}",
        f"Lead Score: {lead.score_total} (Fit: {lead.score_fit} / Engagement: {lead.score_engagement})",
        f"Grade: {lead.grade}",
        "",
        f"Source: {source}",
        f"Trigger: {_trigger(events)}",
        "",
        "Recent Engagement:",
        *recent,
        "",
        "Context:",
        lead.context or "—",
        RULE,
        required,
        link,
    ]
    text = "\n".join(lines)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{title}: {name} (Grade {lead.grade})"[:150]}},
        _section(
            f"*Contact:* {name}, {lead.title or '—'}\n*Company:* {lead.company or '—'} | {lead.industry or '—'}\n"
            f"*Lead Score:* {lead.score_total} (Fit: {lead.score_fit} / Engagement: {lead.score_engagement})\n"
            f"*Grade:* {lead.grade}"
        ),
        _section(f"*Source:* {source}\n*Trigger:* {_trigger(events)}"),
        _section("*Recent Engagement:*\n" + "\n".join(recent)),
        _section("*Context:*\n" + (lead.context or "—")),
        _section(f"*{required}*"),
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open lead"},
                                          "url": link}]},
    ]
    return Message(
        subject=f"{title}: {name} – {lead.company or lead.email} (Grade {lead.grade})",
        text=text,
        blocks=blocks,
        link=link,
        data={"lead_id": lead.pk, "grade": lead.grade, "name": name, "company": lead.company, "phone": lead.phone,
              "due_at": due_at.isoformat()},
    )


def breach_warning(*, clock: Any, lead: Any) -> Message:
    left = clock.due_at - (clock.warn_at or clock.due_at)
    text = (f"⏰ {clock.get_kind_display()} for {lead.name or lead.email} ({lead.company or '—'}, Grade {lead.grade}) "
            f"is due at {_local(clock.due_at)} — about {_duration(left)} left.\n{lead_link(lead.pk)}")
    return Message(subject=f"SLA warning: {lead.name or lead.email} due {_local(clock.due_at)}", text=text,
                   blocks=[_section(text)], link=lead_link(lead.pk))


def breach_alert(*, clock: Any, lead: Any, owner: Any) -> Message:
    who = str(owner) if owner else "unassigned"
    text = (f"🚨 SLA BREACHED: {clock.get_kind_display()}\n"
            f"Lead: {lead.name or lead.email} ({lead.company or '—'}, Grade {lead.grade})\n"
            f"Owner: {who}\nStarted: {_local(clock.started_at)}\nDue: {_local(clock.due_at)}\n{lead_link(lead.pk)}")
    return Message(subject=f"SLA breached: {clock.get_kind_display()} – {lead.name or lead.email}", text=text,
                   blocks=[_section(text)], link=lead_link(lead.pk),
                   data={"lead_id": lead.pk, "kind": clock.kind, "due_at": clock.due_at.isoformat()})


def data_incomplete(*, lead: Any, missing: Sequence[str], due_at: dt.datetime) -> Message:
    text = (f"Incomplete MQL data package: {lead.name or lead.email} ({lead.company or '—'}) is missing "
            f"{', '.join(missing)}. Complete it by {_local(due_at)} (5 minutes from MQL).\n{lead_link(lead.pk)}")
    return Message(subject=f"Incomplete MQL: {lead.email} missing {', '.join(missing)}", text=text,
                   blocks=[_section(text)], link=lead_link(lead.pk))


def quality_flag_raised(*, flag: Any, due_at: dt.datetime) -> Message:
    lead = flag.lead
    text = (f"Lead-quality flag from {flag.by or 'an SDR'} on {lead.name or lead.email}: "
            f"{flag.get_kind_display()} — {flag.note}\nRespond by {_local(due_at)}.\n{lead_link(lead.pk)}")
    return Message(subject=f"Lead-quality flag: {lead.email}", text=text, blocks=[_section(text)],
                   link=lead_link(lead.pk))


def handoff_alert(*, handoff: Any, review_due: dt.datetime, decision_due: dt.datetime) -> Message:
    """NEW SQL HANDOFF to the AE: who, what BANT+T said, and the review/decision deadlines (SPEC S17)."""
    lead = handoff.lead
    qual = getattr(lead, "qualification", None) if hasattr(lead, "qualification") else None
    bant = f"BANT+T {qual.total}/15" if qual is not None else "BANT+T not recorded"
    lines = [
        "NEW SQL HANDOFF", RULE,
        f"Contact: {lead.name or lead.email}, {lead.title or '—'}",
        f"Company: {lead.company or '—'} | {lead.industry or '—'}",
        f"Grade: {lead.grade} | {bant}",
        f"From SDR: {handoff.sdr or '—'}",
        RULE,
        f"REQUIRED: Review by {_local(review_due)}; accept or reject by {_local(decision_due)}",
        lead_link(lead.pk),
    ]
    text = "\n".join(lines)
    return Message(subject=f"New SQL handoff: {lead.name or lead.email} – {lead.company or lead.email}", text=text,
                   blocks=[_section(text)], link=lead_link(lead.pk))


def escalation_notice(*, level: int, raised_by: str, date: dt.date, description: str, evidence: str, impact: str,
                      resolution: str, requested_action: str) -> Message:
    """ESCALATION NOTICE with the framework's template fields (SPEC S19)."""
    text = "\n".join([
        "ESCALATION NOTICE", RULE, "",
        f"Issue Type: Level {level}", f"Raised By: {raised_by}", f"Date: {date:%d %b %Y}", "",
        "Issue Description:", description, "", "Data/Evidence:", evidence, "", "Impact:", impact, "",
        "Proposed Resolution:", resolution, "", "Requested Action:", requested_action, RULE,
    ])
    return Message(subject=f"Escalation Level {level}: {description[:120]}", text=text, blocks=[_section(text)])
