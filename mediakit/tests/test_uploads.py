"""limit_upload_size and single_upload on real multipart requests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from mediakit.uploads import MULTIPART_OVERHEAD, UploadError, limit_upload_size, single_upload

LIMIT = 1000


class CountingStream:
    """wsgi.input that counts the bytes the parser takes from it."""

    def __init__(self, data: bytes) -> None:
        self.data, self.sent = data, 0

    def read(self, size: int = -1) -> bytes:
        size = len(self.data) - self.sent if size is None or size < 0 else size
        chunk = self.data[self.sent : self.sent + size]
        self.sent += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def multipart_request(content_length: int | None = None, **fields):
    """A POST with these multipart fields (files as SimpleUploadedFile); returns (request, its stream)."""
    body = encode_multipart(BOUNDARY, fields)
    stream = CountingStream(body)
    request = RequestFactory().generic(
        "POST",
        "/upload",
        **{"wsgi.input": stream, "CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(content_length or len(body))},
    )
    return request, stream


def upload(size: int, name: str = "a.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size)


def refusal(request) -> UploadError:
    with pytest.raises(UploadError) as caught:
        request.FILES  # noqa: B018  (parsing the body is the point)
    return caught.value


@pytest.mark.parametrize("size", [1, LIMIT - 1, LIMIT])
def test_files_up_to_the_limit_pass(size):
    request, _ = multipart_request(file=upload(size))
    limit_upload_size(request, LIMIT)
    assert single_upload(request).size == size


def test_one_byte_over_the_limit_is_413():
    request, _ = multipart_request(file=upload(LIMIT + 1))
    limit_upload_size(request, LIMIT)
    error = refusal(request)
    assert (error.status_code, error.get_codes()) == (413, "file_too_large")


def test_the_status_code_can_be_chosen():
    request, _ = multipart_request(file=upload(LIMIT + 1))
    limit_upload_size(request, LIMIT, status_code=400)
    assert refusal(request).status_code == 400


def test_several_files_count_together():
    request, _ = multipart_request(file=upload(600, "a.bin"), other=upload(600, "b.bin"))
    limit_upload_size(request, LIMIT)
    assert refusal(request).get_codes() == "file_too_large"


def test_a_body_far_past_the_limit_is_refused_unread():
    request, stream = multipart_request(content_length=LIMIT + MULTIPART_OVERHEAD + 1, file=upload(10))
    limit_upload_size(request, LIMIT)
    assert refusal(request).status_code == 413
    assert stream.sent == 0


def test_reading_stops_soon_after_the_limit():
    big = 4 * 1024 * 1024
    request, stream = multipart_request(file=upload(big))
    limit_upload_size(request, 100 * 1024)
    refusal(request)
    assert stream.sent < 100 * 1024 + 2 * 64 * 1024 < big


def test_limit_after_the_body_was_read_is_a_programming_error():
    request, _ = multipart_request(file=upload(10))
    request.FILES  # noqa: B018
    with pytest.raises(RuntimeError):
        limit_upload_size(request, LIMIT)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "missing_file"),
        ({"description": "no file"}, "missing_file"),
        ({"upload": upload(5)}, "missing_file"),
        ({"file": [upload(5, "a.bin"), upload(5, "b.bin")]}, "multiple_files"),
        ({"file": upload(5), "other": upload(5)}, "multiple_files"),
        ({"file": upload(0)}, "empty_file"),
    ],
)
def test_single_upload_refusals(fields, code):
    request, _ = multipart_request(**fields)
    with pytest.raises(UploadError) as caught:
        single_upload(request)
    assert (caught.value.status_code, caught.value.get_codes()) == (400, code)


def test_single_upload_returns_the_file():
    request, _ = multipart_request(file=upload(7, "photo.png"), description="words")
    uploaded = single_upload(request)
    assert (uploaded.name, uploaded.read()) == ("photo.png", b"x" * 7)


def test_through_an_endpoint(api, user):
    """The limit as the persona media endpoint sets it: 10 MiB, refused with a JSON 413."""
    from persona_media.models import Persona

    persona = Persona.objects.create(user=user, name="p")
    response = api.post(
        f"/upload/persona/{persona.pk}/image", {"file": upload(10 * 1024 * 1024 + 1, "a.png")}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file is larger than the limit of 10485760 bytes.",
        "code": "file_too_large",
    }
