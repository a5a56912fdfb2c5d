"""DELETE of an avatar whose files storage refuses: files_deleted says so, nothing is served, a retry removes them."""

import pytest
from django.core.management import call_command

from avatars.models import Avatar
from avatars.tests.support import URL, name_from_url, stored_names
from mediakit.models import PendingDeletion
from testkit.refusals import refusing_deletes

pytestmark = pytest.mark.django_db(transaction=True)


def test_refused_files_are_not_counted_nor_served_and_are_retried(storage_backend, settings, api, user, make_avatar):
    urls = make_avatar(user).urls
    names = {name_from_url(url) for url in urls.values()}
    assert stored_names() == names

    with refusing_deletes(settings, "avatars"):
        response = api.delete(URL)

    assert response.status_code == 200
    assert response.json() == {"message": "Avatar deleted successfully", "files_deleted": 0}
    assert not Avatar.objects.exists()
    assert stored_names() == names  # still there ...
    assert set(PendingDeletion.objects.values_list("name", flat=True)) == names
    if storage_backend == "local":  # ... but never served: the file view needs a current variant row
        assert [api.get(url).status_code for url in urls.values()] == [404] * 5
        assert [api.head(url).status_code for url in urls.values()] == [404] * 5
    assert api.get(URL).status_code == 404

    call_command("retry_deletions", verbosity=0)

    assert stored_names() == set() and not PendingDeletion.objects.exists()


def test_files_deleted_counts_what_was_removed(storage_backend, api, user, make_avatar):
    make_avatar(user)
    assert api.delete(URL).json()["files_deleted"] == 5
    assert stored_names() == set() and not PendingDeletion.objects.exists()
