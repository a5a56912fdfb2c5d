"""Serving a stored file: streamed in chunks, with ETag, If-None-Match, single Range and If-Range."""
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from django.core.files.storage import Storage
from django.http import HttpResponse, StreamingHttpResponse
from werkzeug.http import parse_etags, parse_range_header, quote_etag

# 64 KiB chunks: few enough system calls for fast loopback throughput, small enough to stay lean.
CHUNK_SIZE = 64 * 1024


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename=` fallback and the exact name as RFC 5987 `filename*=`."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\') or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def read_range(storage: Storage, name: str, start: int, stop: int) -> Iterator[bytes]:
    """Bytes [start, stop) of a stored file, chunk by chunk; S3 objects are fetched as a ranged GET."""
    if stop <= start:
        return
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # django-storages S3: its File object would spool the whole object first
        key = storage._normalize_name(storage._clean_name(name))
        body = bucket.Object(key).get(Range=f"bytes={start}-{stop - 1}")["Body"]
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as fh:
        fh.seek(start)
        left = stop - start
        while left > 0:
            chunk = fh.read(min(CHUNK_SIZE, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def stored_file_response(request, storage: Storage, name: str, *, size: int, content_type: str,
                         etag: str, filename: str) -> HttpResponse:
    """200, 206, 304 or 416 for a GET of the stored file `name`, streamed and never read whole."""
    headers = {
        "ETag": quote_etag(etag),
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": "private, no-cache",
    }
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and parse_etags(if_none_match).contains_weak(etag):
        return HttpResponse(status=304, headers=headers)
    start, stop, status = 0, size, 200
    byte_range = _requested_range(request, etag)
    if byte_range is not None:
        bounds = byte_range.range_for_length(size)
        if bounds is None:
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        (start, stop), status = bounds, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    response = StreamingHttpResponse(read_range(storage, name, start, stop), status=status,
                                     content_type=content_type, headers=headers)
    response["Content-Length"] = str(stop - start)
    return response


def _requested_range(request, etag: str):
    """The one byte range to honour, or None (no header, malformed, several ranges, stale If-Range)."""
    header = request.headers.get("Range")
    if not header or request.method not in ("GET", "HEAD"):
        return None
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != quote_etag(etag):
        return None
    parsed = parse_range_header(header)
    if parsed is None or len(parsed.ranges) != 1:
        return None
    return parsed
