"""Thin SLA tasks: the beat sweep that records breaches within seconds of their due time (SPEC S18)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="sla.tasks.sweep_clocks", ignore_result=True)
def sweep_clocks() -> dict[str, int]:
    return services.clocks_sweep(now=timezone.now())
