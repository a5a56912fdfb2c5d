"""The pure avatar pipeline refuses what it must, by the header where it can, and leaves Pillow as it was."""

from __future__ import annotations

import io
import threading
import warnings

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from avatars import imaging
from avatars.imaging import ImageRejected
from avatars.tests.pipeline import Factory, run
from mediakit.imaging import Limits, open_image
from testkit import images as I

# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "code"),
    [
        pytest.param(lambda: b"", "empty_file", id="empty"),
        pytest.param(lambda: I.HTML, "unsupported_type", id="html"),
        pytest.param(lambda: I.SVG, "unsupported_type", id="svg"),
        pytest.param(lambda: I.PDF, "unsupported_type", id="pdf"),
        pytest.param(I.elf_header, "unsupported_type", id="elf"),
        pytest.param(lambda: I.TEXT, "unsupported_type", id="text"),
        pytest.param(lambda: bytes(100), "unsupported_type", id="zeros"),
        pytest.param(lambda: I.encode(I.photo(200, 200), "BMP"), "unsupported_type", id="bmp"),
        pytest.param(lambda: I.encode(I.photo(200, 200), "TIFF"), "unsupported_type", id="tiff"),
        pytest.param(
            lambda: PngImagePlugin._MAGIC + bytes(range(256)) * 4, "unsupported_type", id="png-signature-then-junk"
        ),
        pytest.param(lambda: I.truncated(I.photo_jpeg(300, 300)), "corrupt_file", id="truncated-jpeg"),
        pytest.param(lambda: I.truncated(I.png_rgba()), "corrupt_file", id="truncated-png"),
        pytest.param(
            lambda: I.truncated(I.encode(I.photo(300, 300).quantize(), "GIF")), "corrupt_file", id="truncated-gif"
        ),
        pytest.param(lambda: I.truncated(I.webp(metadata=False)), "corrupt_file", id="truncated-webp"),
        pytest.param(I.jpeg_header_only, "corrupt_file", id="jpeg-header-only"),
        pytest.param(I.png_header_only, "corrupt_file", id="png-header-only"),
        pytest.param(lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "corrupt_file", id="jpeg-soi-then-junk"),
        pytest.param(lambda: b"GIF89a" + bytes(range(256)) * 4, "corrupt_file", id="gif-signature-then-junk"),
        pytest.param(lambda: I.raw_png(300, 300, idat=b"not zlib at all"), "corrupt_file", id="png-bad-idat"),
        pytest.param(I.ztxt_bomb, "corrupt_file", id="ztxt-bomb-before-idat"),
        pytest.param(lambda: I.ztxt_bomb("after"), "corrupt_file", id="ztxt-bomb-after-idat"),
        pytest.param(lambda: I.ztxt_bomb(kind=b"iTXt"), "corrupt_file", id="itxt-bomb"),
        pytest.param(I.text_memory_bomb, "corrupt_file", id="text-memory-bomb"),
        pytest.param(lambda: I.png_bomb(60000, 60000), "image_too_large", id="png-60000"),
        pytest.param(lambda: I.jpeg_with_size(60000, 60000), "image_too_large", id="jpeg-60000"),
        pytest.param(lambda: I.gif_with_size(60000, 60000), "image_too_large", id="gif-60000"),
        pytest.param(lambda: I.webp_with_size(60000, 60000), "image_too_large", id="webp-60000"),
        pytest.param(lambda: I.webp_with_size(16384, 16384), "image_too_large", id="webp-16384"),
        pytest.param(lambda: I.jpeg_with_size(5000, 5000), "image_too_large", id="jpeg-header-5000"),
        pytest.param(lambda: I.encode(I.photo(4097, 100), "JPEG"), "image_too_large", id="4097x100"),
        pytest.param(lambda: I.encode(I.photo(100, 4097), "PNG"), "image_too_large", id="100x4097"),
        pytest.param(lambda: I.apng_claiming_frames(5000), "image_too_large", id="apng-5000-frames"),
        pytest.param(lambda: I.encode(I.photo(99, 99), "JPEG"), "image_too_small", id="99x99"),
        pytest.param(lambda: I.encode(I.photo(99, 500), "PNG"), "image_too_small", id="99x500"),
        pytest.param(lambda: I.gif_with_size(50, 50), "image_too_small", id="gif-header-50"),
    ],
)
def test_refusals(factory: Factory, code: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        run(factory())
    assert caught.value.code == code
    assert caught.value.code in imaging.REJECTION_CODES
    assert caught.value.detail


@pytest.mark.parametrize(
    ("options", "factory", "code"),
    [
        pytest.param({"max_side": 20000}, lambda: I.png_bomb(10000, 10000), "image_too_large", id="bomb-warning"),
        pytest.param({"max_frames": 2}, lambda: I.animated("GIF"), "image_too_large", id="gif-frames"),
        pytest.param({"max_frames": 2}, lambda: I.animated("WEBP"), "image_too_large", id="webp-frames"),
        pytest.param({"min_side": 301}, lambda: I.photo_jpeg(300, 300), "image_too_small", id="min-side"),
    ],
)
def test_refusals_follow_the_limits_given(options: dict[str, int], factory: Factory, code: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        run(factory(), **options)
    assert caught.value.code == code


def test_frame_cap_counts_every_frame() -> None:
    assert run(I.animated("GIF"), max_frames=3).variants["full"].side == 200


def test_mime_mismatch() -> None:
    """The pipeline opens the bytes as the format announced for them (by libmagic or a file name)."""
    with pytest.raises(ImageRejected) as caught:
        open_image(io.BytesIO(I.photo_jpeg(300, 300)), "PNG", Limits())
    assert caught.value.code == "mime_mismatch"


def test_refusing_leaves_pillow_and_warnings_as_they_were() -> None:
    filters, pixels = list(warnings.filters), Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for data in (I.png_bomb(10000, 10000), I.ztxt_bomb()):
            with pytest.raises(ImageRejected):
                run(data, max_side=20000)
    assert not [w for w in seen if issubclass(w.category, Image.DecompressionBombWarning)]
    assert warnings.filters == filters
    assert Image.MAX_IMAGE_PIXELS == pixels
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert (PngImagePlugin.MAX_TEXT_CHUNK, PngImagePlugin.MAX_TEXT_MEMORY) == (2**20, 64 * 2**20)


def test_concurrent_refusals_leave_warning_filters_alone() -> None:
    filters = list(warnings.filters)
    codes: list[str] = []

    def refuse() -> None:
        for _ in range(5):
            try:
                run(I.png_bomb(10000, 10000), max_side=20000)
            except ImageRejected as exc:
                codes.append(exc.code)

    threads = [threading.Thread(target=refuse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == ["image_too_large"] * 20
    assert warnings.filters == filters
