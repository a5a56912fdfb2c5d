from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.views import admin_login
from critvue import health, metrics

urlpatterns = [
    path("admin/login/", admin_login),  # the admin's own login view, behind the login throttle
    path("admin/", admin.site.urls),
    re_path(r"^health/?$", health.health, name="health"),
    re_path(r"^health/avatar/?$", health.avatar_health, name="avatar-health"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^metrics/?$", metrics.metrics_view, name="metrics"),
    path("", include("accounts.urls")),
    path("", include("avatars.urls")),
    path("", include("persona_media.urls")),
    path("", include("moderation.urls")),  # POST /api/v1/reports
]

handler400 = "critvue.exceptions.bad_request"
handler403 = "critvue.exceptions.permission_denied"
handler404 = "critvue.exceptions.page_not_found"
handler500 = "critvue.exceptions.server_error"
