"""Structural reading of ISO-BMFF (MP4) files: box headers only, never the media data."""

import os
import struct
from dataclasses import dataclass, replace
from typing import BinaryIO

# Boxes whose payload is nothing but child boxes, so their children can be walked and
# bounds-checked. `udta` and `meta` are left out on purpose: QuickTime ends `udta` with a
# 4-byte zero terminator and `meta` starts with version/flags, so neither is a plain box list.
CONTAINER_TYPES = frozenset({b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"edts", b"mvex"})

# Real files nest containers five deep (moov/trak/mdia/minf/stbl); eight leaves room for
# odd muxers while bounding recursion on a forged file of boxes inside boxes.
MAX_DEPTH = 8

# A 10 MiB MP4 has a few dozen boxes on the paths walked here, a fragmented one two per
# fragment (moof + mdat); ten thousand is generous and caps the work on a file made of
# millions of 8-byte boxes.
MAX_BOXES = 10_000

HEADER = struct.Struct(">I4s")
LARGESIZE = struct.Struct(">Q")
UUID_LENGTH = 16

# How many payload bytes each parsed full box needs, by version (fields up to width/height).
MVHD_NEEDS = {0: 4 + 16, 1: 4 + 28}
MDHD_NEEDS = {0: 4 + 16, 1: 4 + 28}
TKHD_NEEDS = {0: 4 + 80, 1: 4 + 92}
HDLR_NEEDS = 4 + 8

# mvhd and mdhd write all ones (of their 32- or 64-bit field) when the duration is unknown.
UNKNOWN_DURATION = {0: 2**32 - 1, 1: 2**64 - 1}


class Mp4Error(ValueError):
    """The bytes are not a well-formed ISO-BMFF file."""


@dataclass(frozen=True)
class Box:
    """One box: its four-character type and where its header, payload and end lie."""

    type: bytes
    start: int
    payload: int
    end: int
    children: tuple["Box", ...] = ()

    def find(self, kind: bytes) -> list["Box"]:
        """Children of the given type, in file order."""
        return [child for child in self.children if child.type == kind]

    def one(self, kind: bytes) -> "Box":
        """The single child of the given type; anything else is malformed."""
        found = self.find(kind)
        if len(found) != 1:
            where = fourcc(self.type)
            raise Mp4Error(f"'{where}' holds {len(found)} '{fourcc(kind)}' boxes, expected 1")
        return found[0]


@dataclass(frozen=True)
class Movie:
    """What the moov box says about the file."""

    major_brand: bytes
    has_video: bool
    width: int | None
    height: int | None
    duration: float | None


