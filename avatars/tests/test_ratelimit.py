"""5 uploads and 10 deletes per user and fixed 60-second window, counted in the shared cache."""

import django_ratelimit.core
import pytest

from avatars.tests.support import URL, post_avatar
from testkit import images as I
from testkit.clock import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo() -> bytes:
    return I.photo_jpeg(120, 120)


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and response.json()["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60


def test_sixth_upload_in_a_window_is_429_for_that_user_only(clock, user, api, make_user, client_for, photo):
    for _ in range(5):
        assert post_avatar(api, photo).status_code == 200
    assert_rate_limited(post_avatar(api, photo))
    other = client_for(make_user())
    assert post_avatar(other, photo).status_code == 200


def test_refused_uploads_count_too(clock, api, photo):
    for _ in range(5):
        assert post_avatar(api, I.TEXT).status_code == 400
    assert_rate_limited(post_avatar(api, photo))


def test_retry_after_is_the_rest_of_the_window(clock, user, api, photo):
    for _ in range(5):
        post_avatar(api, I.TEXT)
    window_end = django_ratelimit.core._get_window(str(user.pk), 60)  # per-key offset, fixed length
    assert int(post_avatar(api, photo)["Retry-After"]) == max(1, window_end - int(START))


def test_the_next_window_allows_uploads_again(clock, api, photo):
    for _ in range(6):
        post_avatar(api, I.TEXT)
    clock.value += 60
    assert post_avatar(api, photo).status_code == 200


def test_eleventh_delete_is_429(clock, user, api, make_avatar):
    for _ in range(10):
        assert api.delete(URL).status_code == 404  # every attempt counts, found or not
    make_avatar(user)
    assert_rate_limited(api.delete(URL))


def test_uploads_and_deletes_are_counted_apart(clock, user, api, make_avatar, photo):
    for _ in range(5):
        post_avatar(api, I.TEXT)
    make_avatar(user)
    assert api.delete(URL).status_code == 200


def test_reads_are_not_limited(clock, user, api, make_avatar):
    make_avatar(user)
    assert all(api.get(URL).status_code == 200 for _ in range(30))


def test_limits_are_off_when_disabled(settings, api, user, make_avatar, photo):
    settings.RATELIMIT_ENABLE = False
    for _ in range(7):
        assert post_avatar(api, photo).status_code == 200
    for _ in range(12):
        make_avatar(user)
        assert api.delete(URL).status_code == 200
