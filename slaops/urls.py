from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import home

from .views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("leads.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("", include("leads.urls")),
    path("", include("reports.urls")),
]

# Failures outside any view still answer JSON under /api/ (see slaops.api).
handler500 = "slaops.api.server_error"
handler404 = "slaops.api.page_not_found"
