"""Scoring's background work (thin: each task calls one service)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import services

log = logging.getLogger(__name__)


@shared_task(name="scoring.tasks.rescore_due")
def rescore_due() -> int:
    """Decay (S11): rescore one batch of leads whose score is due to change; re-queue if more are due."""
    result = services.leads_rescore_due(now=timezone.now())
    if result.more:
        try:
            rescore_due.delay()
        except Exception:
            # Beat runs this again within a minute; nothing is lost.
            log.warning("Could not re-queue rescore_due; beat will pick up the rest", exc_info=True)
    return result.loaded
