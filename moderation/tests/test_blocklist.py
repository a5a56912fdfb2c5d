"""Blocked content: a rejected picture (and its copies) or a rejected video's bytes never come back, through any
upload endpoint, by anyone; distinct pictures still do; moderators lift blocks in the admin."""

import io
import re

import pytest
from PIL import Image

from avatars.models import Avatar
from avatars.tests.support import post_avatar
from avatars.tests.support import stored_names as avatar_files
from moderation import blocklist, services
from moderation.models import BlockedChunk, BlockedContent, ModerationEvent
from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_files
from testkit import images as I
from testkit import photosets, videos

pytestmark = pytest.mark.django_db
BLOCKED = "/admin/moderation/blockedcontent/"


def photo(seed: int = 3) -> bytes:
    return I.photo_jpeg(800, 600, seed=seed)


def copies_of(data: bytes) -> dict[str, bytes]:
    """What a re-uploader makes of a rejected JPEG."""
    picture = Image.open(io.BytesIO(data))
    picture.load()
    half = picture.resize((400, 300), Image.Resampling.LANCZOS)
    return {
        "same bytes": data,
        "quality 60": I.encode(picture, "JPEG", quality=60),
        "half size": I.encode(half, "JPEG", quality=85),
        "as PNG": I.encode(picture, "PNG"),
        "half size, quality 60": I.encode(half, "JPEG", quality=60),
        "new metadata": photosets.with_new_metadata(data),
    }


