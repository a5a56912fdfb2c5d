"""moderation_decisions_total counts committed decisions; moderation_pending is read from the database."""

import pytest
from rest_framework.test import APIClient

from moderation import services
from testkit.metrics import sample, value

pytestmark = pytest.mark.django_db(transaction=True)


def test_decisions_are_counted_by_kind_and_action(user, make_user, make_avatar, make_media):
    staff = make_user(is_staff=True)
    before = {
        (k, a): value("moderation_decisions_total", kind=k, action=a)
        for k, a in [("avatar", "approve"), ("media", "reject"), ("user", "suspend"), ("media", "delete")]
    }
    services.approve(target=make_avatar(user), moderator=staff)
    services.reject(target=make_media(user), moderator=staff, reason="Spam")
    services.suspend_uploads(user=user, moderator=staff, reason="Spam")
    with pytest.raises(services.ReasonRequired):
        services.reject(target=make_media(user, filename="b.png", width=70), moderator=staff, reason="")
    after = {key: value("moderation_decisions_total", kind=key[0], action=key[1]) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        ("avatar", "approve"): 1,
        ("media", "reject"): 1,
        ("user", "suspend"): 1,
        ("media", "delete"): 0,
    }


def test_pending_counts_what_waits(user, make_user, make_avatar, make_media):
    staff = make_user(is_staff=True)
    assert (sample("moderation_pending", kind="avatar"), sample("moderation_pending", kind="media")) == (0, 0)
    avatar = make_avatar(user)
    first, _ = make_media(user), make_media(user, filename="b.png", width=70)
    assert (sample("moderation_pending", kind="avatar"), sample("moderation_pending", kind="media")) == (1, 2)
    services.approve(target=avatar, moderator=staff)
    services.reject(target=first, moderator=staff, reason="Spam")
    assert (sample("moderation_pending", kind="avatar"), sample("moderation_pending", kind="media")) == (0, 1)


def test_pending_is_exported_in_multiprocess_mode(user, make_media, tmp_path, monkeypatch):
    """gunicorn's workers share a metrics folder; the gauge still comes from the database, whoever answers."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    make_media(user)
    text = APIClient().get("/metrics").content.decode()
    assert sample("moderation_pending", text, kind="media") == 1
    assert sample("moderation_pending", text, kind="avatar") == 0
