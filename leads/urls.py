"""Browser pages for SDRs and AEs (queue, lead page, handoffs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("leads/<int:pk>/", views.lead_detail, name="lead"),
    path("leads/<int:pk>/attempt/", views.lead_attempt, name="lead-attempt"),
    path("leads/<int:pk>/accept/", views.lead_accept, name="lead-accept"),
    path("leads/<int:pk>/discovery/", views.lead_discovery, name="lead-discovery"),
    path("leads/<int:pk>/qualification/", views.lead_qualification, name="lead-qualification"),
    path("leads/<int:pk>/disposition/", views.lead_disposition, name="lead-disposition"),
    path("leads/<int:pk>/flag/", views.lead_flag, name="lead-flag"),
    path("handoffs/", views.handoffs, name="handoffs"),
    path("handoffs/<int:pk>/", views.handoff_detail, name="handoff"),
    path("handoffs/<int:pk>/accept/", views.handoff_accept, name="handoff-accept"),
    path("handoffs/<int:pk>/reject/", views.handoff_reject, name="handoff-reject"),
    path("handoffs/<int:pk>/demo/", views.handoff_demo, name="handoff-demo"),
    path("handoffs/<int:pk>/feedback/", views.handoff_feedback, name="handoff-feedback"),
    path("handoffs/<int:pk>/close/", views.handoff_close, name="handoff-close"),
]