@pytest.fixture
def rejected_avatar(make_user, mod_user):
    """An avatar rejected with its picture blocked, as a moderator does by default."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from avatars import services as avatar_services

    avatar = avatar_services.avatar_replace(user=make_user(), upload=SimpleUploadedFile("a.jpg", photo()))
    assert services.reject(target=avatar, moderator=mod_user, reason="Spam or advertising", block=True)
    return avatar


def test_rejecting_with_block_records_the_picture_its_chunks_and_an_event(rejected_avatar):
    entry = BlockedContent.objects.get()
    assert len(entry.sha256) == 64 and len(entry.picture_hash) == 64
    assert (entry.source_kind, entry.source_id, entry.reason) == ("avatar", rejected_avatar.pk, "Spam or advertising")
    assert BlockedChunk.objects.filter(entry=entry).count() == 16
    assert ModerationEvent.objects.filter(action="block", target_kind="blocked", target_id=entry.pk).exists()


@pytest.mark.parametrize(
    "copy", ["same bytes", "quality 60", "half size", "as PNG", "half size, quality 60", "new metadata"]
)
def test_a_copy_of_a_blocked_picture_is_refused_as_an_avatar_storing_nothing(
    rejected_avatar, client_for, make_user, copy
):
    before = avatar_files()
    answer = post_avatar(
        client_for(make_user()), copies_of(photo())[copy], name="again.png" if "PNG" in copy else "again.jpg"
    )
    assert answer.status_code == 400, answer.content
    assert answer.json() == {
        "detail": "A moderator has removed this content from the site; it cannot be uploaded again.",
        "code": "blocked_content",
    }
    assert Avatar.objects.count() == 1 and avatar_files() == before


def test_a_copy_is_refused_as_a_media_image_too(rejected_avatar, client_for, make_user):
    owner = make_user()
    persona = Persona.objects.create(user=owner, name="Stage")
    answer = post_file(client_for(owner), persona.pk, "image", copies_of(photo())["half size"], "flyer.jpg")
    assert (answer.status_code, answer.json()["code"]) == (400, "blocked_content")
    assert not MediaFile.objects.exists() and stored_files() == []


def test_distinct_pictures_are_not_blocked(rejected_avatar, api):
    for seed in (4, 5, 6):
        assert post_avatar(api, photo(seed)).status_code == 200


def test_rejecting_without_block_lets_it_come_back(make_user, make_avatar, mod_user, api):
    avatar = make_avatar(make_user(), seed=9)
    assert services.reject(target=avatar, moderator=mod_user, reason="Violence or gore", block=False)
    assert not BlockedContent.objects.exists()
    assert post_avatar(api, I.photo_jpeg(600, 400, seed=9)).status_code == 200


def test_a_rejected_media_image_is_blocked_from_the_avatar_endpoint(user, make_user, mod_user, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from persona_media import services as media_services

    persona = Persona.objects.create(user=user, name="Shop")
    media = media_services.media_create(
        user=user,
        persona=persona,
        media_type="image",
        upload=SimpleUploadedFile("ad.png", I.encode(I.photo(640, 480, seed=21), "PNG")),
    )
    services.reject(target=media, moderator=mod_user, reason="Spam or advertising", block=True)
    again = I.encode(I.photo(640, 480, seed=21), "JPEG", quality=70)
    answer = post_avatar(client_for(make_user()), again)
    assert (answer.status_code, answer.json()["code"]) == (400, "blocked_content")


def test_a_rejected_video_blocks_its_exact_bytes_only(user, mod_user, api):
    persona = Persona.objects.create(user=user, name="Band")
    clip = videos.encode()
    first = post_file(api, persona.pk, "video", clip, "clip.mp4")
    assert first.status_code == 201, first.content
    services.reject(target=MediaFile.objects.get(), moderator=mod_user, reason="Violence or gore", block=True)
    entry = BlockedContent.objects.get()
    assert entry.picture_hash == "" and entry.source_kind == "media"
    other = Persona.objects.create(user=user, name="Other")
    again = post_file(api, other.pk, "video", clip, "renamed.mp4")
    assert (again.status_code, again.json()["code"]) == (400, "blocked_content")
    assert post_file(api, other.pk, "video", videos.encode(frames=17), "another.mp4").status_code == 201


@pytest.mark.django_db(transaction=True)  # the conversion is queued when the upload commits
def test_a_rejected_converted_video_blocks_its_upload_and_what_it_served(settings, user, mod_user, api):
    """A phone's MOV is served as a converted MP4: rejecting it blocks both, so neither the owner's same MOV nor
    the MP4 someone downloaded comes back."""
    from testkit import phone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # converts now
    persona = Persona.objects.create(user=user, name="Band")
    mov = phone.hevc_mov()
    first = post_file(api, persona.pk, "video", mov, "IMG_0001.MOV")
    assert first.status_code == 201 and first.json()["processing_status"] == "ready", first.content
    served = b"".join(api.get(f"/upload/files/{first.json()['id']}/download").streaming_content)
    media = MediaFile.objects.get()
    assert media.sha256 != media.source_sha256  # converted: two different byte strings
    services.reject(target=media, moderator=mod_user, reason="Violence or gore", block=True)
    entry = BlockedContent.objects.get()
    assert (entry.sha256, entry.source_sha256) == (media.sha256, media.source_sha256)
    other = Persona.objects.create(user=user, name="Other")
    for data, name in ((mov, "again.MOV"), (served, "downloaded.mp4")):
        again = post_file(api, other.pk, "video", data, name)
        assert (again.status_code, again.json()["code"]) == (400, "blocked_content"), name
    assert MediaFile.objects.filter(persona=other).count() == 0
    assert post_file(api, other.pk, "video", phone.hevc_mov(frames=17), "another.MOV").status_code in (201, 202)


def test_moderators_see_and_lift_blocks_in_the_admin(rejected_avatar, mod_client, client_for, make_user):
    entry = BlockedContent.objects.get()
    listing = mod_client.get(BLOCKED).content.decode()
    assert f"Avatar #{rejected_avatar.pk}" in listing and "the picture and its copies" in listing
    page = mod_client.post(BLOCKED, {"action": "lift", "_selected_action": [entry.pk]})
    assert "Lift these blocks?" in page.content.decode()
    done = mod_client.post(
        BLOCKED, {"action": "lift", "_selected_action": [entry.pk], "apply": "1", "details": "Rejected by mistake"}
    )
    assert done.status_code == 302
    assert not BlockedContent.objects.exists() and not BlockedChunk.objects.exists()
    event = ModerationEvent.objects.get(action="lift")
    assert (event.target_kind, event.target_id, event.reason) == ("blocked", entry.pk, "Rejected by mistake")
    assert post_avatar(client_for(make_user()), photo()).status_code == 200


def test_the_reject_page_offers_blocking_ticked(mod_client, make_user, make_avatar):
    avatar = make_avatar(make_user())
    html = mod_client.post(
        "/admin/avatars/avatar/", {"action": "reject", "_selected_action": [avatar.pk]}
    ).content.decode()
    assert re.search(r'<input type="checkbox" name="block"[^>]*checked', html)
    assert "Not a picture of a person" in html and "Copyrighted material" not in html  # the avatar's reasons


def test_the_admin_reject_blocks_by_default_and_unticked_does_not(mod_client, make_user, make_avatar):
    blocked, kept = make_avatar(make_user(), seed=11), make_avatar(make_user(), seed=12)
    common = {"action": "reject", "apply": "1", "preset": "Spam or advertising"}
    mod_client.post("/admin/avatars/avatar/", {**common, "_selected_action": [blocked.pk], "block": "on"})
    mod_client.post("/admin/avatars/avatar/", {**common, "_selected_action": [kept.pk]})
    assert list(BlockedContent.objects.values_list("source_id", flat=True)) == [blocked.pk]


def test_match_uses_the_chunk_index_and_the_full_distance(rejected_avatar):
    from mediakit import fingerprint
    from mediakit.review import Fingerprint

    entry = BlockedContent.objects.get()
    near = f"{int(entry.picture_hash, 16) ^ sum(1 << (i * 8) for i in range(31)):064x}"  # 31 bits off
    far = f"{int(entry.picture_hash, 16) ^ sum(1 << (i * 8) for i in range(32)):064x}"  # 32 bits off
    assert fingerprint.distance(near, entry.picture_hash) == 31
    assert blocklist.match(Fingerprint("0" * 64, near)) == entry
    assert blocklist.match(Fingerprint("0" * 64, far)) is None
    assert blocklist.match(Fingerprint(entry.sha256)) == entry
