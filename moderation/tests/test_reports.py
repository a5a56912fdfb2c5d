"""POST /api/v1/reports as API.md says, the reports queue in the admin, and /metrics' open reports."""

import re

import pytest
from rest_framework.test import APIClient

from avatars.models import Avatar
from moderation import services
from moderation.models import ModerationEvent, Report
from testkit.appsettings import app_settings

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports"
QUEUE = "/admin/moderation/report/"


@pytest.fixture
def painter(make_user, make_avatar):
    owner = make_user(email="painter@example.com")
    make_avatar(owner)
    return owner


def result_rows(html: str) -> list[str]:
    """The rows of the admin list's table (none when it shows no table)."""
    if 'id="result_list"' not in html:
        return []
    table = html.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", table.split("<tbody>", 1)[-1], re.S)


def report(client, user_id, reason="Shows violence", kind="avatar", path=REPORTS):
    return client.post(path, {"kind": kind, "user_id": user_id, "reason": reason}, format="json")


@pytest.mark.parametrize("path", [REPORTS, REPORTS + "/"])
def test_a_report_is_201_with_its_object(api, user, painter, path):
    answer = report(api, painter.pk, "  Shows violence  ", path=path)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert set(body) == {"id", "kind", "user_id", "reason", "status", "created_at"}
    assert (body["kind"], body["user_id"], body["reason"], body["status"]) == (
        "avatar",
        painter.pk,
        "Shows violence",
        "open",
    )
    saved = Report.objects.get()
    assert (saved.reporter, saved.target_user, saved.target_id) == (user, painter, Avatar.objects.get().pk)


def test_reporting_oneself_is_400(api, user, make_avatar):
    make_avatar(user)
    answer = report(api, user.pk)
    assert (answer.status_code, answer.json()["code"]) == (400, "cannot_report_self")


def test_a_user_without_a_public_avatar_is_404(api, make_user, make_avatar, mod_user, settings):
    nobody = make_user()
    rejected = make_user()
    services.reject(target=make_avatar(rejected), moderator=mod_user, reason="Spam")
    app_settings(settings, "MODERATION", MODE="pre")
    waiting = make_user()
    make_avatar(waiting)  # pre-moderated: not public
    for user_id in (nobody.pk, rejected.pk, waiting.pk, 10**9):
        answer = report(api, user_id)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", user_id
    assert not Report.objects.exists()


def test_a_second_open_report_on_the_same_avatar_is_409(api, painter, client_for, make_user):
    assert report(api, painter.pk).status_code == 201
    again = report(api, painter.pk, "Still violent")
    assert (again.status_code, again.json()["code"]) == (409, "already_reported")
    assert report(client_for(make_user()), painter.pk).status_code == 201  # someone else may
    assert Report.objects.count() == 2


