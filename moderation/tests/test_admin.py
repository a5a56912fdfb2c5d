"""Every moderation action in the admin, through Django's test client, as a member of Moderators only."""

import re

import pytest

from avatars.models import Avatar
from moderation.models import ModerationEvent, UploadSuspension
from persona_media.models import MediaFile
from testkit import storage

pytestmark = pytest.mark.django_db(transaction=True)

AVATAR_QUEUE = "/admin/avatars/avatar/"
MEDIA_QUEUE = "/admin/persona_media/mediafile/"
EVENTS = "/admin/moderation/moderationevent/"
USERS = "/admin/accounts/user/"


def rows(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", html, re.S)


def emails_in_order(html: str, *names: str) -> list[str]:
    order = [m.group(1) for m in re.finditer(rf"({'|'.join(names)})@example\.com", html)]
    return [email for i, email in enumerate(order) if email not in order[:i]]


def test_avatar_queue_opens_on_pending_oldest_first_with_previews(mod_client, make_user, make_avatar, mod_user):
    from moderation import services

    old, new, done = (
        make_avatar(make_user(email=f"{n}@example.com"), seed=i) for i, n in enumerate(["old", "new", "done"], 1)
    )
    services.approve(target=done, moderator=mod_user)
    response = mod_client.get(AVATAR_QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert emails_in_order(html, "old", "new", "done") == ["old", "new"]  # what waits, the longest waiting first
    assert "<title>Avatars waiting for review (2) |" in html
    assert f'<img src="/admin/avatars/avatar/{old.pk}/image/small/" width="64" height="64"' in html
    assert "600x400" in html and re.search(r"\d+(\.\d)?\xa0KB", html)
    # Decided items are one filter away; "All" is a choice of its own.
    assert emails_in_order(
        mod_client.get(AVATAR_QUEUE, {"status": "approved"}).content.decode(), "old", "new", "done"
    ) == ["done"]
    assert (
        len(emails_in_order(mod_client.get(AVATAR_QUEUE, {"status": "all"}).content.decode(), "old", "new", "done"))
        == 3
    )


def test_media_queue_shows_preview_owner_persona_size_and_dimensions(mod_client, user, make_media):
    media = make_media(user, persona_name="Stage name", filename="holiday.png", width=64)
    html = mod_client.get(MEDIA_QUEUE).content.decode().replace("<wbr>", "")  # the text a moderator reads
    assert f"/admin/persona_media/mediafile/{media.pk}/preview/" in html
    assert all(
        text in html
        for text in (
            user.email,
            "Stage name",
            "holiday.png",
            "64x48",
            "\xa0bytes" if media.size_bytes < 1024 else "\xa0KB",
        )
    )
    preview = mod_client.get(f"/admin/persona_media/mediafile/{media.pk}/preview/")
    assert preview.status_code == 200 and b"".join(preview.streaming_content) == storage.stored_bytes(
        "persona_media", media.preview_name
    )  # the preview, never the original


def test_approve_action_needs_no_delete_right(mod_client, mod_user, user, make_avatar, make_media):
    avatar, media = make_avatar(user), make_media(user)
    assert not mod_user.has_perm("avatars.delete_avatar")
    response = mod_client.post(AVATAR_QUEUE, {"action": "approve", "_selected_action": [avatar.pk]})
    assert response.status_code == 302
    response = mod_client.post(MEDIA_QUEUE, {"action": "approve", "_selected_action": [media.pk]})
    assert response.status_code == 302
    assert Avatar.objects.get().moderation_status == MediaFile.objects.get().moderation_status == "approved"
    assert sorted(ModerationEvent.objects.values_list("target_kind", "action", "moderator_email")) == [
        ("avatar", "approve", "mod@example.com"),
        ("media", "approve", "mod@example.com"),
    ]


def test_reject_asks_for_a_reason_first(mod_client, user, make_media):
    media = make_media(user, filename="bad.png")
    chosen = {"action": "reject", "_selected_action": [media.pk]}
    page = mod_client.post(MEDIA_QUEUE, chosen)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reject this media file: why?" in html and "Spam or advertising" in html and 'name="details"' in html
    assert "Not a picture of a person" not in html  # an avatar's reason, not a media file's
    assert "Their files are deleted at once" in html and f"/admin/persona_media/mediafile/{media.pk}/preview/" in html
    assert "bad.png" in html

    refused = mod_client.post(MEDIA_QUEUE, {**chosen, "apply": "1", "preset": "", "details": "  "})
    assert refused.status_code == 200 and refused.content.decode().count("Choose a reason or write one.") == 1
    assert MediaFile.objects.get().moderation_status == "pending" and not ModerationEvent.objects.exists()

    done = mod_client.post(
        MEDIA_QUEUE, {**chosen, "apply": "1", "preset": "Spam or advertising", "details": "Links to a shop"}
    )
    assert done.status_code == 302
    media.refresh_from_db()
    assert (media.moderation_status, media.moderation_reason) == ("rejected", "Spam or advertising: Links to a shop")
    assert storage.stored_names("persona_media") == set()
    assert ModerationEvent.objects.get().reason == "Spam or advertising: Links to a shop"


def test_reject_avatars_in_bulk_with_free_text(mod_client, make_user, make_avatar):
    avatars = [make_avatar(make_user(), seed=i) for i in (1, 2)]
    response = mod_client.post(
        AVATAR_QUEUE,
        {"action": "reject", "_selected_action": [a.pk for a in avatars], "apply": "1", "details": "Not a face"},
    )
    assert response.status_code == 302
    assert set(Avatar.objects.values_list("moderation_status", "moderation_reason")) == {("rejected", "Not a face")}
    assert storage.stored_names("avatars") == set() and ModerationEvent.objects.count() == 2


def test_queues_offer_no_add_change_or_delete(mod_client, user, make_avatar):
    avatar = make_avatar(user)
    assert mod_client.get(f"{AVATAR_QUEUE}add/").status_code == 403
    assert mod_client.get(f"{AVATAR_QUEUE}{avatar.pk}/delete/").status_code == 403
    html = mod_client.get(AVATAR_QUEUE).content.decode()
    assert 'value="approve"' in html and 'value="reject"' in html and 'value="delete_selected"' not in html
    assert mod_client.get(f"{AVATAR_QUEUE}{avatar.pk}/change/").status_code == 200  # read-only details


def test_moderators_cannot_remove_an_avatar_outright(mod_client, user, make_avatar):
    avatar = make_avatar(user)
    assert 'value="delete_selected"' not in mod_client.get(AVATAR_QUEUE).content.decode()
    assert mod_client.post(
        AVATAR_QUEUE, {"action": "delete_selected", "_selected_action": [avatar.pk], "post": "yes"}
    ).status_code in (200, 302)
    assert Avatar.objects.filter(pk=avatar.pk).exists()


def test_remove_avatar_confirms_then_records(moderator, user, make_avatar):
    avatar = make_avatar(user)
    chosen = {"action": "delete_selected", "_selected_action": [avatar.pk]}
    page = moderator.post(AVATAR_QUEUE, chosen)
    assert page.status_code == 200 and "Delete multiple objects" in page.content.decode()
    assert Avatar.objects.exists()
    assert moderator.post(AVATAR_QUEUE, {**chosen, "post": "yes"}).status_code == 302
    assert not Avatar.objects.exists() and storage.stored_names("avatars") == set()
    assert ModerationEvent.objects.get().action == "remove"


def test_deleting_a_media_file_in_its_admin_is_recorded(moderator, user, make_media):
    media = make_media(user)
    assert moderator.post(f"/admin/persona_media/mediafile/{media.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not MediaFile.objects.exists() and storage.stored_names("persona_media") == set()
    assert ModerationEvent.objects.get().action == "delete"


def test_suspend_asks_why_and_restore_undoes_it(mod_client, make_user):
    target = make_user(email="spammer@example.com")
    chosen = {"_selected_action": [target.pk]}
    page = mod_client.post(USERS, {**chosen, "action": "suspend_uploads"})
    assert page.status_code == 200 and "Suspend uploads: why?" in page.content.decode()
    assert (
        mod_client.post(
            USERS, {**chosen, "action": "suspend_uploads", "apply": "1", "details": "Uploads spam daily"}
        ).status_code
        == 302
    )
    assert UploadSuspension.objects.get(user=target).reason == "Uploads spam daily"
    assert mod_client.post(USERS, {**chosen, "action": "restore_uploads"}).status_code == 302
    assert not UploadSuspension.objects.exists()
    assert list(ModerationEvent.objects.order_by("id").values_list("action", "reason")) == [
        ("suspend", "Uploads spam daily"),
        ("restore", ""),
    ]


def test_user_page_links_to_avatar_personas_and_media_with_thumbnails(mod_client, user, make_avatar, make_media):
    avatar, media = make_avatar(user), make_media(user, persona_name="Stage name")
    html = mod_client.get(f"{USERS}{user.pk}/change/").content.decode()
    assert f'href="{AVATAR_QUEUE}{avatar.pk}/change/"' in html
    assert f'<img src="/admin/avatars/avatar/{avatar.pk}/image/small/" width="64"' in html
    assert f'href="/admin/persona_media/persona/{media.persona_id}/change/">Stage name</a>' in html
    assert f'href="{MEDIA_QUEUE}{media.pk}/change/"' in html
    assert f"/admin/persona_media/mediafile/{media.pk}/preview/" in html


@pytest.fixture
def events(mod_user, make_user, make_media):
    from moderation import services

    alice, bob = make_user(email="alice@example.com"), make_user(email="bob@example.com")
    services.reject(
        target=make_media(alice, persona_name="Painter", filename="sunset.png"), moderator=mod_user, reason="Spam"
    )
    services.approve(target=make_media(bob, persona_name="Singer", filename="stage.png"), moderator=mod_user)
    services.suspend_uploads(user=bob, moderator=mod_user, reason="Abuse")
    return alice, bob


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "alice@example.com"}, {"sunset.png"}),
        ({"q": "Singer"}, {"stage.png"}),
        ({"q": "stage.png"}, {"stage.png"}),
        ({"q": "mod@example.com"}, {"sunset.png", "stage.png", "Uploads of bob"}),
        ({"action__exact": "reject"}, {"sunset.png"}),
        ({"target_kind__exact": "user"}, {"Uploads of bob"}),
    ],
)
def test_audit_log_search_and_filters(mod_client, events, query, expected):
    response = mod_client.get(EVENTS, query)
    assert response.status_code == 200
    html = response.content.decode().replace("<wbr>", "")  # long names may wrap after their separators
    found = {text for text in ("sunset.png", "stage.png", "Uploads of bob") if text in html}
    assert found == expected


