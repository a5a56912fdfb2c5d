"""`manage.py createmoderator`: staff in the Moderators group, created or promoted, idempotent.
(With a user model known by a handle, no email at all: critvue/tests/test_hosts.py.)"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"


def create(*args, **options) -> str:
    out = io.StringIO()
    call_command("createmoderator", *args, stdout=out, **options)
    return out.getvalue().strip()


def test_a_new_account_is_created_as_a_moderator_who_sees_the_queues(monkeypatch):
    monkeypatch.setenv("DJANGO_MODERATOR_PASSWORD", PASSWORD)
    assert (
        create("judge@example.com", interactive=False)
        == "judge@example.com is a moderator (staff, in Moderators); the account was created."
    )
    judge = get_user_model().objects.get(email="judge@example.com")
    assert judge.is_staff and not judge.is_superuser and judge.check_password(PASSWORD)
    assert list(judge.groups.values_list("name", flat=True)) == ["Moderators"]
    browser = Client()
    assert browser.login(email="judge@example.com", password=PASSWORD)
    assert browser.get("/admin/avatars/avatar/").status_code == 200
    assert browser.get("/admin/persona_media/mediafile/").status_code == 200


def test_an_existing_account_is_promoted_and_running_again_changes_nothing(make_user):
    user = make_user("ada@example.com")
    assert create("Ada@Example.com", interactive=False) == "ada@example.com is a moderator (staff, in Moderators)."
    assert create("ada@example.com", interactive=False) == "ada@example.com is a moderator (staff, in Moderators)."
    user.refresh_from_db()
    assert user.is_staff and user.groups.get().name == "Moderators" and user.check_password(PASSWORD)
    assert get_user_model().objects.count() == 1


def test_a_new_account_needs_a_password(monkeypatch):
    monkeypatch.delenv("DJANGO_MODERATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_MODERATOR_PASSWORD"):
        create("judge@example.com", interactive=False)
    monkeypatch.setenv("DJANGO_MODERATOR_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="The password is refused"):
        create("judge@example.com", interactive=False)
    assert not get_user_model().objects.exists()


def test_without_the_group_it_says_to_migrate(monkeypatch):
    from django.contrib.auth.models import Group

    Group.objects.filter(name="Moderators").delete()
    with pytest.raises(CommandError, match="migrate"):
        create("judge@example.com", interactive=False)
