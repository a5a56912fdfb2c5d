"""What waits, on the admin's index and side bar: "Avatars — 3 waiting", "Reports — 2 open"."""

from functools import wraps

from django.db import DatabaseError

from mediakit import review
from mediakit.review import Status
from moderation.models import Report


def waiting_counts() -> dict[str, int]:
    """Items waiting per model label ("avatars.avatar"), and open reports: one count query each."""
    counts = {
        r.model._meta.label_lower: r.model._default_manager.filter(moderation_status=Status.PENDING).count()
        for r in review.reviewables()
    }
    counts[Report._meta.label_lower] = (
        Report.objects.filter(status=Report.Status.OPEN).values("kind", "target_id").distinct().count()
    )
    return counts


def _labelled(app_list: list[dict], counts: dict[str, int]) -> list[dict]:
    for app in app_list:
        for model in app["models"]:
            count = counts.get(model["model"]._meta.label_lower)
            if count:
                noun = "open" if model["model"] is Report else "waiting"
                model["name"] = f"{model['name']} — {count} {noun}"
    return app_list


def count_in_app_list(site) -> None:
    """Wrap the site's get_app_list (used by its index and every page's side bar) once."""
    original = site.get_app_list
    if getattr(original, "counts_waiting", False):
        return

    @wraps(original)
    def get_app_list(request, app_label=None):
        app_list = original(request, app_label)
        if not request.user.has_perm("moderation.moderate"):
            return app_list
        try:
            return _labelled(app_list, waiting_counts())
        except DatabaseError:  # the index still opens while the database struggles, without counts
            return app_list

    get_app_list.counts_waiting = True  # type: ignore[attr-defined]  # the mark that it is wrapped
    site.get_app_list = get_app_list
