"""mediakit.bounds: files that cost decoders far more than their size are refused before any decoder
runs; files every camera, editor and encoder writes pass; the decode's CPU budget holds."""

import io
import time

import pytest

from mediakit import bounds
from mediakit.imaging import Limits, decode, open_image, refusing_unreadable
from mediakit.jpeg import file_buffer
from mediakit.rejections import Rejected
from testkit import damaged
from testkit import images as I

MAX_FRAMES = Limits().max_frames


def check(data: bytes, fmt: str, max_frames: int = MAX_FRAMES) -> None:
    """check_structure on the bytes held in memory, then mapped from a file as an upload spooled to disk."""
    bounds.check_structure(data, fmt, max_frames=max_frames)
    upload = io.BytesIO(data)
    with file_buffer(upload) as view:
        bounds.check_structure(view, fmt, max_frames=max_frames)


def refusal(data: bytes, fmt: str) -> Rejected:
    with pytest.raises(Rejected) as refused:
        check(data, fmt)
    return refused.value


# (id, bytes, format, code, words of the detail)
COSTLY = [
    ("jpeg-last-scan-3000-times", lambda: I.scan_bomb(), "JPEG", "corrupt_file", "more than 64 progressive scans"),
    (
        "jpeg-2.6-million-segments",
        lambda: I.jpeg_segment_flood((10 << 20) // 4),
        "JPEG",
        "corrupt_file",
        "more than 1024 segments",
    ),
    ("png-870000-chunks", lambda: I.png_chunk_flood((10 << 20) // 12), "PNG", "corrupt_file", "more than 32768 chunks"),
    (
        "gif-350000-frames",
        lambda: I.gif_frame_flood((5 << 20) // 15),
        "GIF",
        "image_too_large",
        "more than 1000 frames",
    ),
    (
        "gif-1.7-million-comments",
        lambda: I.gif_block_flood((5 << 20) // 3),
        "GIF",
        "corrupt_file",
        "more than 8192 blocks",
    ),
]


@pytest.mark.parametrize(
    ("make", "fmt", "code", "words"), [case[1:] for case in COSTLY], ids=[case[0] for case in COSTLY]
)
def test_costly_structures_are_refused_before_decoding(make, fmt, code, words):
    refused = refusal(make(), fmt)
    assert (refused.code, words in refused.detail) == (code, True), refused.detail


WRITTEN_BY_ENCODERS = {
    "jpeg baseline": (lambda: damaged.jpeg(600, 400), "JPEG"),
    "jpeg progressive (10 scans)": (lambda: damaged.jpeg(600, 400, progressive=True), "JPEG"),
    "jpeg cmyk": (lambda: damaged.jpeg(200, 240, "CMYK"), "JPEG"),
    "jpeg with exif, icc, iptc, xmp": (lambda: I.jpeg_with_metadata(I.quadrants(300, 200), 6), "JPEG"),
    "jpeg junk before EOI": (lambda: damaged.junk_before_eoi(damaged.jpeg(600, 400)), "JPEG"),
    "mpo (two pictures)": (lambda: I.mpo(300, 200), "JPEG"),
    "png rgba": (lambda: damaged.png(300, 200, "RGBA"), "PNG"),
    "png interlaced": (lambda: damaged.interlaced_png(damaged.picture(333, 257, "RGBA")), "PNG"),
    "png with text": (lambda: I.png_with_text(), "PNG"),
    "apng": (lambda: I.animated("PNG"), "PNG"),
    "gif animated": (lambda: I.animated("GIF"), "GIF"),
    "gif of 1000 frames": (lambda: I.gif_frame_flood(1000), "GIF"),
    "webp animated": (lambda: I.animated("WEBP"), "WEBP"),
}


@pytest.mark.parametrize("name", WRITTEN_BY_ENCODERS)
def test_files_encoders_write_pass(name):
    make, fmt = WRITTEN_BY_ENCODERS[name]
    check(make(), fmt)


def test_the_scan_allowance_shrinks_with_the_picture():
    assert [bounds.allowed_scans(p) for p in (1, 300 * 300, 4096 * 4096, 6000 * 4000, 8000 * 8000)] == [
        64,
        64,
        64,
        44,
        16,
    ]


def test_a_progressive_jpeg_at_its_scan_allowance_passes_and_one_more_scan_does_not():
    plain = I.scan_bomb(600, 0)
    at_limit = I.scan_bomb(600, 64 - I.progressive_scans(plain))
    assert I.progressive_scans(at_limit) == 64
    check(at_limit, "JPEG")
    refused = refusal(I.scan_bomb(600, 65 - I.progressive_scans(plain)), "JPEG")
    assert "more than 64 progressive scans" in refused.detail


def test_a_jpeg_at_its_scan_allowance_decodes():
    """Repeated scans are legal JPEG: at the allowance the pipeline decodes the picture (flat grey)."""
    data = I.scan_bomb(600, 64 - I.progressive_scans(I.scan_bomb(600, 0)))
    with refusing_unreadable(), open_image(io.BytesIO(data), "JPEG", Limits()) as im:
        frame = decode(im, io.BytesIO(data), 100)
    assert frame.getextrema() == ((128, 128),) * 3


# --- the decode's CPU budget ----------------------------------------------------------------------


def spend_cpu(seconds: float) -> None:
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        pass


def test_check_time_refuses_once_the_budget_is_spent_and_never_outside_one():
    bounds.check_time()
    with bounds.cpu_budget(0.01):
        bounds.check_time()
        spend_cpu(0.02)
        with pytest.raises(Rejected) as refused:
            bounds.check_time()
    assert refused.value.code == "corrupt_file"
    bounds.check_time()


def test_an_inner_budget_never_extends_an_outer_one():
    with bounds.cpu_budget(0.01):
        spend_cpu(0.02)
        with bounds.cpu_budget(60), pytest.raises(Rejected):
            bounds.check_time()


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
@pytest.mark.parametrize("spent_before", ["header", "pixels"])
def test_pillows_decoders_read_through_the_budget(fmt, spent_before):
    """A spent budget stops Pillow's own parsing and decoding, not only our checks."""
    data = I.encode(I.photo(300, 300).convert("P") if fmt == "GIF" else I.photo(300, 300), fmt)
    with refusing_unreadable(), open_image(io.BytesIO(data), fmt, Limits()) as im:
        decode(im, io.BytesIO(data))  # the budget is ample
    with pytest.raises(Rejected) as refused, bounds.cpu_budget(0.05):
        spend_cpu(0.06 if spent_before == "header" else 0)
        with refusing_unreadable(), open_image(io.BytesIO(data), fmt, Limits()) as im:
            spend_cpu(0.06)
            decode(im, io.BytesIO(data))
    assert refused.value.code == "corrupt_file"
    assert "takes longer" in refused.value.detail
