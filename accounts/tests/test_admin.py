"""The Django admin works with the email user model."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_createsuperuser_asks_for_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Correct-Horse-42")
    call_command("createsuperuser", "--noinput", "--email", "Boss@Example.com", verbosity=0)
    boss = get_user_model().objects.get()
    assert (boss.email, boss.is_superuser, boss.is_staff) == ("boss@example.com", True, True)
    assert boss.check_password("Correct-Horse-42")


def test_admin_login_list_search_and_add_user(client, make_user):
    make_user("boss@example.com", is_staff=True, is_superuser=True)
    make_user("painter@example.com", full_name="Pat Painter")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss@example.com", "password": "Correct-Horse-42"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    listing = client.get("/admin/accounts/user/", {"q": "painter"})
    assert listing.status_code == 200
    assert [u.email for u in listing.context["cl"].result_list] == ["painter@example.com"]
    assert b"painter@example.com" in listing.content
    added = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.com",
            "password1": "Correct-Horse-42",
            "password2": "Correct-Horse-42",
            "usable_password": "true",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert get_user_model().objects.filter(email="new@example.com").exists()
    user = get_user_model().objects.get(email="new@example.com")
    assert client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200


def test_admin_refuses_non_staff(client, make_user):
    make_user("plain@example.com")
    client.login(username="plain@example.com", password="Correct-Horse-42")
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
