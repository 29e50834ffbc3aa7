"""Message content for scheduled reports: one function per message, testable alone."""

from __future__ import annotations

from typing import Any

from notifications.services import Message

from .models import Escalation


def fmt_value(value: float | int | None, unit: str) -> str:
    """How a metric reads to people: rates as %, money in ₹ lakh; nothing to measure is '—'."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value:.0%}" if value * 100 == int(value * 100) else f"{value:.1%}"
    if unit == "lakh":
        return f"₹{value:,.2f}L"
    if unit == "minutes":
        return f"{value:g} min"
    if unit == "days":
        return f"{value:g} days"
    return f"{value:g}"


UNITS = {
    "mqls_generated": "count", "mql_acceptance_rate": "rate", "pipeline_sourced": "lakh", "grade_a_share": "rate",
    "data_quality": "rate", "speed_to_lead_avg_min": "minutes", "follow_up_compliance": "rate",
    "sqls_created": "count", "mql_to_sql_rate": "rate", "sql_rejection_rate": "rate", "new_pipeline": "lakh",
    "marketing_sourced_pipeline": "lakh", "velocity_days": "days", "marketing_sla_compliance": "rate",
    "sales_sla_compliance": "rate",
}  # fmt: skip


def scorecard_message(data: dict[str, Any], link: str) -> Message:
    """The framework's weekly scorecard as Slack blocks and plain text."""
    lines = [f"MARKETING-SALES ALIGNMENT SCORECARD — week of {data['start']} ({data['week']})"]
    for row in data["metrics"]:
        unit = UNITS.get(row["key"], "count")
        target = "" if row["target"] is None else f" (target {fmt_value(row['target'], unit)})"
        lines.append(f"• {row['label']}: {fmt_value(row['actual'], unit)}{target} [{row['status']}]")
    lines.append(f"Overall health: {data['health']}")
    for cond in data.get("level3", []):
        lines.append(f"⚠ Level 3: {cond}")
    text = "\n".join(lines) + (f"\n{link}" if link else "")
    title = f"Weekly scorecard {data['week']}: {data['health']}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines[1:])[:2900]}},
    ]
    if link:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{link}|Open the scorecard>"}})
    return Message(subject=title, text=text, blocks=blocks, link=link)


def daily_report_message(data: dict[str, Any], link: str) -> Message:
    s = data["summary"]
    by_grade = ", ".join(f"{g}: {n}" for g, n in s["new_mqls_by_grade"].items())
    text = (
        f"Daily report {data['period']['label']}\n"
        f"New MQLs by grade: {by_grade or 'none'}\n"
        f"Open MQLs past SLA: {s['open_past_sla']}\n"
        f"Speed-to-lead violations: {s['speed_violations']}" + (f"\n{link}" if link else "")
    )
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return Message(subject=f"Daily report {data['period']['label']}", text=text, blocks=blocks, link=link)


def escalation_message(esc: Escalation, link: str) -> Message:
    """The framework's escalation template."""
    text = (
        "ESCALATION NOTICE\n"
        f"Issue Type: Level {esc.level}\nRaised By: {esc.raised_by}\nDate: {esc.raised_at:%Y-%m-%d}\n\n"
        f"Issue Description:\n{esc.description}\n\nData/Evidence:\n{esc.evidence}\n\n"
        f"Impact:\n{esc.impact}\n\nProposed Resolution:\n{esc.proposed_resolution}\n\n"
        f"Requested Action:\n{esc.requested_action}" + (f"\n{link}" if link else "")
    )
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}]
    return Message(subject=f"Escalation L{esc.level}: {esc.description[:80]}", text=text, blocks=blocks, link=link)
