"""The perceptual hash and its threshold, on real and test-kit photos: copies match, distinct pictures do not.

The full measurement (all 826 copies, beside pHash) is bench/perceptual.py; here every distinct pair and the
copies of nine pictures (four of the test kit's, five photographs), so a change of MATCH_DISTANCE, HASH_SIDE or
the hash library is caught.
"""

import io
import itertools
import random

import pytest
from PIL import Image

from mediakit import fingerprint, previews
from testkit import images as I
from testkit import phone, photosets


@pytest.fixture(scope="module")
def pictures():
    found = list(photosets.distinct_photos())
    assert len(found) >= 118, "scikit-image's sample photographs are missing (requirements-test.txt)"
    return found


def test_distinct_photos_are_far_apart(pictures):
    hashed = [(name, fingerprint.picture_hash(picture)) for name, picture in pictures]
    # PDQ judges a few too blurred to compare (scikit-image's motion-blurred clock): blocked by bytes only.
    assert len([name for name, digest in hashed if not digest]) <= 2, hashed
    hashed = [(name, digest) for name, digest in hashed if digest]
    closest = min((fingerprint.distance(a, b), x, y) for (x, a), (y, b) in itertools.combinations(hashed, 2))
    assert closest[0] > fingerprint.MATCH_DISTANCE, closest


def test_copies_match_their_original(pictures):
    worst = {}
    for name, picture in pictures[:100:25] + pictures[100::4]:  # test-kit pictures and real photographs
        for what, original, copy in photosets.copies(picture):
            gap = fingerprint.distance(fingerprint.pdq(original)[0], fingerprint.pdq(copy)[0])
            worst[what] = max(worst.get(what, (0, "")), (gap, name))
    assert all(gap <= fingerprint.MATCH_DISTANCE for gap, _ in worst.values()), worst


def test_orientation_is_applied_before_hashing():
    upright = I.photo(640, 480, seed=7)
    rotated_file = I.jpeg_with_metadata(upright, orientation=6)  # stored turned, displayed upright
    assert fingerprint.distance(fingerprint.pdq(rotated_file)[0], fingerprint.pdq(upright)[0]) <= 8


def test_featureless_pictures_have_no_hash():
    flat = I.encode(I.photo(300, 300).point(lambda _: 128), "PNG")
    digest, quality = fingerprint.pdq(flat)
    assert quality < fingerprint.MIN_QUALITY and fingerprint.picture_hash(flat) == ""


def test_probe_keys_find_every_hash_within_the_distance_and_share_none_beyond():
    rng = random.Random(5)
    for _ in range(200):
        base = rng.getrandbits(256)
        bits = rng.sample(range(256), rng.randint(0, 40))
        other = base
        for bit in bits:
            other ^= 1 << bit
        a, b = f"{base:064x}", f"{other:064x}"
        shares = bool(set(fingerprint.probe_keys(a)) & set(fingerprint.chunk_keys(b)))
        if len(bits) <= fingerprint.MATCH_DISTANCE:
            assert shares, bits  # the pigeonhole guarantee
        assert fingerprint.distance(a, b) == len(bits)


# What the upload pipelines hand a reviewer instead of the file (so a picture is decoded once): the preview's
# upright picture hashes as the stored file does, whatever the format and orientation.
PIPELINE_CASES = {
    "jpeg, EXIF orientation 6": lambda: I.jpeg_with_metadata(I.photo(1600, 1200, seed=3), orientation=6),
    "png with transparency": lambda: I.png_rgba(900, 700),
    "heic turned by irot": lambda: phone.heic(I.photo(1200, 900, seed=4), orientation=8),
}


@pytest.mark.parametrize("case", PIPELINE_CASES)
def test_the_previews_picture_hashes_as_the_file_does(case):
    from mediakit.imaging import Limits, sniff_format

    data = PIPELINE_CASES[case]()
    expected = sniff_format(io.BytesIO(data))
    _, rendition = previews.image_preview(io.BytesIO(data), expected, Limits(), 640)
    assert rendition.picture is not None and max(rendition.picture.size) == 640
    from_file, from_preview = fingerprint.picture_hash(data), fingerprint.picture_hash(rendition.picture)
    assert from_file and fingerprint.distance(from_file, from_preview) <= 6
    # and not by accident: the same picture turned the other way is far from it
    turned = fingerprint.picture_hash(rendition.picture.transpose(Image.Transpose.ROTATE_90))
    assert fingerprint.distance(from_file, turned) > fingerprint.MATCH_DISTANCE


def test_a_large_picture_is_reduced_before_hashing_as_a_jpeg_draft_is():
    big = I.photo(4000, 3000, seed=9)
    prepared = fingerprint.prepared(big)
    assert prepared.size == (128, 96) and prepared.mode == "RGB"
    assert (
        fingerprint.distance(fingerprint.picture_hash(big), fingerprint.picture_hash(I.photo_jpeg(4000, 3000, seed=9)))
        <= 6
    )
