"""Checks on uploaded persona media and their file names; no Django here.

Images: JPEG, PNG, WebP and AVIF are stored as uploaded; HEIC/HEIF, which browsers do not show, as a
JPEG made here from its primary image. Videos: an MP4 that browsers play (H.264 8-bit 4:2:0, AAC or
no audio) is stored as uploaded; anything else that decodes (QuickTime, WebM, HEVC, VP9, AV1, MPEG-4
Part 2, 10-bit, 4:4:4...) is stored as uploaded and marked for conversion in the background.
"""

import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from mediakit import video
from mediakit.imaging import FORMAT_BY_MIME, Encoding, Limits
from mediakit.previews import Rendition, image_preview, preview_of
from mediakit.rejections import Rejected
from mediakit.sniff import sniff_mime
from mediakit.stills import as_jpeg
from persona_media import mp4

# The extensions each upload endpoint takes (API.md), lower case, without the dot. HEIC and HEIF
# are one family (an iPhone's .heic and another camera's .heif hold the same boxes).
EXTENSIONS = {
    "image": {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "avif": "image/avif",
        "heic": "image/heif",
        "heif": "image/heif",
    },
    "video": {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"},
}
# Canonical extension and Pillow format of each accepted type (as stored: a HEIF becomes a JPEG).
CANONICAL_EXTENSION = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heif": "jpg",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}
PILLOW_FORMAT = {mime: FORMAT_BY_MIME[mime] for mime in ("image/jpeg", "image/png", "image/webp", "image/avif")}
# libmagic's names for the HEIF family, folded into one type here.
HEIF_FAMILY = frozenset({"image/heic", "image/heif"})
# FFmpeg's demuxer of each video type ("mp4" reads QuickTime too).
DEMUXER = {"video/mp4": "mp4", "video/quicktime": "mp4", "video/webm": "webm"}
# The video codecs accepted for conversion: what phones, cameras and screen recorders write. Each is a
# decoder FFmpeg fuzzes; anything rarer (Theora, WMV, ProRes RAW...) is refused as unsupported_codec.
CONVERTIBLE_CODECS = ("h264", "hevc", "vp9", "av1", "vp8", "mpeg4", "prores")
QUICKTIME_BRAND = b"qt  "
# A QuickTime or WebM file is always converted, and the conversion decodes every frame: at upload a few
# leading frames must decode (and give the poster), not the probe's usual 24 (a 1080p HEVC clip's probe
# then costs the web worker about what an H.264 MP4's does; `make bench`, bench.phone_media).
QUEUED_FIRST_FRAMES = 6

# API.md: at most 64 megapixels, neither side above 16384 px. At 64 MP a fully decoded RGBA
# image is ~256 MB, which is why JPEGs are decoded at reduced scale (see _inspect_image).
IMAGE_LIMITS = Limits(max_side=16384, max_pixels=64_000_000)

# Major brands that mean "MP4" (API.md); compatible brands are ignored, so a 3GP, QuickTime,
# M4A or HEIF file that lists `isom` among them is still refused.
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V "})

# Enough of the file to see an ftyp box's size, type and major brand.
HEAD_BYTES = 12
CHUNK_SIZE = 1024 * 1024

# Characters dropped from file names: controls and format characters (API.md: NUL, U+202E,
# zero-width characters), lone surrogates (cannot be stored as UTF-8), and the line and
# paragraph separators that act as line breaks.
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# A longer suffix is part of the name, not an extension, and may be cut when the name is long.
MAX_EXTENSION_LENGTH = 16
EXTENSION = re.compile(rf"\.[^\s.]{{1,{MAX_EXTENSION_LENGTH}}}$")
DIRECTORIES = re.compile(r"[/\\]")
EDGE_JUNK = re.compile(r"^[\s.]+|[\s.]+$")
TRAILING_JUNK = re.compile(r"[\s.]+$")


# Every refusal of the checks below (and of mediakit's image pipeline) is a plain Rejected.
MediaRejected = Rejected


@dataclass(frozen=True)
class Rules:
    """How far uploads are read: the preview's size, the longest video, the preview's encoder."""

    preview_side: int = 640
    max_video_seconds: float = video.DEFAULT_MAX_SECONDS
    encoding: Encoding = Encoding()


@dataclass(frozen=True)
class MediaInfo:
    """What an accepted upload turned out to be: sizes as displayed, streams as decoded, its preview."""

    media_type: str
    mime_type: str
    extension: str
    width: int | None
    height: int | None
    duration: float | None = None
    fps: float | None = None
    video_codec: str = ""
    audio_codec: str = ""
    bitrate: int | None = None
    preview: Rendition | None = field(default=None, repr=False, compare=False)
    source_mime: str = ""  # what was uploaded (mime_type is what is stored and served)
    converted: bytes | None = field(default=None, repr=False, compare=False)  # stored instead of the upload
    needs_processing: bool = False  # a video to convert in the background

    @property
    def demuxer(self) -> str:
        return DEMUXER.get(self.source_mime, "mp4")


def inspect_upload(fileobj: BinaryIO, *, filename: str, media_type: str, rules: Rules = Rules()) -> MediaInfo:
    """Check an upload for the "image" or "video" endpoint and make its preview; raise MediaRejected if refused."""
    position = fileobj.tell()
    try:
        detected = check_type(fileobj, filename=filename, media_type=media_type)
        if media_type == "video":
            return _inspect_video(fileobj, detected, rules)
        if detected in HEIF_FAMILY:
            return _convert_still(fileobj, detected, rules)
        return _inspect_image(fileobj, detected, rules)
    finally:
        fileobj.seek(position)


def check_type(fileobj: BinaryIO, *, filename: str, media_type: str) -> str:
    """The upload's type from its name and first bytes, which must agree with each other and the endpoint.

    Cheap (no decoding): run it before anything else judges the upload (a JPEG sent to the video
    endpoint is `unsupported_type`, whatever else is true of it).
    """
    allowed = EXTENSIONS.get(media_type)
    if allowed is None:
        raise ValueError(f"unknown media type {media_type!r}")
    extension = file_extension(filename)
    if extension not in allowed:
        expected = ", ".join(f".{ext}" for ext in allowed)
        raise MediaRejected("unsupported_type", f"only {expected} files are accepted here")
    position = fileobj.tell()
    try:
        return _check_bytes(fileobj, allowed[extension], media_type)
    finally:
        fileobj.seek(position)


def file_extension(filename: str) -> str:
    """Lower-case extension (no dot) of the name as sanitize_filename would store it."""
    _, extension = _split_extension(sanitize_filename(filename))
    return extension[1:].lower()


def _check_bytes(fileobj: BinaryIO, claimed: str, media_type: str) -> str:
    """Compare the bytes with the type the extension claims."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    if not head:
        raise MediaRejected("empty_file", "the file is empty")
    sniffed = sniff_mime(fileobj)
    detected = _detect(sniffed, head)
    if detected not in EXTENSIONS[media_type].values():
        raise MediaRejected("unsupported_type", f"content of type {sniffed} is not accepted here")
    if detected != claimed:
        raise MediaRejected("mime_mismatch", f"the name says {claimed}, the content is {detected}")
    return detected


def _detect(sniffed: str, head: bytes) -> str:
    """MIME type of the bytes: libmagic's for images and WebM, our own ftyp test for ISO-BMFF."""
    if sniffed in PILLOW_FORMAT:
        return sniffed
    if sniffed in HEIF_FAMILY:
        return "image/heif"
    # libmagic names MP4s video/quicktime, audio/mp4 or video/3gpp by whim; any file opening
    # with an ftyp box is ISO-BMFF: QuickTime by its major brand `qt  `, else MP4 (whose brand
    # is judged with the structure, so a 3GP is told why it is refused).
    brand = mp4.major_brand(head)
    if brand == QUICKTIME_BRAND:
        return "video/quicktime"
    if brand is not None and sniffed not in HEIF_FAMILY and sniffed != "image/avif":
        return "video/mp4"
    return sniffed


def _inspect_image(fileobj: BinaryIO, mime: str, rules: Rules) -> MediaInfo:
    """Check the header's dimensions, decode every pixel and make the preview (mediakit's image pipeline)."""
    (width, height), preview = image_preview(
        fileobj, PILLOW_FORMAT[mime], IMAGE_LIMITS, rules.preview_side, rules.encoding
    )
    return MediaInfo("image", mime, CANONICAL_EXTENSION[mime], width, height, preview=preview, source_mime=mime)


def _inspect_video(fileobj: BinaryIO, detected: str, rules: Rules) -> MediaInfo:
    """Check the container's structure, then decode the streams (FFmpeg, in a child process)."""
    if not video.available():
        raise MediaRejected("unsupported_type", "this server does not accept video uploads")
    if detected != "video/webm":
        _check_iso_bmff(fileobj, detected)
    with on_disk(fileobj) as path:
        found = video.probe(
            path,
            rules.max_video_seconds,
            container_format=DEMUXER[detected],
            codecs=CONVERTIBLE_CODECS,
            first_frames=video.SEQUENTIAL_FRAMES if detected == "video/mp4" else QUEUED_FIRST_FRAMES,
        )
    playable = (
        detected == "video/mp4"
        and found.video_codec == "h264"
        and found.pixel_format == "yuv420p"
        and found.audio_codec in (None, "aac")
    )
    return MediaInfo(
        "video",
        detected,
        CANONICAL_EXTENSION[detected],
        found.width,
        found.height,
        found.duration,
        found.fps,
        found.video_codec,
        found.audio_codec or "",
        found.bitrate,
        preview_of(found.poster, rules.preview_side, rules.encoding),
        source_mime=detected,
        needs_processing=not playable,
    )


def _check_iso_bmff(fileobj: BinaryIO, detected: str) -> None:
    """An MP4's major brand, and the box structure of an MP4 or QuickTime file with a video track."""
    fileobj.seek(0)
    brand = mp4.major_brand(fileobj.read(HEAD_BYTES)) or b""
    if detected == "video/mp4" and brand not in MP4_BRANDS:
        raise MediaRejected("unsupported_type", f"major brand '{mp4.fourcc(brand)}' is not MP4")
    kind = "MP4" if detected == "video/mp4" else "QuickTime file"
    try:
        movie = mp4.read_movie(fileobj)
    except mp4.Mp4Error as error:
        raise MediaRejected("corrupt_file", f"the {kind} is malformed: {error}") from error
    if not movie.has_video:
        raise MediaRejected("unsupported_type", f"the {kind} has no video track")


def _convert_still(fileobj: BinaryIO, detected: str, rules: Rules) -> MediaInfo:
    """A HEIF decoded once into the JPEG stored in its place, and that JPEG's preview."""
    still = as_jpeg(fileobj, "HEIF", IMAGE_LIMITS, rules.preview_side, rules.encoding)
    return MediaInfo(
        "image",
        "image/jpeg",
        "jpg",
        still.width,
        still.height,
        preview=still.preview,
        source_mime=_heif_name(fileobj),
        converted=still.data,
    )


def _heif_name(fileobj: BinaryIO) -> str:
    """image/heic for HEVC-coded HEIF (an iPhone's), image/heif for the rest, as libmagic tells them."""
    sniffed = sniff_mime(fileobj)
    return sniffed if sniffed in HEIF_FAMILY else "image/heif"


@contextmanager
def on_disk(fileobj: BinaryIO) -> Iterator[str]:
    """A path to the upload's bytes: its own temporary file when it has one, else a copy."""
    path = getattr(fileobj, "temporary_file_path", None)
    if path is not None:
        yield path()
        return
    with tempfile.NamedTemporaryFile(suffix=".video") as copy:
        fileobj.seek(0)
        shutil.copyfileobj(fileobj, copy, CHUNK_SIZE)
        copy.flush()
        yield copy.name


def sanitize_filename(name: str, *, max_length: int = 255) -> str:
    """A safe base name: no directories, controls or format characters; at most max_length."""
    if max_length < 1:
        raise ValueError("max_length must be positive")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in DROPPED_CATEGORIES)
    base = DIRECTORIES.split(unicodedata.normalize("NFC", name))[-1]
    stem, extension = _split_extension(TRAILING_JUNK.sub("", base))
    stem = EDGE_JUNK.sub("", stem) or "file"
    if len(extension) >= max_length:  # no room to keep it: cut the name as a whole
        stem, extension = stem + extension, ""
    return TRAILING_JUNK.sub("", stem[: max_length - len(extension)]) + extension


def _split_extension(name: str) -> tuple[str, str]:
    """Split "a.b.png" into ("a.b", ".png"); a long or spaced suffix is no extension."""
    match = EXTENSION.search(name)
    if match is None:
        return name, ""
    return name[: match.start()], match.group()
