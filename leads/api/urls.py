from django.urls import path

from . import views

urlpatterns = [
    path("submissions/", views.SubmissionCreateView.as_view(), name="api-submissions"),
    path("events/", views.EventsCreateView.as_view(), name="api-events"),
    path("leads/", views.LeadListView.as_view(), name="api-leads"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="api-lead-detail"),
]
