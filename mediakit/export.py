"""A user's data as one ZIP, streamed while it is built; each app adds its part through a registry.

The ZIP is written by zipstream-ng: members are stored (not deflated: photos and videos do not
shrink), so the archive's length is known before its first byte and the answer carries a
Content-Length. A stored file is read only when its turn in the stream comes, chunk by chunk
(S3 objects as ranged GETs), so memory stays flat whatever the size of the export.

What the archive holds is decided before the first byte: a stored file that is not in its storage
(a rejected media file's, or one lost) is left out, and its absence logged. A file that goes
missing or comes up short after that cannot be left out any more — the Content-Length and the
central directory already count it — so the stream raises ExportInterrupted: the server then
breaks the connection off before the promised length, and the client sees a failed download,
never a short ZIP that looks whole.
"""

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from zipstream import ZIP_STORED, ZipStream

from mediakit.downloads import read_range

log = logging.getLogger(__name__)


class ExportInterrupted(RuntimeError):
    """A member could not be read whole once the export was under way; the response must break off.

    Not an OSError on purpose: WSGI servers (gunicorn, wsgiref) close the connection on any error
    raised after the headers went out, and log it as the application's failure.
    """


@dataclass(frozen=True)
class Member:
    """One file of the archive: its path, its exact length, and its bytes when asked for."""

    name: str
    size: int
    chunks: Callable[[], Iterable[bytes]]
    # (storage, stored name) of a stored file, looked for before the archive is laid out.
    source: tuple[Storage, str] | None = None

    @classmethod
    def json(cls, name: str, data) -> "Member":
        encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
        return cls(name, len(encoded), lambda: (encoded,))

    @classmethod
    def stored(cls, name: str, storage: Storage, stored_name: str, size: int) -> "Member":
        return cls(name, size, lambda: read_range(storage, stored_name, 0, size), (storage, stored_name))


# A part names the members one app contributes for a user (given the request, for absolute URLs).
Part = Callable[[object, object], Iterable[Member]]
_parts: dict[str, Part] = {}


def register(key: str, part: Part) -> None:
    """Add (or replace) an app's part; apps call this in their ready(), in INSTALLED_APPS order."""
    _parts[key] = part


class _Present:
    """Which stored names exist: one listing per folder (one S3 LIST), not one request per file."""

    def __init__(self) -> None:
        self._folders: dict[tuple[int, str], set[str]] = {}

    def __call__(self, storage: Storage, name: str) -> bool:
        folder, _, base = name.rpartition("/")
        key = (id(storage), folder)
        if key not in self._folders:
            try:
                self._folders[key] = set(storage.listdir(folder)[1])
            except FileNotFoundError:  # a local folder that is gone (S3 lists nothing instead)
                self._folders[key] = set()
        return base in self._folders[key]


def _streamed(member: Member) -> Iterator[bytes]:
    """The member's bytes, exactly member.size of them, or ExportInterrupted (logged).

    A generator: nothing is opened until the stream reaches this member.
    """
    sent = 0
    try:
        for chunk in member.chunks():
            sent += len(chunk)
            yield chunk
    except Exception as error:
        log.error("export broken off: %s could not be read", member.name, exc_info=True)
        raise ExportInterrupted(f"{member.name} could not be read") from error
    if sent != member.size:
        log.error("export broken off: %s holds %d bytes, %d were announced", member.name, sent, member.size)
        raise ExportInterrupted(f"{member.name} holds {sent} bytes, not {member.size}")


def members(user, request) -> Iterator[Member]:
    """Every registered part's members, in registration order, less stored files that are missing."""
    present = _Present()
    for part in _parts.values():
        for member in part(user, request):
            if member.source is not None and not present(*member.source):
                log.warning("export: %s left out, its stored file %s is missing", member.name, member.source[1])
                continue
            yield member


def archive(user, request) -> ZipStream:
    """The user's export, laid out now (rows read, stored files looked for), ready to stream."""
    stream = ZipStream(compress_type=ZIP_STORED, sized=True)
    for member in members(user, request):
        stream.add(_streamed(member), member.name, size=member.size)
    return stream
