"""Thin delivery tasks: load by id, call one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.tasks.deliver", ignore_result=True)
def deliver(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id)


@shared_task(name="notifications.tasks.deliver_due", ignore_result=True)
def deliver_due() -> int:
    return services.notifications_deliver_due()
