"""Refused deletions are recorded durably, counted as not removed, and retried until gone."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import transaction

from mediakit.deletions import counting_removals, retry_pending
from mediakit.files import delete_on_commit
from mediakit.models import PendingDeletion
from testkit.refusals import refusing_deletes
from testkit.storage import stored_names

pytestmark = pytest.mark.django_db(transaction=True)


def save(alias: str, *names: str) -> list[str]:
    return [storages[alias].save(name, ContentFile(name.encode())) for name in names]


def test_a_refused_delete_is_recorded_and_not_counted(storage_backend, settings):
    names = save("persona_media", "7/1/a.png", "7/1/b.png")
    with refusing_deletes(settings, "persona_media"), counting_removals() as removals:
        with transaction.atomic():
            delete_on_commit(storages["persona_media"], names, alias="persona_media")
    assert (removals.removed, removals.refused) == (0, 2)
    assert stored_names("persona_media") == set(names)
    rows = PendingDeletion.objects.order_by("name")
    assert [(r.storage_alias, r.name, r.attempts) for r in rows] == [("persona_media", n, 1) for n in names]
    assert all(r.last_error for r in rows)


def test_retry_counts_attempts_until_storage_lets_go(storage_backend, settings):
    names = save("avatars", "full/x_full.jpg", "small/x_small.jpg")
    keep = save("avatars", "full/someone_else.jpg")
    with refusing_deletes(settings, "avatars"):
        with transaction.atomic():
            delete_on_commit(storages["avatars"], names, alias="avatars")
        still = retry_pending()
        assert sorted(name for name, _ in still.refused) == sorted(f"avatars:{n}" for n in names)
        assert set(PendingDeletion.objects.values_list("attempts", flat=True)) == {2}
        with pytest.raises(CommandError, match="2 files could not be deleted yet"):
            call_command("retry_deletions", verbosity=0)
        assert set(PendingDeletion.objects.values_list("attempts", flat=True)) == {3}
    assert stored_names("avatars") == set(names + keep)

    call_command("retry_deletions", verbosity=0)

    assert stored_names("avatars") == set(keep)
    assert not PendingDeletion.objects.exists()
    assert retry_pending().removed == []  # nothing left: a second run does nothing


def test_dry_run_and_one_storage_only(settings, capsys):
    media = save("persona_media", "1/1/m.png")
    avatar = save("avatars", "full/a.jpg")
    with refusing_deletes(settings, "persona_media"), refusing_deletes(settings, "avatars"):
        with transaction.atomic():
            delete_on_commit(storages["persona_media"], media, alias="persona_media")
            delete_on_commit(storages["avatars"], avatar, alias="avatars")
    call_command("retry_deletions", "--dry-run")
    assert "2 deletions pending. Dry run" in capsys.readouterr().out
    assert PendingDeletion.objects.count() == 2

    call_command("retry_deletions", "--storage", "avatars")

    assert stored_names("avatars") == set() and stored_names("persona_media") == set(media)
    assert list(PendingDeletion.objects.values_list("storage_alias", "name")) == [("persona_media", media[0])]
    with pytest.raises(CommandError, match="Unknown storage"):
        call_command("retry_deletions", "--storage", "nope")


def test_unnamed_storage_alias_is_found_from_the_storage_object(settings):
    names = save("persona_media", "2/2/z.png")
    with refusing_deletes(settings, "persona_media"):
        with transaction.atomic():
            delete_on_commit(storages["persona_media"], names)  # no alias given: looked up
    assert list(PendingDeletion.objects.values_list("storage_alias", "name")) == [("persona_media", names[0])]


def test_the_admin_lists_pending_deletions_and_retries_the_selected(settings, moderator):
    names = save("persona_media", "3/3/a.png", "3/3/b.png")
    with refusing_deletes(settings, "persona_media"):
        with transaction.atomic():
            delete_on_commit(storages["persona_media"], names, alias="persona_media")
    url = "/admin/mediakit/pendingdeletion/"
    listing = moderator.get(url)
    assert listing.status_code == 200 and all(name in listing.content.decode() for name in names)
    first = PendingDeletion.objects.get(name=names[0])
    assert moderator.get(f"{url}add/").status_code == 403

    response = moderator.post(url, {"action": "retry", "_selected_action": [first.pk]}, follow=True)

    assert "1 files removed, 0 still refused." in response.content.decode()
    assert stored_names("persona_media") == {names[1]}
    assert list(PendingDeletion.objects.values_list("name", flat=True)) == [names[1]]


@pytest.mark.parametrize(
    ("command", "alias", "other"),
    [("cleanup_orphaned_media", "persona_media", "avatars"), ("cleanup_orphaned_avatars", "avatars", "persona_media")],
)
def test_the_orphan_sweeps_retry_their_own_storages_refused_deletions(settings, capsys, command, alias, other):
    mine, theirs = save(alias, "4/4/mine.png"), save(other, "4/4/theirs.png")
    with refusing_deletes(settings, alias), refusing_deletes(settings, other):
        with transaction.atomic():
            delete_on_commit(storages[alias], mine, alias=alias)
            delete_on_commit(storages[other], theirs, alias=other)

    call_command(command, "--dry-run")
    assert stored_names(alias) == set(mine) and PendingDeletion.objects.count() == 2
    call_command(command)

    assert "1 deletions refused earlier are done; 0 still refused." in capsys.readouterr().out
    assert stored_names(alias) == set() and stored_names(other) == set(theirs)
    assert list(PendingDeletion.objects.values_list("storage_alias", flat=True)) == [other]
