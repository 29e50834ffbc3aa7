from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/scorecard/", views.scorecard, name="scorecard"),
    path("reports/agreement/", views.agreement, name="agreement"),
    path("reports/recalibration/", views.recalibration, name="recalibration"),
    path("reports/escalations/", views.report, {"key": "escalations"}, name="escalations"),
    path("reports/<slug:key>/", views.report, name="report"),
]
