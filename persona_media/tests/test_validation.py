"""Validation of persona media uploads, on real and forged files."""

import io
import struct

import pytest

from persona_media import mp4
from persona_media.validation import MediaInfo, MediaRejected, inspect_upload
from testkit import media as files

box, ftyp, moov, trak, mdat = files.box, files.ftyp, files.moov, files.trak, files.mdat


def inspect(data: bytes, filename: str, media_type: str) -> MediaInfo:
    """inspect_upload on bytes."""
    return inspect_upload(io.BytesIO(data), filename=filename, media_type=media_type)


def rejection(data: bytes, filename: str, media_type: str) -> MediaRejected:
    """The MediaRejected that inspect_upload raises for these bytes."""
    with pytest.raises(MediaRejected) as caught:
        inspect(data, filename, media_type)
    return caught.value


# --- Accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "filename", "mime", "extension", "size"),
    [
        (lambda: files.jpeg(64, 48), "photo.jpg", "image/jpeg", "jpg", (64, 48)),
        (lambda: files.jpeg(640, 480), "photo.jpeg", "image/jpeg", "jpg", (640, 480)),
        (lambda: files.jpeg(37, 91, progressive=True), "PHOTO.JPG", "image/jpeg", "jpg", (37, 91)),
        (lambda: files.jpeg(5, 3), "Photo.JpEg", "image/jpeg", "jpg", (5, 3)),
        (lambda: files.png(64, 48), "picture.png", "image/png", "png", (64, 48)),
        (lambda: files.png(300, 200, alpha=True), "PICTURE.PNG", "image/png", "png", (300, 200)),
        (lambda: files.png(1, 1), "C:\\Users\\me\\tiny.png", "image/png", "png", (1, 1)),
        (lambda: files.png(16384, 1), "strip.png", "image/png", "png", (16384, 1)),
    ],
)
def test_accepts_images(make, filename, mime, extension, size):
    info = inspect(make(), filename, "image")
    assert info == MediaInfo("image", mime, extension, *size, duration=None, source_mime=mime)


@pytest.mark.parametrize(
    ("make", "filename", "expected"),
    [
        (lambda: files.real_mp4(), "clip.mp4", (64, 48, 2.0)),
        (lambda: files.real_mp4("mpeg4"), "CLIP.MP4", (64, 48, 2.0)),
        (lambda: files.mp4(), "forged.mp4", (320, 240, 2.0)),
        (lambda: files.mp4(mdat_first=True), "forged.mp4", (320, 240, 2.0)),
        (
            lambda: files.mp4(movie=moov(trak(width=1920, height=1080), header=files.mvhd(600, 1500))),
            "hd.mp4",
            (1920, 1080, 2.5),
        ),
        (
            lambda: files.mp4(movie=moov(trak(version=1), header=files.mvhd(90000, 450000, version=1))),
            "v1.mp4",
            (320, 240, 5.0),
        ),
        # mvhd says nothing: the video track's mdhd does (25600 / 12800).
        (lambda: files.mp4(movie=moov(header=files.mvhd(1000, 0))), "mdhd.mp4", (320, 240, 2.0)),
        (lambda: files.mp4(movie=moov(header=files.mvhd(0, 0)), major=b"mp42"), "x.mp4", (320, 240, 2.0)),
        (lambda: files.mp4(movie=moov(header=files.mvhd(1000, 2**32 - 1))), "x.mp4", (320, 240, 2.0)),
        (lambda: ftyp() + box(b"uuid", bytes(16) + b"extension") + moov() + mdat(), "uuid.mp4", (320, 240, 2.0)),
        (lambda: files.mp4(movie=moov(trak(b"soun"), trak(width=640, height=360))), "av.mp4", (640, 360, 2.0)),
        (
            lambda: ftyp(b"iso6") + box(b"moov", files.mvhd() + trak(), large=True) + mdat(),
            "large.mp4",
            (320, 240, 2.0),
        ),
        (lambda: ftyp(b"avc1") + moov() + box(b"free") + box(b"mdat", bytes(100), size=0), "zero.mp4", (320, 240, 2.0)),
        (lambda: ftyp(b"M4V ") + moov() + box(b"mdat", bytes(100), large=True), "x.mp4", (320, 240, 2.0)),
        (lambda: ftyp(b"mp41", ()) + moov() + box(b"moof", bytes(40)) + mdat(), "x.mp4", (320, 240, 2.0)),
    ],
)
def test_the_container_walk_reads_every_valid_layout(make, filename, expected):
    """The box walk (mp4.read_movie) before any decoding: sizes and duration as the container says."""
    movie = mp4.read_movie(io.BytesIO(make()))
    assert movie.has_video and (movie.width, movie.height, movie.duration) == expected


