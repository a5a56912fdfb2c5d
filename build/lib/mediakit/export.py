"""A user's data as one ZIP, streamed while it is built; each app adds its part through a registry.

The ZIP is written by zipstream-ng: members are stored (not deflated: photos and videos do not
shrink), so the archive's length is known before its first byte and the answer carries a
Content-Length. A stored file is read only when its turn in the stream comes, chunk by chunk
(S3 objects as ranged GETs), so memory stays flat whatever the size of the export.
"""
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from zipstream import ZIP_STORED, ZipStream

from mediakit.downloads import read_range


@dataclass(frozen=True)
class Member:
    """One file of the archive: its path, its exact length, and its bytes when asked for."""

    name: str
    size: int
    chunks: Callable[[], Iterable[bytes]]

    @classmethod
    def json(cls, name: str, data) -> "Member":
        encoded = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
        return cls(name, len(encoded), lambda: (encoded,))

    @classmethod
    def stored(cls, name: str, storage: Storage, stored_name: str, size: int) -> "Member":
        return cls(name, size, lambda: read_range(storage, stored_name, 0, size))


# A part names the members one app contributes for a user (given the request, for absolute URLs).
Part = Callable[[object, object], Iterable[Member]]
_parts: dict[str, Part] = {}


def register(key: str, part: Part) -> None:
    """Add (or replace) an app's part; apps call this in their ready(), in INSTALLED_APPS order."""
    _parts[key] = part


def _lazy(member: Member) -> Iterator[bytes]:
    # A generator: nothing is opened until the stream reaches this member.
    yield from member.chunks()


def archive(user, request) -> ZipStream:
    """The user's export: every registered part's members, in registration order, ready to stream."""
    stream = ZipStream(compress_type=ZIP_STORED, sized=True)
    for part in _parts.values():
        for member in part(user, request):
            stream.add(_lazy(member), member.name, size=member.size)
    return stream
