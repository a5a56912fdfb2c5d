"""DELETE /api/v1/profile/me: the password, the throttle, and every row, file and token of the user gone."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from accounts.tests.data import fill
from avatars.models import Avatar, AvatarVariant
from mediakit.models import PendingDeletion
from persona_media.models import MediaFile, Persona
from testkit.refusals import refusing_deletes
from testkit.storage import stored_names

PASSWORD = "Correct-Horse-42"
URL = "/api/v1/profile/me"
STORAGES = ("avatars", "persona_media")


def everything_stored() -> dict[str, set[str]]:
    return {alias: stored_names(alias) for alias in STORAGES}


def owned_rows(user_id: int) -> list[int]:
    return [
        Avatar.objects.filter(user_id=user_id).count(),
        AvatarVariant.objects.filter(avatar__user_id=user_id).count(),
        Persona.objects.filter(user_id=user_id).count(),
        MediaFile.objects.filter(user_id=user_id).count(),
    ]


def logged_in(email: str) -> tuple[APIClient, dict]:
    client = APIClient()
    tokens = client.post("/api/v1/auth/login", {"email": email, "password": PASSWORD}, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client, tokens


@pytest.fixture
def two_users(make_user):
    """The user to erase and a bystander, both holding files; returns (client, tokens, user, other)."""
    user, other = make_user("leaving@example.com"), make_user("staying@example.com")
    client, tokens = logged_in(user.email)
    fill(user, client)
    fill(other, logged_in(other.email)[0], seed=1)
    return client, tokens, user, other


def files_of(user) -> dict[str, set[str]]:
    return {
        "avatars": set(AvatarVariant.objects.filter(avatar__user=user).values_list("stored_name", flat=True)),
        "persona_media": {name for media in MediaFile.objects.filter(user=user) for name in media.stored_names},
    }


@pytest.mark.django_db(transaction=True)
def test_erases_rows_files_and_tokens_and_nothing_of_anyone_else(storage_backend, two_users):
    client, tokens, user, other = two_users
    mine, theirs = files_of(user), files_of(other)
    assert [len(mine["avatars"]), len(mine["persona_media"])] == [5, 6]  # 3 media files, each with its preview
    assert everything_stored() == {alias: mine[alias] | theirs[alias] for alias in STORAGES}
    others_rows = owned_rows(other.pk)

    response = client.delete(URL, {"password": PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    assert response.cookies["access_token"].value == "" and response.cookies["refresh_token"].value == ""
    assert everything_stored() == theirs
    assert not User.objects.filter(pk=user.pk).exists() and owned_rows(user.pk) == [0, 0, 0, 0]
    assert owned_rows(other.pk) == others_rows == [1, 5, 2, 3]
    assert not PendingDeletion.objects.exists()
    # Their tokens: erased from the database, and unusable; the access token names nobody.
    assert client.get(URL).status_code == 401
    assert_tokens_erased(tokens, other)
    refreshed = APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    login = APIClient().post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert login.status_code == 401


def assert_tokens_erased(tokens: dict, other) -> None:
    """No row holds the erased user's tokens (no user-less outstanding token, no blacklist entry); other's stay."""
    assert not OutstandingToken.objects.filter(token=tokens["refresh"]).exists()
    assert not OutstandingToken.objects.exclude(user=other).exists()
    assert not BlacklistedToken.objects.exclude(token__user=other).exists()
    assert OutstandingToken.objects.filter(user=other).exists()


@pytest.mark.django_db(transaction=True)
def test_every_refresh_token_is_erased_and_stays_refused(two_users):
    client, tokens, user, other = two_users
    _, second = logged_in(user.email)  # another session
    _, third = logged_in(user.email)
    assert APIClient().post("/api/v1/auth/logout", {"refresh": third["refresh"]}, format="json").status_code == 204
    assert OutstandingToken.objects.filter(user=user).count() == 3
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1

    assert client.delete(URL, {"password": PASSWORD}, format="json").status_code == 204

    assert_tokens_erased(tokens, other)
    for refresh in (tokens["refresh"], second["refresh"], third["refresh"]):
        answer = APIClient().post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
        assert answer.status_code == 401, answer.content
        # Logging out with it afterwards neither fails nor writes the token down again.
        assert APIClient().post("/api/v1/auth/logout", {"refresh": refresh}, format="json").status_code == 204
    assert_tokens_erased(tokens, other)


@pytest.mark.django_db(transaction=True)
def test_a_user_deleted_in_the_admin_leaves_no_token_either(two_users, moderator):
    client, tokens, user, other = two_users
    assert moderator.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"}).status_code == 302
    assert_tokens_erased(tokens, other)
    assert APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"password": "Wrong-Horse-42"},
        {"password": ""},
        {"password": None},
        {"password": PASSWORD + "x" * 200},
        [PASSWORD],
        {"pass": PASSWORD},
        {"password": PASSWORD + "\x00"},
        {"password": 42},
        {"password": [PASSWORD]},
        "password",
        b'{"password": "Correct-Horse-42\\ud800"}',
    ],
)
def test_wrong_or_missing_password_is_400_and_erases_nothing(two_users, body):
    client, _, user, _ = two_users
    before = everything_stored()

    if isinstance(body, bytes):  # JSON as sent, e.g. with an escape Python cannot encode
        response = client.delete(URL, body, content_type="application/json")
    else:
        response = client.delete(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The password is missing or wrong.", "code": "invalid_password"}
    assert everything_stored() == before and owned_rows(user.pk) == [1, 5, 2, 3]
    assert client.get(URL).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_failures_count_as_failed_logins(clock, two_users):
    client, _, user, other = two_users
    for _ in range(9):
        assert client.delete(URL, {"password": "Wrong-Horse-42"}, format="json").status_code == 400
    login = APIClient().post("/api/v1/auth/login", {"email": user.email, "password": "nope"}, format="json")
    assert login.status_code == 401  # the tenth failure of this email, counted by the same throttle

    for attempt in (
        client.delete(URL, {"password": PASSWORD}, format="json"),
        APIClient().post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"),
    ):
        assert (attempt.status_code, attempt.json()["code"]) == (429, "rate_limited")
        assert 1 <= int(attempt["Retry-After"]) <= 15 * 60
    assert User.objects.filter(pk=user.pk).exists() and owned_rows(user.pk) == [1, 5, 2, 3]

    clock.value += 15 * 60  # the window is over
    assert client.delete(URL, {"password": PASSWORD}, format="json").status_code == 204
    assert everything_stored() == files_of(other)


@pytest.mark.django_db(transaction=True)
def test_files_storage_refuses_are_kept_for_retry_and_never_served(storage_backend, settings, two_users):
    from django.core.management import call_command

    client, _, user, other = two_users
    mine, theirs = files_of(user), files_of(other)
    downloads = [
        f"/upload/files/{pk}/download" for pk in MediaFile.objects.filter(user=user).values_list("pk", flat=True)
    ]
    assert [client.get(url).status_code for url in downloads] == [200] * 3

    with refusing_deletes(settings, "avatars"), refusing_deletes(settings, "persona_media"):
        assert client.delete(URL, {"password": PASSWORD}, format="json").status_code == 204

    assert not User.objects.filter(pk=user.pk).exists()
    assert set(PendingDeletion.objects.values_list("storage_alias", "name")) == {
        (alias, name) for alias in STORAGES for name in mine[alias]
    }
    assert everything_stored() == {alias: mine[alias] | theirs[alias] for alias in STORAGES}
    bystander = APIClient()
    bystander.force_authenticate(other)
    assert [bystander.get(url).status_code for url in downloads] == [404] * 3
    if storage_backend == "local":  # the app serves avatar files only while a variant row names them
        from avatars import conf

        assert [bystander.get(conf.storage().url(name)).status_code for name in mine["avatars"]] == [404] * 5

    call_command("retry_deletions", verbosity=0)

    assert everything_stored() == theirs and not PendingDeletion.objects.exists()


def test_unauthenticated_is_401(db):
    assert APIClient().delete(URL, {"password": PASSWORD}, format="json").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_concurrent_erasures_have_one_winner(two_users):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    client, tokens, user, other = two_users

    def erase(_):
        try:
            second = APIClient()
            second.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
            return second.delete(URL, {"password": PASSWORD}, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(erase, range(4)))

    assert statuses == [204, 401, 401, 401]
    assert not User.objects.filter(pk=user.pk).exists()
    assert everything_stored() == files_of(other)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("password", [PASSWORD + "\x00", "\x00" + PASSWORD], ids=["trailing-nul", "leading-nul"])
def test_a_password_login_refuses_is_refused_by_deletion_too(make_user, client_for, password):
    """One password rule for every view: a stored password login would never take (set outside the
    API) is not accepted by the deletion either."""
    user = make_user("odd@example.com", password=password)
    client = client_for(user)
    login = APIClient().post("/api/v1/auth/login", {"email": user.email, "password": password}, format="json")
    assert login.status_code == 400

    response = client.delete(URL, {"password": password}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_password")
    assert User.objects.filter(pk=user.pk).exists()
