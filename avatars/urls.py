import re

from django.urls import re_path
from django.utils.functional import lazy

from avatars import conf, views

app_name = "avatars"


def _file_route() -> str:
    """Local files are served under AVATAR_BASE_URL, read when the URLs are first resolved (not at import).

    An absolute AVATAR_BASE_URL (a CDN) serves itself: the route then matches nothing.
    """
    base = conf.base_url()
    if not base.startswith("/") or not base.strip("/"):
        return r"(?!)"
    return rf"^{re.escape(base.strip('/'))}/(?P<name>.*)$"


urlpatterns = [
    re_path(r"^api/v1/profile/me/avatar/?$", views.AvatarView.as_view(), name="avatar"),
    re_path(r"^api/v1/avatars/(?P<pk>\d+)/pending-preview/?$", views.pending_preview, name="pending-preview"),
    re_path(lazy(_file_route, str)(), views.avatar_file, name="avatar-file"),
]
