"""Content type from the bytes (magic numbers), never from names or client headers."""

from typing import BinaryIO

import magic

# libmagic decides every format we accept from its first few hundred bytes; 8 KiB leaves room
# for ISO-BMFF boxes and containers that put their signature a little later.
SNIFF_BYTES = 8192


def sniff_mime(fileobj: BinaryIO, head: int = SNIFF_BYTES) -> str:
    """Return the MIME type libmagic sees in the first `head` bytes; the position is restored."""
    pos = fileobj.tell()
    try:
        fileobj.seek(0)
        data = fileobj.read(head)
    finally:
        fileobj.seek(pos)
    if not data:
        return "application/x-empty"
    return magic.from_buffer(data, mime=True)
