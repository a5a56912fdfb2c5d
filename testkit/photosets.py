"""Distinct photos, and copies of a photo as people make them, for measuring perceptual hashes (offline, deterministic).

The distinct set: the test kit's photo-like pictures (one per seed) and, when scikit-image is installed
(a test dependency), the real photographs it ships inside its package (scikit-image.org's sample data:
an astronaut, a cat, coffee, coins, a rocket, a retina, the Hubble deep field ...), never downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

from testkit.images.base import encode, exif_block, insert_after_soi, photo

# The photographs scikit-image ships in its wheel (skimage/data/*.png, *.jpg), at least 150 px a side.
# Left out: stereo pairs and colour/grey twins of one picture (the same scene twice), drawings, bitmaps.
SAMPLE_PHOTOS = (
    "astronaut",
    "brick",
    "camera",
    "cell",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "retina",
    "rocket",
    "colorwheel",
    "page",
    "text",
)
SIZES = ((640, 480), (480, 640), (800, 600), (512, 512))


def sample_photos() -> Iterator[tuple[str, Image.Image]]:
    """scikit-image's shipped photographs as RGB pictures (none when it is not installed)."""
    try:
        from skimage import data
    except ImportError:
        return
    for name in SAMPLE_PHOTOS:
        pixels = getattr(data, name)()
        yield f"skimage.{name}", Image.fromarray(pixels).convert("RGB")


def distinct_photos(seeds: int = 100) -> Iterator[tuple[str, Image.Image]]:
    """`seeds` test-kit photos of varied sizes, then scikit-image's photographs."""
    for seed in range(1, seeds + 1):
        width, height = SIZES[seed % len(SIZES)]
        yield f"testkit.photo{seed}", photo(width, height, seed=seed)
    yield from sample_photos()


def _jpeg(picture: Image.Image, quality: int) -> bytes:
    return encode(picture, "JPEG", quality=quality)


def _decoded(data: bytes) -> Image.Image:
    import io

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def with_new_metadata(jpeg: bytes) -> bytes:
    """The same JPEG (same compressed pixels) with a camera's EXIF (GPS included) and a comment added."""
    exif = exif_block().tobytes()
    app1 = b"\xff\xe1" + (len(exif) + 8).to_bytes(2, "big") + b"Exif\x00\x00" + exif
    comment = b"edited by someone else"
    com = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return insert_after_soi(jpeg, app1 + com)


def copies(picture: Image.Image) -> Iterator[tuple[str, bytes, bytes]]:
    """(what was done, the uploaded original, the copy) for each way a picture comes back."""
    original = _jpeg(picture, 92)  # as a camera or phone saves it
    decoded = _decoded(original)
    half = decoded.resize((decoded.width // 2, decoded.height // 2), Image.Resampling.LANCZOS)
    png = encode(picture, "PNG")
    yield "re-encoded at quality 60", original, _jpeg(decoded, 60)
    yield "resized to 50 %", original, _jpeg(half, 85)
    yield "resized to 50 % and quality 60", original, _jpeg(half, 60)
    yield "JPEG to PNG", original, encode(decoded, "PNG")
    yield "PNG to JPEG", png, _jpeg(picture, 85)
    yield "JPEG to WebP", original, encode(decoded, "WEBP", quality=80)
    yield "metadata changed", original, with_new_metadata(original)
