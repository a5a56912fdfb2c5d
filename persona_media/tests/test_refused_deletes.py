"""A media file whose stored file storage refuses to delete: its row goes, it is never served, a retry removes it."""

import pytest
from django.core.management import call_command

from mediakit.models import PendingDeletion
from persona_media.models import MediaFile
from persona_media.tests.helpers import stored_files
from testkit.refusals import refusing_deletes

pytestmark = pytest.mark.django_db(transaction=True)


def test_refused_media_file_is_never_served_and_retried(storage_backend, settings, api, media):
    before = stored_files()
    assert media.stored_name in before
    download = f"/upload/files/{media.pk}/download"
    assert api.get(download).status_code == 200

    with refusing_deletes(settings, "persona_media"):
        assert api.delete(f"/upload/files/{media.pk}").status_code == 204

    assert not MediaFile.objects.filter(pk=media.pk).exists()
    assert stored_files() == before
    assert PendingDeletion.objects.filter(storage_alias="persona_media", name=media.stored_name).exists()
    assert api.get(download).status_code == 404
    assert api.head(download).status_code == 404

    call_command("retry_deletions", verbosity=0)

    assert media.stored_name not in stored_files() and not PendingDeletion.objects.exists()
