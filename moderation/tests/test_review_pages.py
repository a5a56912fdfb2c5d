"""What moderators see: counts on the index, staff-only files in every state, large previews, a playable video,
decisions offered only where they apply."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from moderation import services
from persona_media import services as media_services
from persona_media.models import Persona
from testkit import videos
from testkit.appsettings import app_settings

pytestmark = pytest.mark.django_db
AVATARS = "/admin/avatars/avatar/"
MEDIA = "/admin/persona_media/mediafile/"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def video(make_user):
    owner = make_user(email="band@example.com")
    persona = Persona.objects.create(user=owner, name="Band")
    return media_services.media_create(
        user=owner, persona=persona, media_type="video", upload=SimpleUploadedFile("clip.mp4", videos.encode(frames=24))
    )


def test_the_index_says_how_many_wait_in_each_queue(mod_client, make_user, make_avatar, make_media, mod_user):
    make_avatar(make_user()), make_avatar(make_user(), seed=2)
    services.approve(target=make_media(make_user()), moderator=mod_user)
    make_media(make_user(), filename="b.png")
    html = mod_client.get("/admin/").content.decode()
    assert "Avatars — 2 waiting" in html and "Media files — 1 waiting" in html
    assert "Avatars — 2 waiting" in mod_client.get(MEDIA).content.decode()  # the side bar of every page


def test_a_waiting_avatar_is_shown_to_staff_only(mod_client, client, make_user, make_avatar, settings):
    app_settings(settings, "MODERATION", MODE="pre")
    avatar = make_avatar(make_user())
    page = mod_client.get(f"{AVATARS}{avatar.pk}/change/").content.decode()
    url = f"{AVATARS}{avatar.pk}/image/full/"
    assert f'<img src="{url}" width="600" height="600"' not in page  # never upscaled: the full variant is 400 px
    assert f'src="{url}" width="400" height="400"' in page and "Waiting for review" in page
    answer = mod_client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert answer["Cache-Control"].startswith("private, no-cache") and body(answer)[:3] == b"\xff\xd8\xff"
    assert client.get(url).status_code == 302  # anonymous: the admin's login
    stranger = Client()
    stranger.force_login(make_user())  # logged in, not staff
    assert stranger.get(url).status_code == 302
    assert client.get(avatar.urls["full"]).status_code == 404  # the public URL stays closed while it waits


def test_a_video_plays_on_its_review_page_and_scrubs(mod_client, video):
    page = mod_client.get(f"{MEDIA}{video.pk}/change/").content.decode()
    original = f"{MEDIA}{video.pk}/original/"
    assert re.search(rf'<video controls preload="metadata" src="{original}" poster="{MEDIA}{video.pk}/preview/"', page)
    assert page.count("<video") == 1  # the app's own large preview is not repeated
    whole = mod_client.get(original)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/mp4"
    assert whole["Cache-Control"].startswith("private")
    part = mod_client.get(original, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{video.size_bytes}"
    assert body(part) == body(whole)[100:200]


def test_a_picture_is_shown_up_to_1280_px_with_a_link_to_the_original(mod_client, make_user, make_media):
    media = make_media(make_user(), width=2000)
    page = mod_client.get(f"{MEDIA}{media.pk}/change/").content.decode()
    assert f'<img src="{MEDIA}{media.pk}/original/"' in page and "max-width:min(1280px,100%)" in page
    assert "Open the original (image/png, 2000x48" in page


def test_decisions_are_offered_only_where_they_apply(mod_client, make_user, make_avatar, mod_user):
    waiting, approved, rejected = (make_avatar(make_user(), seed=i) for i in (1, 2, 3))
    services.approve(target=approved, moderator=mod_user)
    services.reject(target=rejected, moderator=mod_user, reason="Spam")
    buttons = {}
    for avatar in (waiting, approved, rejected):
        page = mod_client.get(f"{AVATARS}{avatar.pk}/change/").content.decode()
        buttons[
            avatar.moderation_status if avatar is waiting else ("approved" if avatar is approved else "rejected")
        ] = ('value="approve"' in page, 'value="reject"' in page)
    assert buttons == {"pending": (True, True), "approved": (False, True), "rejected": (False, False)}
    rejected_page = mod_client.get(f"{AVATARS}{rejected.pk}/change/").content.decode()
    assert "Rejected" in rejected_page and "Spam" in rejected_page and "files deleted" in rejected_page
    actions = {
        status: re.findall(
            r'<option value="(approve|reject)"', mod_client.get(AVATARS, {"status": status}).content.decode()
        )
        for status in ("pending", "approved", "rejected")
    }
    assert actions == {"pending": ["approve", "reject"], "approved": ["reject"], "rejected": []}


def test_approving_what_is_decided_says_so(mod_client, make_user, make_avatar, mod_user):
    avatar = make_avatar(make_user())
    services.approve(target=avatar, moderator=mod_user)
    answer = mod_client.post(AVATARS, {"action": "approve", "_selected_action": [avatar.pk]}, follow=True)
    html = answer.content.decode()
    assert "Nothing was approved: the selected items were gone or already decided." in html
    assert "Approved 0" not in html


def test_rejected_files_show_a_note_not_a_broken_image(moderator, make_user, make_media, mod_user):
    media = make_media(make_user(), filename="gone.png")
    services.reject(target=media, moderator=mod_user, reason="Spam")
    html = moderator.get(MEDIA, {"status": "rejected"}).content.decode()
    assert "files deleted" in html and f"{MEDIA}{media.pk}/preview/" not in html


def test_suspending_offers_reasons_for_people_not_pictures(mod_client, make_user):
    target = make_user(email="spammer@example.com")
    html = mod_client.post(
        "/admin/accounts/user/", {"action": "suspend_uploads", "_selected_action": [target.pk]}
    ).content.decode()
    assert "Uploads spam" in html and "Not a picture of a person" not in html and 'name="block"' not in html


def test_select_all_acts_on_what_the_list_shows_only(mod_client, make_user, make_avatar, mod_user):
    waiting, approved = make_avatar(make_user(), seed=1), make_avatar(make_user(), seed=2)
    services.approve(target=approved, moderator=mod_user)
    mod_client.post(
        AVATARS,
        {
            "action": "reject",
            "_selected_action": [waiting.pk],
            "select_across": "1",
            "apply": "1",
            "preset": "Spam or advertising",
        },
    )
    waiting.refresh_from_db(), approved.refresh_from_db()
    assert (waiting.moderation_status, approved.moderation_status) == ("rejected", "approved")
