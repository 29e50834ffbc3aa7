"""The Celery app. Tasks are thin: they load rows by id and call one service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slaops.settings")

app = Celery("slaops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