def major_brand(head: bytes) -> bytes | None:
    """Major brand of a file that opens with an ftyp box, from its first 12 bytes, else None."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    return head[8:12]


def read_movie(fileobj: BinaryIO) -> Movie:
    """Walk the top-level boxes and the moov tree of an MP4; raise Mp4Error if malformed."""
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    top = _read_children(fileobj, 0, size, _Budget(), depth=0)
    if not top or top[0].type != b"ftyp":
        raise Mp4Error("the file does not start with an ftyp box")
    brand = _read_ftyp(fileobj, top[0])
    if sum(box.type == b"ftyp" for box in top) > 1:
        raise Mp4Error("more than one ftyp box")
    moovs = [box for box in top if box.type == b"moov"]
    if len(moovs) != 1:
        raise Mp4Error(f"expected exactly one moov box, found {len(moovs)}")
    return _read_moov(fileobj, moovs[0], brand)


class _Budget:
    """Counts boxes read across the whole walk."""

    def __init__(self) -> None:
        self.left = MAX_BOXES

    def spend(self) -> None:
        """Account for one more box."""
        self.left -= 1
        if self.left < 0:
            raise Mp4Error(f"more than {MAX_BOXES} boxes")


def _read_children(f: BinaryIO, start: int, end: int, budget: _Budget, depth: int) -> tuple[Box, ...]:
    """Boxes laid end to end in [start, end), with container boxes read recursively."""
    if depth > MAX_DEPTH:
        raise Mp4Error(f"boxes nested deeper than {MAX_DEPTH}")
    boxes = []
    pos = start
    while pos < end:
        budget.spend()
        box = _read_header(f, pos, end, top_level=depth == 0)
        if box.type in CONTAINER_TYPES:
            box = replace(box, children=_read_children(f, box.payload, box.end, budget, depth + 1))
        boxes.append(box)
        pos = box.end
    return tuple(boxes)


def _read_header(f: BinaryIO, pos: int, end: int, *, top_level: bool) -> Box:
    """Read one box header at pos and check that the box fits inside [pos, end)."""
    head = _read_at(f, pos, HEADER.size, end)
    size, kind = HEADER.unpack(head)
    header = HEADER.size
    if size == 1:
        (size,) = LARGESIZE.unpack(_read_at(f, pos + header, LARGESIZE.size, end))
        header += LARGESIZE.size
    elif size == 0:
        if not top_level:
            raise Mp4Error(f"'{fourcc(kind)}' box with size 0 inside another box")
        size = end - pos
    if kind == b"uuid":
        header += UUID_LENGTH
    if size < header:
        raise Mp4Error(f"'{fourcc(kind)}' box at {pos} is smaller than its header")
    if pos + size > end:
        raise Mp4Error(f"'{fourcc(kind)}' box at {pos} overruns its parent")
    return Box(kind, pos, pos + header, pos + size)


def _read_at(f: BinaryIO, pos: int, length: int, end: int) -> bytes:
    """Exactly `length` bytes at pos, all before end."""
    if pos + length > end:
        raise Mp4Error(f"truncated box at {pos}")
    f.seek(pos)
    data = f.read(length)
    if len(data) != length:
        raise Mp4Error(f"unexpected end of file at {pos}")
    return data


def _payload(f: BinaryIO, box: Box, needs: int) -> bytes:
    """The first `needs` payload bytes of a box that must hold at least that many."""
    if box.end - box.payload < needs:
        raise Mp4Error(f"'{fourcc(box.type)}' box is too short")
    return _read_at(f, box.payload, needs, box.end)


def _read_ftyp(f: BinaryIO, box: Box) -> bytes:
    """Major brand of the ftyp box, after checking its layout."""
    length = box.end - box.payload
    if length < 8 or length % 4:
        raise Mp4Error("malformed ftyp box")
    return _payload(f, box, 8)[:4]


def _read_moov(f: BinaryIO, moov: Box, brand: bytes) -> Movie:
    """Duration from mvhd, and the size of the first video track."""
    duration = _duration(f, moov.one(b"mvhd"), MVHD_NEEDS)
    video = [trak for trak in moov.find(b"trak") if _handler(f, trak) == b"vide"]
    if not video:
        return Movie(brand, False, None, None, duration)
    mdia = video[0].one(b"mdia")
    if duration is None:
        duration = _duration(f, mdia.one(b"mdhd"), MDHD_NEEDS)
    width, height = _track_size(f, video[0].one(b"tkhd"))
    return Movie(brand, True, width, height, duration)


def _handler(f: BinaryIO, trak: Box) -> bytes:
    """handler_type of trak/mdia/hdlr ('vide', 'soun', ...)."""
    hdlr = trak.one(b"mdia").one(b"hdlr")
    return _payload(f, hdlr, HDLR_NEEDS)[8:12]


def _version(f: BinaryIO, box: Box, needs: dict[int, int]) -> tuple[int, bytes]:
    """Version of a full box and its payload, refusing versions we cannot read."""
    version = _payload(f, box, 1)[0]
    if version not in needs:
        raise Mp4Error(f"'{fourcc(box.type)}' box has unknown version {version}")
    return version, _payload(f, box, needs[version])


def _duration(f: BinaryIO, box: Box, needs: dict[int, int]) -> float | None:
    """duration / timescale of an mvhd or mdhd box, None when unknown."""
    version, data = _version(f, box, needs)
    if version == 0:
        timescale, duration = struct.unpack_from(">II", data, 12)
    else:
        timescale, duration = struct.unpack_from(">IQ", data, 20)
    if not timescale or not duration or duration == UNKNOWN_DURATION[version]:
        return None
    return duration / timescale


def _track_size(f: BinaryIO, tkhd: Box) -> tuple[int | None, int | None]:
    """Width and height of a tkhd box (16.16 fixed point, integer part), None when zero."""
    _, data = _version(f, tkhd, TKHD_NEEDS)
    width, height = struct.unpack_from(">II", data, len(data) - 8)
    return (width >> 16) or None, (height >> 16) or None


def fourcc(kind: bytes) -> str:
    """A box type or brand, printable in an error message: as text when it is, else in hex digits
    (Python's escapes would read as code to a client)."""
    text = kind.decode("latin-1")
    return text if text.isascii() and text.isprintable() else "hex " + kind.hex(" ")
