"""Browser pages for SDRs and AEs (queue, lead page, handoffs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("handoffs/", views.handoffs, name="handoffs"),
]
