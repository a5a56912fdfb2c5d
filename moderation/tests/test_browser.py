"""The moderator's whole path in a real browser: Playwright driving Debian's chromium against a live server.

Never a browser download: the system's /usr/bin/chromium (scripts/sysdeps.sh --servers installs it).
On failure a screenshot is kept under the test's tmp path, and its path is in the failure message.
With MODERATION_SCREENSHOTS=<folder>, every step's screenshot is kept there too (to look at the pages).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections
from playwright import sync_api

from avatars.models import Avatar
from moderation.models import ModerationEvent, UploadSuspension
from persona_media.models import MediaFile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "Correct-Horse-42"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_page(transactional_db, live_server, settings, monkeypatch, tmp_path):
    """A chromium page; yields (page, shoot) where shoot(name) saves a screenshot and returns its path.

    The database comes first, so that the (session-wide) live server stops before the test database is dropped.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/sysdeps.sh --servers (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made here between its
    # steps are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server speaks plain http: cookies marked Secure would never come back.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    shots = Path(os.environ.get("MODERATION_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        page.set_default_timeout(15_000)

        def shoot(name: str) -> Path:
            path = shots / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            return path

        try:
            yield page, shoot
        finally:
            browser.close()
            # The ORM calls made inside Playwright's context opened a connection of their own.
            connections.close_all()


def assert_fits(page) -> None:
    """The list table shows whole in a 1280 px window: no horizontal scrolling, in it or in the page."""
    table, page_width = page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return [r.scrollWidth - r.clientWidth, document.documentElement.scrollWidth]; }"
    )
    assert table <= 0 and page_width <= 1280, (table, page_width)


def loaded(page, selector: str) -> bool:
    """The image really arrived and decoded."""
    return page.locator(selector).first.evaluate(
        "img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
        " img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false); })"
    )


def choose_and_run(page, label: str, action: str) -> None:
    """Tick the row whose text contains `label`, pick `action`, press Go."""
    page.locator("#result_list tbody tr", has_text=label).locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_a_moderator_reviews_in_the_browser(browser_page, mod_user, make_user, make_avatar, make_media):
    page, shoot = browser_page
    avatar = make_avatar(make_user(email="painter@example.com"))
    media = make_media(make_user(email="singer@example.com"), persona_name="Stage", filename="flyer.png")
    spammer = make_user(email="spammer@example.com")
    keep = bool(os.environ.get("MODERATION_SCREENSHOTS"))
    step = "start"
    try:
        step = "log in"
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", mod_user.email)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")

        step = "approve an avatar"
        page.goto("/admin/avatars/avatar/")
        assert loaded(page, f'#result_list img[src="/admin/avatars/avatar/{avatar.pk}/image/small/"]')
        assert_fits(page)
        choose_and_run(page, "painter@example.com", "approve")
        page.wait_for_selector("ul.messagelist li.success")
        assert "Approved 1." in page.inner_text("ul.messagelist")
        assert Avatar.objects.get().moderation_status == "approved"

        step = "reject a media file with a reason"
        page.goto("/admin/persona_media/mediafile/")
        assert loaded(page, f'#result_list img[src="/admin/persona_media/mediafile/{media.pk}/preview/"]')
        assert_fits(page)
        keep and shoot("a-media-queue")
        choose_and_run(page, "flyer.png", "reject")
        page.wait_for_selector("text=Reject this media file: why?")
        keep and shoot("b-reject-media")
        page.check("input[name=preset][value='Spam or advertising']")
        page.fill("textarea[name=details]", "A club flyer, not a portrait")
        page.click("input[type=submit][value=Reject]")
        page.wait_for_selector("ul.messagelist li.success")
        media.refresh_from_db()
        assert (media.moderation_status, media.moderation_reason) == (
            "rejected",
            "Spam or advertising: A club flyer, not a portrait",
        )

        step = "suspend a user"
        page.goto("/admin/accounts/user/?q=spammer")
        choose_and_run(page, "spammer@example.com", "suspend_uploads")
        keep and shoot("c-suspend")
        page.fill("textarea[name=details]", "Uploads spam every day")
        page.click("input[type=submit][value='Suspend uploads']")
        page.wait_for_selector("ul.messagelist li.success")
        assert UploadSuspension.objects.get(user=spammer).reason == "Uploads spam every day"

        step = "read the audit log"
        page.goto("/admin/moderation/moderationevent/")
        assert_fits(page)
        table = page.inner_text("#result_list")
        for text in (
            "painter@example.com",
            "flyer.png",
            "Uploads of spammer@example.com",
            "Spam or advertising: A club flyer",
            "Uploads spam every day",
        ):
            assert text in table
        assert page.locator("#result_list tbody tr").count() == 4  # approve, reject, its block, suspend

        step = "try to edit and delete an audit entry"
        event = ModerationEvent.objects.get(action="reject")
        page.goto(f"/admin/moderation/moderationevent/{event.pk}/change/")
        assert page.locator("input[name=_save]").count() == 0  # read-only: nothing to save
        assert page.locator("a.deletelink").count() == 0
        assert page.goto(f"/admin/moderation/moderationevent/{event.pk}/delete/").status == 403
        assert page.locator("select[name=action]").count() == 0 or "delete_selected" not in page.content()
        page.goto("/admin/moderation/moderationevent/")
        assert page.locator("select[name=action] option[value=delete_selected]").count() == 0
        assert ModerationEvent.objects.count() == 4
        assert ModerationEvent.objects.get(pk=event.pk).reason == "Spam or advertising: A club flyer, not a portrait"
        assert MediaFile.objects.get().moderation_status == "rejected"
    except Exception as error:
        path = shoot("failure")
        raise AssertionError(f"browser step {step!r} failed ({error}); screenshot: {path}") from error


