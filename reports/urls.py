from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/scorecard/", views.scorecard, name="scorecard"),
]
