import re

from django.urls import re_path

from avatars import conf, views

urlpatterns = [
    re_path(r"^api/v1/profile/me/avatar/?$", views.AvatarView.as_view(), name="avatar"),
    re_path(r"^health/avatar/?$", views.avatar_health, name="avatar-health"),
]

# Local storage is served by the app itself, under AVATAR_BASE_URL (a CDN URL serves itself).
_base = conf.value("AVATAR_BASE_URL").strip("/")
if conf.value("AVATAR_BASE_URL").startswith("/") and _base:
    urlpatterns.append(re_path(rf"^{re.escape(_base)}/(?P<name>.*)$", views.avatar_file, name="avatar-file"))
