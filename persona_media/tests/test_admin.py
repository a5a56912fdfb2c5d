"""The moderators' admin: lists with previews, staff-only preview bytes, deletion through the service."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import stored_files
from testkit import media as files

CHANGELIST = "/admin/persona_media/mediafile/"


def preview_url(media: MediaFile) -> str:
    return f"/admin/persona_media/mediafile/{media.pk}/preview/"


def original_url(media: MediaFile) -> str:
    return f"/admin/persona_media/mediafile/{media.pk}/original/"


@pytest.fixture
def uploaded(upload, persona) -> tuple[MediaFile, MediaFile]:
    assert upload(persona, "image", files.png(), "holiday.png").status_code == 201
    assert upload(persona, "video", files.real_mp4(), "intro.mp4").status_code == 201
    return MediaFile.objects.get(media_type="image"), MediaFile.objects.get(media_type="video")


def test_changelist_shows_files_with_previews(moderator, uploaded, user):
    image, video = uploaded
    response = moderator.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode().replace("<wbr>", "")  # names wrap after their separators
    assert "holiday.png" in page and "intro.mp4" in page and user.email in page
    # Thumbnails are previews (a video's is its poster), never the originals.
    assert f'<img src="{preview_url(image)}"' in page and f'<img src="{preview_url(video)}"' in page
    assert original_url(image) not in page and "<video" not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "holiday"}, "holiday.png", "intro.mp4"),
        ({"media_type__exact": "video"}, "intro.mp4", "holiday.png"),
    ],
)
def test_changelist_search_and_filter(moderator, uploaded, query, shown, hidden):
    page = moderator.get(CHANGELIST, query).content.decode()
    assert shown in page and hidden not in page


def test_search_by_owner_email(moderator, uploaded, user, make_user):
    assert user.email in moderator.get(CHANGELIST, {"q": user.email}).content.decode()
    assert "holiday.png" not in moderator.get(CHANGELIST, {"q": "nobody@example.org"}).content.decode()


def test_change_page_renders_the_preview(moderator, uploaded):
    image, _ = uploaded
    response = moderator.get(f"/admin/persona_media/mediafile/{image.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    # The picture itself, up to 1280 px wide (moderation's review page shows it at the top).
    assert f'<img src="{original_url(image)}"' in page and "max-width:min(1280px,100%)" in page


def test_change_page_of_a_video_shows_its_streams(moderator, uploaded):
    _, video = uploaded
    page = moderator.get(f"/admin/persona_media/mediafile/{video.pk}/change/").content.decode()
    assert "h264" in page and "Plays in browsers" in page and str(video.bitrate) in page


def test_change_page_says_when_browsers_cannot_play_a_stored_video(moderator, uploaded):
    _, video = uploaded
    MediaFile.objects.filter(pk=video.pk).update(playable=False, video_codec="mpeg4")
    page = moderator.get(f"/admin/persona_media/mediafile/{video.pk}/change/").content.decode()
    assert "browsers cannot play this video (mpeg4)" in page


def test_original_serves_the_bytes_inline_to_staff(storage_backend, moderator, uploaded):
    image, _ = uploaded
    response = moderator.get(original_url(image))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.png()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('inline; filename="holiday.png"')
    assert "sandbox" in response["Content-Security-Policy"]


def test_preview_serves_the_preview_image_to_staff(storage_backend, moderator, uploaded):
    _, video = uploaded
    response = moderator.get(preview_url(video))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_preview_is_refused_to_everyone_else(uploaded, make_user, user):
    image, _ = uploaded
    anonymous = Client().get(preview_url(image))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    owner = Client()
    owner.force_login(user)  # the file's own owner, but no moderator
    assert owner.get(preview_url(image)).status_code == 302
    staff = Client()
    staff.force_login(make_user(is_staff=True))  # staff without the permission to view media files
    assert staff.get(preview_url(image)).status_code == 403


def test_preview_for_staff_with_view_permission(uploaded, make_user):
    image, _ = uploaded
    viewer = make_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mediafile"))
    client = Client()
    client.force_login(viewer)
    assert client.get(preview_url(image)).status_code == 200
    assert client.get(f"/admin/persona_media/mediafile/{image.pk + 100}/preview/").status_code == 404


def test_no_add_page(moderator):
    assert moderator.get("/admin/persona_media/mediafile/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_delete_action_removes_rows_and_files(storage_backend, moderator, uploaded):
    image, video = uploaded
    response = moderator.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [image.pk, video.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not MediaFile.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_delete_page_removes_row_and_file(moderator, uploaded):
    image, video = uploaded
    response = moderator.post(f"/admin/persona_media/mediafile/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert list(MediaFile.objects.all()) == [video]
    assert stored_files() == sorted(video.stored_names)


def test_persona_admin_lists_counts_and_inline_previews(moderator, uploaded, persona):
    Persona.objects.create(user=persona.user, name="Empty one")
    page = moderator.get("/admin/persona_media/persona/").content.decode()
    assert "Ada" in page and "Empty one" in page
    assert '<td class="field-media_count">2</td>' in page and '<td class="field-media_count">0</td>' in page
    assert "Ada" in moderator.get("/admin/persona_media/persona/", {"q": persona.user.email}).content.decode()
    change = moderator.get(f"/admin/persona_media/persona/{persona.pk}/change/").content.decode()
    assert preview_url(uploaded[0]) in change and preview_url(uploaded[1]) in change


@pytest.mark.django_db(transaction=True)
def test_deleting_a_persona_in_the_admin_removes_its_files(moderator, uploaded, persona):
    response = moderator.post(
        "/admin/persona_media/persona/", {"action": "delete_selected", "_selected_action": [persona.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Persona.objects.exists() and not MediaFile.objects.exists()
    assert stored_files() == []
