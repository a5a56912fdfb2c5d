from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("avatars.urls")),
    path("", include("persona_media.urls")),
    path("", include("moderation.urls")),  # POST /api/v1/reports
]