@pytest.mark.parametrize("as_superuser", [False, True])
def test_audit_log_cannot_be_added_changed_or_deleted(as_superuser, mod_client, moderator, events):
    client = moderator if as_superuser else mod_client
    event = ModerationEvent.objects.order_by("id").first()
    page = client.get(f"{EVENTS}{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"{EVENTS}{event.pk}/change/", {"reason": "edited"}).status_code == 403
    assert client.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{EVENTS}add/").status_code == 403
    assert client.post(
        EVENTS, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    ).status_code in (200, 302)
    assert ModerationEvent.objects.count() == 3 and ModerationEvent.objects.get(pk=event.pk).reason == "Spam"


def test_the_details_page_decides_on_its_one_row(mod_client, user, make_media, make_user):
    media, other = make_media(user, filename="one.png"), make_media(user, filename="two.png", width=70)
    page = mod_client.get(f"{MEDIA_QUEUE}{media.pk}/change/").content.decode()
    assert 'name="action" value="approve"' in page and 'name="action" value="reject"' in page
    assert f'name="_selected_action" value="{media.pk}"' in page
    assert mod_client.post(MEDIA_QUEUE, {"action": "approve", "_selected_action": [media.pk]}).status_code == 302
    assert dict(MediaFile.objects.values_list("original_filename", "moderation_status")) == {
        "one.png": "approved",
        "two.png": "pending",
    }
    # Staff without the moderate permission see the details but no buttons, and cannot decide.
    from django.contrib.auth.models import Permission
    from django.test import Client

    viewer = make_user(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mediafile"))
    client = Client()
    client.force_login(viewer)
    page = client.get(f"{MEDIA_QUEUE}{other.pk}/change/")
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    client.post(MEDIA_QUEUE, {"action": "approve", "_selected_action": [other.pk]})
    assert MediaFile.objects.get(pk=other.pk).moderation_status == "pending"
