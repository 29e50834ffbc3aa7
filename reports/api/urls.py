from django.urls import path

from . import views

urlpatterns = [
    path("reports/scorecard/", views.ScorecardView.as_view(), name="api-reports-scorecard"),
    path("reports/<slug:key>/", views.ReportView.as_view(), name="api-reports-report"),
]
