"""Answering a download: streamed by Django, or handed to nginx (X-Accel-Redirect) or to S3 (presigned)."""

from typing import Any
from urllib.parse import quote

from django.core.files.storage import FileSystemStorage
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from mediakit.downloads import content_disposition, file_headers, is_s3, not_modified, stored_file_response
from persona_media import conf
from persona_media.models import MediaFile


def download_response(request, media: MediaFile, *, inline: bool = False) -> HttpResponseBase:
    """The file's bytes, or a hand-off to whatever serves them better in production."""
    storage = conf.storage()
    if not not_modified(request, media.sha256):  # a 304 is ours to answer, whoever sends the bytes
        prefix = conf.accel_redirect_prefix()
        if prefix and isinstance(storage, FileSystemStorage):
            return accel_redirect(media, prefix, inline=inline)
        if conf.presigned_redirect() and is_s3(storage):
            return presigned_redirect(storage, media, inline=inline)
    return stored_file_response(
        request,
        storage,
        media.stored_name,
        size=media.size_bytes,
        content_type=media.mime_type,
        etag=media.sha256,
        filename=media.original_filename,
        inline=inline,
    )


def accel_redirect(media: MediaFile, prefix: str, *, inline: bool) -> HttpResponse:
    """An empty answer telling nginx to send the file from its internal location (ranges included)."""
    headers = file_headers(etag=media.sha256, filename=media.original_filename, inline=inline)
    response = HttpResponse(content_type=media.mime_type, headers=headers)
    response["X-Accel-Redirect"] = prefix + quote(media.stored_name)
    return response


def presigned_redirect(storage: Any, media: MediaFile, *, inline: bool) -> HttpResponse:  # an S3Storage
    """302 to a short-lived signed S3 URL whose answer carries the same type and file name."""
    disposition = content_disposition(media.original_filename, "inline" if inline else "attachment")
    url = storage.url(
        media.stored_name,
        expire=conf.presigned_seconds(),
        parameters={"ResponseContentType": media.mime_type, "ResponseContentDisposition": disposition},
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response


def preview_response(request, media: MediaFile) -> HttpResponseBase:
    """The preview, inline, cacheable by the browser for as long as its signed URL lives."""
    stem = media.original_filename.rsplit(".", 1)[0] or "preview"
    return stored_file_response(
        request,
        conf.storage(),
        media.preview_name,
        size=media.preview_bytes or 0,
        content_type=media.preview_type,
        etag=media.preview_name.rsplit("/", 1)[-1],
        filename=f"{stem}.{media.preview_name.rsplit('.', 1)[-1]}",
        inline=True,
        cache_control=f"private, max-age={conf.url_ttl()}",
    )
