"""Serving a stored file: streamed in chunks, with ETag, If-None-Match, single Range and If-Range."""

import sys
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.core.files.storage import Storage
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from rest_framework.negotiation import BaseContentNegotiation
from werkzeug.http import parse_etags, parse_range_header, quote_etag

# 64 KiB chunks: few enough system calls for fast loopback throughput, small enough to stay lean.
CHUNK_SIZE = 64 * 1024
# What _requested_range answers for a range that lies wholly past the end of the file (416).
UNSATISFIABLE = (-1, -1)


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`attachment` (or `inline`) with an ASCII `filename=` fallback and the exact name as RFC 5987 `filename*=`."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\') or "download"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class AnyAcceptNegotiation(BaseContentNegotiation):
    """Downloads answer with the file's own type whatever Accept says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


PRIVATE = "private, no-cache"


def file_headers(*, etag: str, filename: str, inline: bool = False, cache_control: str = PRIVATE) -> dict[str, str]:
    """The headers every answer about a stored file carries (200, 206, 304 and hand-offs alike)."""
    return {
        "ETag": quote_etag(etag),
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition(filename, "inline" if inline else "attachment"),
        "Cache-Control": cache_control,
    }


def not_modified(request, etag: str) -> bool:
    """Whether the request's If-None-Match names this ETag (weak comparison, as RFC 9110 asks)."""
    if_none_match = request.headers.get("If-None-Match")
    return bool(if_none_match) and parse_etags(if_none_match).contains_weak(etag)


def is_s3(storage: Storage) -> bool:
    """Whether the storage is django-storages' S3 backend (ranged GETs, presigned URLs).

    Looked up among the modules already loaded: an S3 storage has imported its backend (and boto3),
    and a host on local files never pays for importing them.
    """
    backend = sys.modules.get("storages.backends.s3")
    return backend is not None and isinstance(storage, backend.S3Storage)


def read_range(storage: Storage, name: str, start: int, stop: int) -> Iterator[bytes]:
    """Bytes [start, stop) of a stored file, chunk by chunk; S3 objects are fetched as a ranged GET.

    The file is opened at once, so a missing one raises FileNotFoundError before any byte is sent.
    """
    if stop <= start:
        return iter(())
    if is_s3(storage):  # its File object would spool the whole object first
        return _s3_chunks(storage, name, start, stop)
    return _file_chunks(storage.open(name, "rb"), start, stop)


def _s3_chunks(storage: Any, name: str, start: int, stop: int) -> Iterator[bytes]:
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))
    try:
        body = storage.bucket.Object(key).get(Range=f"bytes={start}-{stop - 1}")["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(name) from error
        raise
    return _closing(body.iter_chunks(CHUNK_SIZE), body)


def _file_chunks(fh, start: int, stop: int) -> Iterator[bytes]:
    with fh:
        fh.seek(start)
        left = stop - start
        while left > 0:
            chunk = fh.read(min(CHUNK_SIZE, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def _closing(chunks: Iterator[bytes], body) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        body.close()


def stored_file_response(
    request,
    storage: Storage,
    name: str,
    *,
    size: int,
    content_type: str,
    etag: str,
    filename: str,
    inline: bool = False,
    cache_control: str = PRIVATE,
    extra_headers: dict[str, str] | None = None,
) -> HttpResponseBase:
    """200, 206, 304 or 416 for a GET (or HEAD) of the stored file `name`, streamed and never read whole."""
    headers = {
        **file_headers(etag=etag, filename=filename, inline=inline, cache_control=cache_control),
        **(extra_headers or {}),
    }
    if not_modified(request, etag):
        unchanged = HttpResponse(status=304, headers=headers)
        del unchanged["Content-Type"]
        return unchanged
    start, stop, status = 0, size, 200
    response: HttpResponseBase
    byte_range = _requested_range(request, etag, size)
    if byte_range == UNSATISFIABLE:
        return JsonResponse(
            {
                "detail": f"The requested range is not satisfiable: the file has {size} bytes.",
                "code": "range_not_satisfiable",
            },
            status=416,
            headers={**headers, "Content-Range": f"bytes */{size}"},
        )
    if byte_range is not None:
        (start, stop), status = byte_range, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    if request.method == "HEAD":  # the headers of a GET, without reading the file
        if not storage.exists(name):  # ... but a missing file is a 404, as its GET would be
            raise FileNotFoundError(name)
        response = HttpResponse(status=status, content_type=content_type, headers=headers)
    elif status == 200 and not is_s3(storage):
        # A whole local file: FileResponse lets the WSGI server hand it to sendfile().
        whole = FileResponse(storage.open(name, "rb"), content_type=content_type)
        for header, value in headers.items():  # after: FileResponse names the stored file itself
            whole[header] = value
        whole.block_size = CHUNK_SIZE
        response = whole
    else:
        response = StreamingHttpResponse(
            read_range(storage, name, start, stop), status=status, content_type=content_type, headers=headers
        )
    response["Content-Length"] = str(stop - start)
    return response


def _requested_range(request, etag: str, size: int) -> tuple[int, int] | None:
    """The one byte range [start, stop) to send; None for the whole file; UNSATISFIABLE for a 416.

    Malformed headers, other units, several ranges and a stale If-Range all mean the whole file.
    """
    header = request.headers.get("Range")
    if not header or request.method not in ("GET", "HEAD"):
        return None
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != quote_etag(etag):
        return None
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    start, stop = parsed.ranges[0]
    if stop is None and start < 0:  # a suffix: the last -start bytes, the whole file if it is shorter
        start = max(size + start, 0)
    stop = size if stop is None else min(stop, size)
    if start >= size or start >= stop:
        return UNSATISFIABLE
    return start, stop