LISTS = [
    "/admin/moderation/moderationevent/",
    "/admin/moderation/uploadsuspension/",
    "/admin/avatars/avatar/",
    "/admin/persona_media/mediafile/?status=all",
    "/admin/persona_media/persona/",
    "/admin/moderation/report/",
    "/admin/moderation/blockedcontent/",
    "/admin/accounts/user/",
]


def test_every_moderation_table_fits_a_1280_px_window(browser_page, mod_user, make_user, make_avatar, make_media):
    from moderation import reports, services

    page, shoot = browser_page
    owner = make_user(
        email="a.rather.long.address.of.someone@example-university.example.com", full_name="Somebody With A Long Name"
    )
    make_avatar(owner)
    media = make_media(
        owner,
        persona_name="A persona with a fairly long name",
        filename="holiday-photo-from-the-seaside-with-the-family-2026.png",
    )
    services.reject(
        target=media, moderator=mod_user, reason="Spam or advertising: " + "a long explanation " * 5, block=True
    )
    services.suspend_uploads(user=owner, moderator=mod_user, reason="Repeated spam")
    reports.file_report(reporter=make_user(), kind="avatar", user_id=owner.pk, reason="A long report " * 20)
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", mod_user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for url in LISTS:
        page.goto(url)
        try:
            assert page.locator("#result_list tbody tr").count() >= 1
            assert_fits(page)
            if os.environ.get("MODERATION_SCREENSHOTS"):
                shoot("fits-" + url.strip("/").replace("/", "-").replace("?", "-"))
        except AssertionError as error:
            path = shoot(url.strip("/").replace("/", "-"))
            raise AssertionError(f"{url} does not fit ({error}); screenshot: {path}") from error


def log_in(page, user) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def api_post(live_server, user, path: str, **kwargs):
    """A request of the API's client: over HTTP to the live server, with the user's Bearer token."""
    import requests
    from rest_framework_simplejwt.tokens import AccessToken

    return requests.post(
        live_server.url + path, headers={"Authorization": f"Bearer {AccessToken.for_user(user)}"}, timeout=60, **kwargs
    )


def media_state(page) -> dict:
    return page.evaluate(
        "() => { const v = document.querySelector('video');"
        " return {ready: v.readyState, error: v.error && v.error.code, duration: v.duration}; }"
    )


