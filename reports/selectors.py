"""Reads for report pages and endpoints: parse the requested period, build the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from .messages import UNITS, fmt_value
from .models import WeeklyResult
from .periods import BadPeriod, Period, parse, parse_week
from .reports import REPORTS, default_period


def requested_week(text: str | None, now: dt.datetime) -> Period:
    """The `week` parameter, or the last complete week when absent; BadPeriod when malformed."""
    if text is None or text == "":
        return default_period("week", now)
    return parse_week(text)


def requested_period(kind: str, params: dict[str, str], now: dt.datetime) -> Period:
    param = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}[kind]
    text = params.get(param)
    return default_period(kind, now) if not text else parse(kind, text)


def build_report(key: str, period: Period, now: dt.datetime) -> dict[str, Any]:
    return {**REPORTS[key].build(period, now=now), "report": key}


def weekly_history(before: Period, weeks: int = 12) -> list[WeeklyResult]:
    """Stored results of the `weeks` weeks ending with `before`, oldest first (for trend charts)."""
    labels, p = [before.label], before
    for _ in range(weeks - 1):
        p = p.previous()
        labels.append(p.label)
    return sorted(WeeklyResult.objects.filter(week__in=labels), key=lambda r: r.start)


def report_csv(data: dict[str, Any]) -> str:
    """Every table of a report, one after the other, each under its title row."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([data["title"], data["period"]["label"], data["period"]["start"], data["period"]["end"]])
    for table in data["tables"]:
        w.writerow([])
        w.writerow([table["title"]])
        w.writerow([label for _, label in table["columns"]])
        for row in table["rows"]:
            w.writerow(["" if row.get(k) is None else row.get(k) for k, _ in table["columns"]])
    return out.getvalue()


def scorecard_csv(card: Any) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    wk = card.week
    w.writerow(["week", wk.label, "start", wk.first_day, "end", wk.last_day, "health", card.health])
    w.writerow(["section", "key", "label", "actual", "target", "status", "shown as", "note", "definition"])
    for row in card.metrics:
        w.writerow([row.section, row.key, row.label, "" if row.actual is None else row.actual,
                    "" if row.target is None else row.target, row.status,
                    fmt_value(row.actual, UNITS[row.key]), row.note, row.definition])  # fmt: skip
    w.writerow([])
    w.writerow(["criterion side", "criterion", "met", "actual"])
    for c in card.criteria:
        w.writerow([c.side, c.label, {True: "yes", False: "no", None: "—"}[c.met], c.detail])
    return out.getvalue()


__all__ = ["BadPeriod", "requested_week", "requested_period", "build_report", "report_csv", "scorecard_csv"]