def test_a_real_h264_mp4_is_accepted_with_what_its_streams_say():
    info = inspect(files.real_mp4(), "clip.mp4", "video")
    assert info == MediaInfo(
        "video",
        "video/mp4",
        "mp4",
        files.REAL_WIDTH,
        files.REAL_HEIGHT,
        2.0,
        float(files.REAL_RATE),
        "h264",
        "",
        info.bitrate,
        source_mime="video/mp4",
    )
    assert not info.needs_processing  # browsers play it as it is
    assert info.bitrate > 0 and info.preview.format == "JPEG" and len(info.preview.blurhash) == 28


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(files.mp4, "corrupt_file", id="valid-boxes-no-stream"),
        pytest.param(lambda: files.mp4(mdat_first=True), "corrupt_file", id="mdat-first-no-stream"),
    ],
)
def test_a_container_must_hold_a_stream_browsers_play(make, code):
    assert rejection(make(), "clip.mp4", "video").code == code


def test_restores_the_file_position():
    fileobj = io.BytesIO(files.png())
    fileobj.seek(5)
    inspect_upload(fileobj, filename="a.png", media_type="image")
    assert fileobj.tell() == 5 and not fileobj.closed


def test_unknown_media_type_is_a_programming_error():
    with pytest.raises(ValueError):
        inspect(files.png(), "a.png", "audio")


# --- Refused -------------------------------------------------------------------------------------


