"""The reports endpoint: `path("", include("moderation.urls"))`; answers with and without a trailing slash."""

from django.urls import re_path

from moderation import views

app_name = "moderation"

urlpatterns = [
    re_path(r"^api/v1/reports/?$", views.ReportView.as_view(), name="reports"),
]
