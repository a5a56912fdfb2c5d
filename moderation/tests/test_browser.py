"""The moderator's whole path in a real browser: Playwright driving Debian's chromium against a live server.

Never a browser download: the system's /usr/bin/chromium (scripts/sysdeps.sh --servers installs it).
On failure a screenshot is kept under the test's tmp path, and its path is in the failure message.
"""
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
    shots = tmp_path / "screenshots"
    shots.mkdir()
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
        " return [r.scrollWidth - r.clientWidth, document.documentElement.scrollWidth]; }")
    assert table <= 0 and page_width <= 1280, (table, page_width)


def loaded(page, selector: str) -> bool:
    """The image really arrived and decoded."""
    return page.locator(selector).first.evaluate(
        "img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
        " img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false); })")


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
        assert loaded(page, f'#result_list img[src="{avatar.urls["thumbnail"]}"]')
        assert_fits(page)
        choose_and_run(page, "painter@example.com", "approve")
        page.wait_for_selector("ul.messagelist li.success")
        assert "Approved 1." in page.inner_text("ul.messagelist")
        assert Avatar.objects.get().moderation_status == "approved"

        step = "reject a media file with a reason"
        page.goto("/admin/persona_media/mediafile/")
        assert loaded(page, f'#result_list img[src="/admin/persona_media/mediafile/{media.pk}/preview/"]')
        assert_fits(page)
        choose_and_run(page, "flyer.png", "reject")
        page.wait_for_selector("text=Reject: why?")
        page.check("input[name=preset][value='Spam or advertising']")
        page.fill("textarea[name=details]", "A club flyer, not a portrait")
        page.click("input[type=submit][value=Reject]")
        page.wait_for_selector("ul.messagelist li.success")
        media.refresh_from_db()
        assert (media.moderation_status, media.moderation_reason) == (
            "rejected", "Spam or advertising: A club flyer, not a portrait")

        step = "suspend a user"
        page.goto("/admin/accounts/user/?q=spammer")
        choose_and_run(page, "spammer@example.com", "suspend_uploads")
        page.fill("textarea[name=details]", "Uploads spam every day")
        page.click("input[type=submit][value='Suspend uploads']")
        page.wait_for_selector("ul.messagelist li.success")
        assert UploadSuspension.objects.get(user=spammer).reason == "Uploads spam every day"

        step = "read the audit log"
        page.goto("/admin/moderation/moderationevent/")
        assert_fits(page)
        table = page.inner_text("#result_list")
        for text in ("painter@example.com", "flyer.png", "Uploads of spammer@example.com",
                     "Spam or advertising: A club flyer", "Uploads spam every day"):
            assert text in table
        assert page.locator("#result_list tbody tr").count() == 3

        step = "try to edit and delete an audit entry"
        event = ModerationEvent.objects.get(action="reject")
        page.goto(f"/admin/moderation/moderationevent/{event.pk}/change/")
        assert page.locator("input[name=_save]").count() == 0  # read-only: nothing to save
        assert page.locator("a.deletelink").count() == 0
        assert page.goto(f"/admin/moderation/moderationevent/{event.pk}/delete/").status == 403
        assert page.locator("select[name=action]").count() == 0 or "delete_selected" not in page.content()
        page.goto("/admin/moderation/moderationevent/")
        assert page.locator("select[name=action] option[value=delete_selected]").count() == 0
        assert ModerationEvent.objects.count() == 3
        assert ModerationEvent.objects.get(pk=event.pk).reason == "Spam or advertising: A club flyer, not a portrait"
        assert MediaFile.objects.get().moderation_status == "rejected"
    except Exception as error:
        path = shoot("failure")
        raise AssertionError(f"browser step {step!r} failed ({error}); screenshot: {path}") from error


LISTS = ["/admin/moderation/moderationevent/", "/admin/moderation/uploadsuspension/", "/admin/avatars/avatar/", "/admin/persona_media/mediafile/", "/admin/persona_media/persona/",
         "/admin/accounts/user/"]


def test_every_moderation_table_fits_a_1280_px_window(browser_page, mod_user, make_user, make_avatar, make_media):
    from moderation import services

    page, shoot = browser_page
    owner = make_user(email="a.rather.long.address.of.someone@example-university.example.com",
                      full_name="Somebody With A Long Name")
    make_avatar(owner)
    media = make_media(owner, persona_name="A persona with a fairly long name",
                       filename="holiday-photo-from-the-seaside-with-the-family-2026.png")
    services.reject(target=media, moderator=mod_user, reason="Spam or advertising: " + "a long explanation " * 5)
    services.suspend_uploads(user=owner, moderator=mod_user, reason="Repeated spam")
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
        except AssertionError as error:
            path = shoot(url.strip("/").replace("/", "-"))
            raise AssertionError(f"{url} does not fit ({error}); screenshot: {path}") from error