def _refusals() -> list:
    """(id, bytes factory, filename, endpoint, code) for every refusal."""
    audio_only = moov(trak(b"soun"))
    return [
        # Extension not allowed on this endpoint.
        ("gif-name", files.gif, "a.gif", "image", "unsupported_type"),
        ("no-extension", files.png, "png", "image", "unsupported_type"),
        ("double-extension", files.png, "a.png.exe", "image", "unsupported_type"),
        ("nul-extension", files.png, "a.png\x00.exe", "image", "unsupported_type"),
        ("mp4-name-on-image", files.mp4, "a.mp4", "image", "unsupported_type"),
        ("png-name-on-video", files.png, "a.png", "video", "unsupported_type"),
        ("mov-name", files.mp4, "a.mov", "video", "mime_mismatch"),
        # Empty.
        ("empty-image", lambda: b"", "a.png", "image", "empty_file"),
        ("empty-video", lambda: b"", "a.mp4", "video", "empty_file"),
        # Accepted types, but not what the extension says.
        ("png-as-jpg", files.png, "a.jpg", "image", "mime_mismatch"),
        ("jpeg-as-png", files.jpeg, "a.png", "image", "mime_mismatch"),
        # Types not accepted on this endpoint, whatever the name.
        ("gif-as-png", files.gif, "a.png", "image", "unsupported_type"),
        ("webp-as-jpg", files.webp, "a.jpg", "image", "mime_mismatch"),
        ("bmp-as-png", files.bmp, "a.png", "image", "unsupported_type"),
        ("html-as-png", lambda: files.HTML, "a.png", "image", "unsupported_type"),
        ("elf-as-jpg", lambda: files.ELF, "a.jpg", "image", "unsupported_type"),
        ("pdf-as-png", lambda: files.PDF, "a.png", "image", "unsupported_type"),
        ("mp4-as-png", files.mp4, "a.png", "image", "unsupported_type"),
        ("heif-as-jpg", files.heif, "a.jpg", "image", "mime_mismatch"),
        ("jpeg-as-mp4", files.jpeg, "a.mp4", "video", "unsupported_type"),
        ("html-as-mp4", lambda: files.HTML, "a.mp4", "video", "unsupported_type"),
        ("elf-as-mp4", lambda: files.ELF, "a.mp4", "video", "unsupported_type"),
        ("pdf-as-mp4", lambda: files.PDF, "a.mp4", "video", "unsupported_type"),
        ("gif-as-mp4", files.gif, "a.mp4", "video", "unsupported_type"),
        ("webm-as-mp4", lambda: files.MKV, "a.mp4", "video", "mime_mismatch"),
        ("avi-as-mp4", lambda: files.AVI, "a.mp4", "video", "unsupported_type"),
        ("random-as-mp4", lambda: files.RANDOM, "a.mp4", "video", "unsupported_type"),
        # ISO-BMFF, but the major brand is not MP4 (compatible brands do not count); QuickTime is
        # accepted, but only under its own name.
        (
            "quicktime-as-mp4",
            lambda: files.mp4(major=b"qt  ", compatible=(b"qt  ",)),
            "a.mp4",
            "video",
            "mime_mismatch",
        ),
        (
            "3gp-listing-isom",
            lambda: files.mp4(major=b"3gp4", compatible=(b"isom", b"3gp4")),
            "a.mp4",
            "video",
            "unsupported_type",
        ),
        ("m4a", lambda: files.mp4(major=b"M4A ", movie=audio_only), "a.mp4", "video", "unsupported_type"),
        ("heif", files.heif, "a.mp4", "video", "unsupported_type"),
        ("avif", lambda: files.mp4(major=b"avif", compatible=(b"avif", b"mif1")), "a.mp4", "video", "unsupported_type"),
        ("free-before-ftyp", lambda: box(b"free", bytes(8)) + files.mp4(), "a.mp4", "video", "unsupported_type"),
        # MP4 without a video track.
        ("audio-only", lambda: files.mp4(movie=audio_only), "a.mp4", "video", "unsupported_type"),
        ("no-tracks", lambda: ftyp() + box(b"moov", files.mvhd()) + mdat(), "a.mp4", "video", "unsupported_type"),
        # Broken images.
        ("truncated-jpeg", lambda: files.truncated(files.jpeg(400, 300)), "a.jpg", "image", "corrupt_file"),
        (
            "truncated-progressive",
            lambda: files.truncated(files.jpeg(400, 300, progressive=True), 0.9),
            "a.jpg",
            "image",
            "corrupt_file",
        ),
        ("jpeg-without-eoi", lambda: files.jpeg(400, 300)[:-2], "a.jpg", "image", "corrupt_file"),
        ("truncated-png", lambda: files.truncated(files.png(400, 300)), "a.png", "image", "corrupt_file"),
        ("png-header-only", lambda: files.png_header_only(16, 16)[:33], "a.png", "image", "corrupt_file"),
        ("png-scrambled-pixels", files.png_scrambled, "a.png", "image", "corrupt_file"),
        (
            "png-bad-ihdr-crc",
            lambda: files.png()[:29] + b"\0\0\0\0" + files.png()[33:],
            "a.png",
            "image",
            "corrupt_file",
        ),
        ("jpeg-soi-only", lambda: b"\xff\xd8\xff\xe0" + bytes(60), "a.jpg", "image", "corrupt_file"),
        ("png-text-bomb", files.png_text_bomb, "a.png", "image", "corrupt_file"),
        ("png-text-bomb-late", lambda: files.png_text_bomb(before_pixels=False), "a.png", "image", "corrupt_file"),
        # Too large, refused from the header alone.
        ("png-20000x20000", lambda: files.png_header_only(20000, 20000), "a.png", "image", "image_too_large"),
        ("png-9000x9000", lambda: files.png_header_only(9000, 9000), "a.png", "image", "image_too_large"),
        ("png-10000x9000", lambda: files.png_header_only(10000, 9000), "a.png", "image", "image_too_large"),
        ("png-16385-wide", lambda: files.png_header_only(16385, 10), "a.png", "image", "image_too_large"),
        ("png-20000-tall", lambda: files.png_header_only(100, 20000), "a.png", "image", "image_too_large"),
        # Malformed MP4 structure.
        ("truncated-real-mp4", lambda: files.truncated(files.real_mp4(), 0.8), "a.mp4", "video", "corrupt_file"),
        ("missing-moov", lambda: ftyp() + mdat(), "a.mp4", "video", "corrupt_file"),
        ("two-moovs", lambda: ftyp() + moov() + moov() + mdat(), "a.mp4", "video", "corrupt_file"),
        ("two-ftyps", lambda: ftyp() + ftyp() + moov(), "a.mp4", "video", "corrupt_file"),
        (
            "moov-size-overruns",
            lambda: ftyp() + box(b"moov", files.mvhd() + trak(), size=10_000),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "mdat-size-overruns",
            lambda: ftyp() + moov() + box(b"mdat", bytes(10), size=1 << 30),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "size-below-header",
            lambda: ftyp() + moov() + box(b"free", size=4) + mdat(),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        ("uuid-below-header", lambda: ftyp() + box(b"uuid", bytes(10)) + moov(), "a.mp4", "video", "corrupt_file"),
        (
            "largesize-below-header",
            lambda: ftyp() + moov() + box(b"mdat", bytes(8), large=True, size=12),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "largesize-overruns",
            lambda: ftyp() + moov() + box(b"mdat", bytes(8), large=True, size=1 << 40),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "zero-size-before-moov",
            lambda: ftyp() + box(b"mdat", bytes(8), size=0) + moov(),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "zero-size-nested",
            lambda: ftyp() + box(b"moov", files.mvhd() + box(b"trak", trak(), size=0)),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "child-overruns-parent",
            lambda: ftyp() + box(b"moov", files.mvhd()[:-8]) + files.mvhd()[-8:],
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        ("trailing-partial-header", lambda: files.mp4() + b"\0\0\0", "a.mp4", "video", "corrupt_file"),
        ("junk-after-ftyp", lambda: ftyp() + b"\xff" * 64, "a.mp4", "video", "corrupt_file"),
        ("random-after-ftyp", lambda: ftyp() + files.RANDOM, "a.mp4", "video", "corrupt_file"),
        ("short-ftyp", lambda: box(b"ftyp", b"isom\0\0") + moov() + mdat(), "a.mp4", "video", "corrupt_file"),
        ("ftyp-ragged-brands", lambda: box(b"ftyp", b"isom\0\0\0\0is") + moov(), "a.mp4", "video", "corrupt_file"),
        ("no-mvhd", lambda: ftyp() + box(b"moov", trak()), "a.mp4", "video", "corrupt_file"),
        (
            "mvhd-version-2",
            lambda: files.mp4(movie=moov(header=b"\0\0\0\x6cmvhd\x02" + bytes(99))),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "short-tkhd",
            lambda: files.mp4(
                movie=moov(
                    box(b"trak", files.full_box(b"tkhd", 0, bytes(20)) + box(b"mdia", files.mdhd() + files.hdlr()))
                )
            ),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        (
            "trak-without-hdlr",
            lambda: files.mp4(movie=moov(box(b"trak", files.tkhd(64, 48) + box(b"mdia", files.mdhd())))),
            "a.mp4",
            "video",
            "corrupt_file",
        ),
        ("deeply-nested", lambda: ftyp() + files.nested(40), "a.mp4", "video", "corrupt_file"),
        ("many-tiny-boxes", lambda: files.mp4() + box(b"free") * (mp4.MAX_BOXES + 1), "a.mp4", "video", "corrupt_file"),
    ]


REFUSALS = _refusals()


@pytest.mark.parametrize(
    ("make", "filename", "media_type", "code"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_refuses(make, filename, media_type, code):
    error = rejection(make(), filename, media_type)
    assert error.code == code
    assert error.detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ftyp() + files.nested(mp4.MAX_DEPTH), f"nested deeper than {mp4.MAX_DEPTH}"),
        (files.mp4() + box(b"free") * mp4.MAX_BOXES, f"more than {mp4.MAX_BOXES} boxes"),
    ],
)
def test_hostile_structure_hits_a_limit(data, message):
    with pytest.raises(mp4.Mp4Error, match=message):
        mp4.read_movie(io.BytesIO(data))


def test_just_within_the_limits_is_read():
    # At the depth limit the walk succeeds and finds an (innermost) trak without mdia.
    with pytest.raises(mp4.Mp4Error, match="0 'mdia' boxes"):
        mp4.read_movie(io.BytesIO(ftyp() + files.nested(mp4.MAX_DEPTH - 1)))
    padded = files.mp4() + box(b"free") * (mp4.MAX_BOXES // 2)
    assert mp4.read_movie(io.BytesIO(padded)).has_video


def test_audio_only_detail_names_the_missing_video_track():
    error = rejection(files.mp4(movie=moov(trak(b"soun"))), "a.mp4", "video")
    assert error.detail == "the MP4 has no video track"


def test_mdat_is_skipped_not_read():
    """Only headers and small full-box fields are read; the 1 MiB mdat is seeked over."""
    data = ftyp() + mdat(1 << 20) + moov()
    reads = []

    class Spy(io.BytesIO):
        def read(self, size=-1):
            reads.append((self.tell(), size))
            return super().read(size)

    assert mp4.read_movie(Spy(data)).has_video
    mdat_payload = range(len(ftyp()) + 8, len(ftyp()) + 8 + (1 << 20))
    assert all(size > 0 and offset not in mdat_payload for offset, size in reads)
    assert sum(size for _, size in reads) < 1000


@pytest.mark.parametrize(
    ("head", "brand"),
    [
        (struct.pack(">I4s4s", 24, b"ftyp", b"isom"), b"isom"),
        (struct.pack(">I4s4s", 24, b"ftyp", b"qt  "), b"qt  "),
        (struct.pack(">I4s4s", 24, b"free", b"isom"), None),
        (b"\0\0\0\x08ftyp", None),
    ],
)
def test_major_brand(head, brand):
    assert mp4.major_brand(head) == brand