def test_a_new_avatar_may_be_reported_again(api, painter, make_avatar):
    assert report(api, painter.pk).status_code == 201
    make_avatar(painter, seed=2)  # replaced: a new thing to report
    assert report(api, painter.pk).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "avatar", "reason": "x"},
        {"kind": "persona", "user_id": 1, "reason": "x"},
        {"kind": "avatar", "user_id": 1, "reason": ""},
        {"kind": "avatar", "user_id": 1, "reason": "x" * 1001},
        {"kind": "avatar", "user_id": "one", "reason": "x"},
    ],
)
def test_bad_bodies_are_400_with_a_sentence(api, body):
    answer = api.post(REPORTS, body, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"] and "Error" not in answer.json()["detail"]
    assert not Report.objects.exists()


def test_reports_need_credentials(painter):
    assert report(APIClient(), painter.pk).status_code == 401


def test_reports_are_rate_limited_per_user(api, clock, make_user, make_avatar, settings):
    app_settings(settings, "MODERATION", REPORT_RATE="3/m")
    owners = [make_user() for _ in range(4)]
    for owner in owners:
        make_avatar(owner)
    codes = [report(api, owner.pk).status_code for owner in owners]
    assert codes == [201, 201, 201, 429]
    answer = report(api, owners[3].pk)
    assert answer.json()["code"] == "rate_limited" and int(answer["Retry-After"]) >= 1


@pytest.fixture
def reported(painter, make_user, client_for):
    for reason in ("Shows violence", "Gore", "Scary"):
        assert report(client_for(make_user()), painter.pk, reason).status_code == 201
    return Avatar.objects.get()


def test_the_queue_shows_each_reported_avatar_once_with_its_count_and_reasons(
    mod_client, reported, make_user, make_avatar, client_for
):
    other = make_user(email="other@example.com")
    make_avatar(other, seed=5)
    report(client_for(make_user()), other.pk, "Spam")
    html = mod_client.get(QUEUE).content.decode().replace("<wbr>", "")  # addresses may wrap after their separators
    rows = result_rows(html)
    assert len(rows) == 2
    assert "painter@example.com" in rows[0] and ">3<" in rows[0]  # the most reported first
    assert all(f"“{reason}”" in rows[0] for reason in ("Shows violence", "Gore", "Scary"))
    assert f"/admin/avatars/avatar/{reported.pk}/image/" in rows[0]
    assert "other@example.com" in rows[1]


def test_rejecting_from_the_queue_resolves_every_report_of_it(mod_client, reported):
    first = Report.objects.order_by("id").first()
    page = mod_client.post(QUEUE, {"action": "reject_items", "_selected_action": [first.pk]}).content.decode()
    assert "Reject what was reported: why?" in page and "Not a picture of a person" in page
    done = mod_client.post(
        QUEUE,
        {
            "action": "reject_items",
            "_selected_action": [first.pk],
            "apply": "1",
            "preset": "Violence or gore",
            "block": "on",
        },
    )
    assert done.status_code == 302
    reported.refresh_from_db()
    assert (reported.moderation_status, reported.moderation_reason) == ("rejected", "Violence or gore")
    assert set(Report.objects.values_list("status", flat=True)) == {"rejected"}
    assert list(ModerationEvent.objects.order_by("id").values_list("action", flat=True)) == ["reject", "block"]


def test_dismissing_closes_the_reports_and_keeps_the_avatar(mod_client, reported):
    first = Report.objects.order_by("id").first()
    done = mod_client.post(
        QUEUE,
        {"action": "dismiss", "_selected_action": [first.pk], "apply": "1", "details": "A painting, not violence"},
    )
    assert done.status_code == 302
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert Avatar.objects.get().moderation_status == "pending"
    event = ModerationEvent.objects.get()
    assert (event.action, event.target_kind, event.target_id, event.reason) == (
        "dismiss",
        "avatar",
        reported.pk,
        "A painting, not violence",
    )
    assert result_rows(mod_client.get(QUEUE).content.decode()) == []
    assert len(result_rows(mod_client.get(QUEUE, {"status": "dismissed"}).content.decode())) == 3


def test_a_report_page_shows_the_avatar_large_and_every_report(mod_client, reported):
    first = Report.objects.order_by("id").first()
    html = mod_client.get(f"{QUEUE}{first.pk}/change/").content.decode()
    assert f'src="/admin/avatars/avatar/{reported.pk}/image/full/"' in html
    assert all(reason in html for reason in ("Shows violence", "Gore", "Scary"))
    assert 'value="reject_items"' in html and 'value="dismiss"' in html


def test_metrics_count_open_reports(client, reported, mod_user):
    assert 'moderation_open_reports{kind="avatar"} 3.0' in client.get("/metrics").content.decode()
    services.dismiss_reports(kind="avatar", target_id=reported.pk, moderator=mod_user)
    assert 'moderation_open_reports{kind="avatar"} 0.0' in client.get("/metrics").content.decode()


def test_the_schema_documents_reports(client):
    doc = client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    post = doc["paths"]["/api/v1/reports"]["post"]
    assert {"201", "400", "401", "404", "409", "429"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(doc["components"]["schemas"][body]["properties"]) >= {"kind", "user_id", "reason"}
