"""Routes of API.md; each answers with and without a trailing slash, with no redirect."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from persona_media import views

app_name = "persona_media"

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("api/v1/personas", views.PersonaViewSet, basename="persona")

urlpatterns = [
    re_path(r"^upload/persona/(?P<persona_id>\d+)/image/?$", views.ImageUploadView.as_view(), name="upload-image"),
    re_path(r"^upload/persona/(?P<persona_id>\d+)/video/?$", views.VideoUploadView.as_view(), name="upload-video"),
    re_path(
        r"^upload/persona/(?P<persona_id>\d+)/files/?$", views.PersonaMediaListView.as_view(), name="persona-files"
    ),
    re_path(r"^upload/files/(?P<pk>\d+)/?$", views.MediaFileView.as_view(), name="file-detail"),
    re_path(r"^upload/files/(?P<pk>\d+)/download/?$", views.MediaDownloadView.as_view(), name="file-download"),
    re_path(r"^upload/files/(?P<pk>\d+)/preview/?$", views.MediaPreviewView.as_view(), name="file-preview"),
    re_path(r"^upload/stats/?$", views.MediaStatsView.as_view(), name="stats"),
    *router.urls,
]
