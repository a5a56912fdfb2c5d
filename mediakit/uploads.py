"""Receiving one uploaded file: a byte limit enforced while reading, and the one-file rule."""

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from rest_framework import serializers, status
from rest_framework.exceptions import APIException


class UploadError(APIException):
    """A refused upload: `detail` for people, `code` for programs, 400 unless said otherwise."""

    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str, code: str, status_code: int | None = None):
        super().__init__(detail, code)
        if status_code is not None:
            self.status_code = status_code


class LimitUploadHandler(FileUploadHandler):
    """First in the handler chain: refuses the body as soon as it passes `limit` bytes of file data."""

    def __init__(self, request=None, *, limit: int, status_code: int):
        super().__init__(request)
        self.limit = limit
        self.status_code = status_code
        self.received = 0

    def too_large(self) -> UploadError:
        return UploadError(
            f"The file is larger than the limit of {self.limit} bytes.", "file_too_large", self.status_code
        )

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Multipart framing adds a little to the body; a body this far past the limit cannot fit.
        if content_length and content_length > self.limit + MULTIPART_OVERHEAD:
            raise self.too_large()

    # The count runs over every file part of the body, so several files cannot add up past it.
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise self.too_large()
        return raw_data

    def file_complete(self, file_size: int):
        return None


# Room for the multipart boundaries, part headers and a description field of 1000 characters.
MULTIPART_OVERHEAD = 64 * 1024


def limit_upload_size(request, limit: int, status_code: int = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE) -> None:
    """Put the byte limit in front of Django's upload handlers; call before touching request.data."""
    django_request = getattr(request, "_request", request)
    if hasattr(django_request, "_files"):  # too late: the body was parsed without the limit
        raise RuntimeError("limit_upload_size() must be called before the request body is read")
    django_request.upload_handlers.insert(0, LimitUploadHandler(django_request, limit=limit, status_code=status_code))


def single_upload(request, field: str = "file") -> UploadedFile:
    """The one file of the request, in `field`; refuses none, another field, several, or an empty one."""
    files = request.FILES
    count = sum(len(files.getlist(name)) for name in files)
    if field not in files:
        raise UploadError(f"Send the file as multipart/form-data in the field '{field}'.", "missing_file")
    if count != 1:
        raise UploadError("Send exactly one file per request.", "multiple_files")
    upload = files[field]
    if not upload.size:
        raise UploadError("The file is empty.", "empty_file")
    return upload


class SingleUploadField(serializers.FileField):
    """The request's one uploaded file, in this field; refusals are single_upload's, with its codes."""

    def validate_empty_values(self, data):
        return False, data  # "no file" is refused by single_upload with the API's own code

    def to_internal_value(self, data) -> UploadedFile:
        return single_upload(self.context["request"], self.field_name or "file")
