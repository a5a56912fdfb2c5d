"""avatar_uploads_total{status} and avatar_upload_duration_seconds, read from /metrics."""

import re

import pytest
from rest_framework.test import APIClient

from avatars.tests.support import failing_storage, post_avatar
from testkit import images as I
from testkit import metrics

pytestmark = pytest.mark.django_db


def scrape() -> dict[str, float]:
    return {m[1]: float(m[2]) for m in re.finditer(r"^(avatar_upload\S*) (\S+)$", metrics.scrape(), re.M)}


def uploads(metrics: dict[str, float], status: str) -> float:
    return metrics[f'avatar_uploads_total{{status="{status}"}}']


def test_every_outcome_is_exported_before_it_happens():
    text = metrics.scrape()
    for status in ("success", "rejected", "error", "rate_limited"):
        assert metrics.sample("avatar_uploads_total", text, status=status) is not None, status
    assert metrics.sample("avatar_upload_duration_seconds_count", text) is not None
    assert metrics.sample("avatar_upload_duration_seconds_bucket", text, le="+Inf") is not None


def test_outcomes_are_counted_and_timed(clock, api):
    before = scrape()

    assert post_avatar(api, I.photo_jpeg(200, 200)).status_code == 200
    assert post_avatar(api, I.photo_jpeg(200, 200)).status_code == 200
    assert post_avatar(api, I.PDF).status_code == 400
    assert api.post("/api/v1/profile/me/avatar", {}, format="multipart").status_code == 400
    assert post_avatar(api, I.TEXT).status_code == 400
    assert post_avatar(api, I.photo_jpeg(200, 200)).status_code == 429

    after = scrape()
    assert uploads(after, "success") - uploads(before, "success") == 2
    assert uploads(after, "rejected") - uploads(before, "rejected") == 3
    assert uploads(after, "rate_limited") - uploads(before, "rate_limited") == 1
    assert uploads(after, "error") == uploads(before, "error")
    count = "avatar_upload_duration_seconds_count"
    assert after[count] - before[count] == 5  # a rate-limited request never reaches the upload
    assert after["avatar_upload_duration_seconds_sum"] > before["avatar_upload_duration_seconds_sum"]


@pytest.mark.django_db(transaction=True)
def test_server_errors_are_counted(settings, user):
    failing_storage(settings, fail_on=1)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    before = scrape()
    assert post_avatar(client, I.photo_jpeg(200, 200)).status_code == 507  # a full disk (ENOSPC)
    assert uploads(scrape(), "error") - uploads(before, "error") == 1
