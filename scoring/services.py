"""Scoring writes: compute a lead's score and apply what follows from it (SPEC S3, S7–S12)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leads.models import Lead
    from leads.services import Actor


def lead_rescore(*, lead: Lead, now: dt.datetime, actor: Actor) -> None:
    """Recompute the lead's score, grade and valid_until; move it to MQL when S3 holds."""


def leads_score_bulk(*, now: dt.datetime, progress: bool = False) -> int:
    """Score every lead's columns in bulk, without lifecycle side effects (used by seed_demo)."""
    return 0