def test_a_moderator_judges_waiting_avatars_videos_reports_and_blocks(
    browser_page, live_server, settings, mod_user, make_user, make_avatar
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from moderation.models import BlockedContent, Report
    from persona_media import services as media_services
    from persona_media.models import Persona
    from testkit import images, videos

    page, shoot = browser_page
    settings.MODERATION = {"MODE": "pre"}
    keep = bool(os.environ.get("MODERATION_SCREENSHOTS"))
    newcomer = make_user(email="newcomer@example.com")
    picture = images.photo_jpeg(900, 700, seed=31)
    waiting = api_post(live_server, newcomer, "/api/v1/profile/me/avatar", files={"file": ("me.jpg", picture)})
    assert waiting.status_code == 202, waiting.text
    band = make_user(email="band@example.com")
    clip = media_services.media_create(
        user=band,
        persona=Persona.objects.create(user=band, name="Band"),
        media_type="video",
        upload=SimpleUploadedFile("clip.mp4", videos.encode(frames=32, width=160, height=120)),
    )
    step = "start"
    try:
        step = "the index says what waits"
        log_in(page, mod_user)
        assert "Avatars — 1 waiting" in page.inner_text("#content-main")
        assert "Media files — 1 waiting" in page.inner_text("#content-main")
        keep and shoot("1-index")

        step = "a waiting avatar, seen in the queue and on its page"
        page.click("text=Avatars — 1 waiting")
        page.wait_for_selector("#result_list")
        assert "Avatars waiting for review (1)" in page.inner_text("h1")
        avatar = Avatar.objects.get(user=newcomer)
        assert loaded(page, f'#result_list img[src="/admin/avatars/avatar/{avatar.pk}/image/small/"]')
        assert_fits(page)
        keep and shoot("2-avatar-queue")
        page.click(f'#result_list a[href="/admin/avatars/avatar/{avatar.pk}/change/"] >> nth=0')
        assert loaded(page, f'.moderation-review img[src="/admin/avatars/avatar/{avatar.pk}/image/full/"]')
        keep and shoot("3-avatar-review")
        page.click("button[value=approve]")
        page.wait_for_selector("ul.messagelist li.success")
        avatar.refresh_from_db()
        assert avatar.moderation_status == "approved" and avatar.is_current

        step = "a video plays and scrubs on its review page"
        page.goto(f"/admin/persona_media/mediafile/{clip.pk}/change/")
        page.wait_for_selector("video")
        page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
        page.wait_for_function("() => document.querySelector('video').readyState >= 2")
        page.evaluate(
            "() => { const v = document.querySelector('video'); v.pause(); v.currentTime = v.duration * 0.75; }"
        )
        page.wait_for_function(
            "() => { const v = document.querySelector('video'); "
            "return !v.seeking && v.currentTime > 0 && v.readyState >= 2; }"
        )
        state = media_state(page)
        assert state["ready"] >= 2 and state["error"] is None and state["duration"] > 3, state
        keep and shoot("4-video-review")

        step = "reports of the avatar, resolved by rejecting it"
        for reason in ("Shows a weapon", "Violent"):
            reporter = make_user()
            answer = api_post(
                live_server,
                reporter,
                "/api/v1/reports",
                json={"kind": "avatar", "user_id": newcomer.pk, "reason": reason},
            )
            assert answer.status_code == 201, answer.text
        page.goto("/admin/")
        page.click("text=Reports — 1 open")
        page.wait_for_selector("#result_list")
        row = page.locator("#result_list tbody tr", has_text="newcomer@example.com")
        assert "Shows a weapon" in row.inner_text() and "Violent" in row.inner_text()
        assert loaded(page, f'#result_list img[src^="/admin/avatars/avatar/{avatar.pk}/image/"]')
        assert_fits(page)
        keep and shoot("5-reports-queue")
        choose_and_run(page, "newcomer@example.com", "reject_items")
        page.wait_for_selector("text=Reject what was reported: why?")
        assert page.is_checked("input[name=block]")
        keep and shoot("6-reject-reported")
        page.check("input[name=preset][value='Violence or gore']")
        page.click("input[type=submit][value=Reject]")
        page.wait_for_selector("ul.messagelist li.success")
        avatar.refresh_from_db()
        assert (avatar.moderation_status, avatar.moderation_reason) == ("rejected", "Violence or gore")
        assert set(Report.objects.values_list("status", flat=True)) == {"rejected"}

        step = "a blocked re-upload, and the block in the admin"
        copy = images.encode(images.photo(450, 350, seed=31), "JPEG", quality=60)  # half size, quality 60
        again = api_post(live_server, make_user(), "/api/v1/profile/me/avatar", files={"file": ("copy.jpg", copy)})
        assert (again.status_code, again.json()["code"]) == (400, "blocked_content"), again.text
        page.goto("/admin/moderation/blockedcontent/")
        assert f"Avatar #{avatar.pk}" in page.inner_text("#result_list")
        assert_fits(page)
        keep and shoot("7-blocked")
        assert BlockedContent.objects.count() == 1
    except Exception as error:
        path = shoot("failure")
        raise AssertionError(f"browser step {step!r} failed ({error}); screenshot: {path}") from error
