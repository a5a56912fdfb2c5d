"""Helpers of the persona_media tests: uploads through the API and the stored files."""

from django.core.files.uploadedfile import SimpleUploadedFile

from persona_media.conf import storage_alias
from testkit import storage


def stored_files() -> list[str]:
    """Every file name in the media storage (local folder or S3 bucket prefix)."""
    return sorted(storage.stored_names(storage_alias()))


def stored_bytes(name: str) -> bytes:
    return storage.stored_bytes(storage_alias(), name)


def post_file(client, persona_id, kind: str, data: bytes, filename: str, **fields):
    """POST one file as multipart `file` (plus any other form fields) to the upload endpoint."""
    body = {"file": SimpleUploadedFile(filename, data, content_type="application/octet-stream"), **fields}
    return client.post(f"/upload/persona/{persona_id}/{kind}", body, format="multipart")
