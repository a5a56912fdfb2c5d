"""Which perceptual hash blocks a rejected picture: PDQ (pdqhash) against pHash (imagehash), measured.

Run from the repository root:  .venv/bin/python -m bench.perceptual

Inputs, offline and deterministic (testkit.photosets): 100 test-kit photo-like pictures (one per seed,
four sizes) and the 18 photographs scikit-image ships in its package. Each picture is saved as a
camera would (JPEG, quality 92), then copied the ways a re-uploader copies it: re-encoded at quality 60,
resized to 50 %, both, JPEG to PNG, PNG to JPEG, JPEG to WebP, metadata changed (EXIF with GPS and a
comment added, pixels untouched). Each hash is computed the way the upload check computes it
(mediakit.fingerprint: orientation applied, at most 512 px; pHash on the same picture).

Printed: for each hash, the largest distance between a picture and any of its copies (must match), the
smallest distance between two distinct pictures and its 0.1 % quantile (must not match), and how many of
each fall on the wrong side of the threshold (PDQ: 31 of 256 bits, mediakit.fingerprint.MATCH_DISTANCE;
pHash: 10 of 64, imagehash's usual cut). Also the time one hash costs.
"""

from __future__ import annotations

import itertools
import statistics
import time

import imagehash
import numpy

from mediakit import fingerprint
from testkit.photosets import copies, distinct_photos

PHASH_THRESHOLD = 10


def phash(data) -> int:
    return int(str(imagehash.phash(fingerprint._picture(data))), 16)


def pdq(data) -> int:
    return int(fingerprint.pdq(data)[0], 16)


def measure(name: str, hasher, bits: int, threshold: int, pictures, copy_sets) -> list[str]:
    started = time.perf_counter()
    hashes = [hasher(picture) for _, picture in pictures]
    per_hash_ms = (time.perf_counter() - started) / len(pictures) * 1000
    apart = sorted((a ^ b).bit_count() for a, b in itertools.combinations(hashes, 2))
    copy_distances: dict[str, list[int]] = {}
    for what, original, copy in copy_sets:
        copy_distances.setdefault(what, []).append((hasher(original) ^ hasher(copy)).bit_count())
    worst_copy = max(max(d) for d in copy_distances.values())
    missed = sum(d > threshold for ds in copy_distances.values() for d in ds)
    false = sum(d <= threshold for d in apart)
    lines = [
        f"{name} ({bits} bits, match at <= {threshold}): {per_hash_ms:.1f} ms per picture hashed",
        f"  copies, largest distance by kind (must be <= {threshold}):",
    ]
    lines += [
        f"    {what:<32} max {max(ds):>3}  median {statistics.median(ds):>5.1f}" for what, ds in copy_distances.items()
    ]
    lines += [
        f"  copies missed: {missed} of {sum(len(d) for d in copy_distances.values())}",
        f"  distinct pictures ({len(pictures)}, {len(apart)} pairs): closest {apart[0]}, "
        f"0.1 % quantile {numpy.quantile(apart, 0.001):.0f}, median {statistics.median(apart):.0f}",
        f"  distinct pairs matched (false blocks): {false}",
        f"  margin: closest distinct - farthest copy = {apart[0] - worst_copy} bits",
    ]
    return lines


def main() -> None:
    pictures = list(distinct_photos())
    copy_sets = [item for _, picture in pictures for item in copies(picture)]
    print(f"{len(pictures)} distinct pictures, {len(copy_sets)} copies")
    featureless = [name for name, picture in pictures if fingerprint.pdq(picture)[1] < fingerprint.MIN_QUALITY]
    print(
        f"PDQ quality below {fingerprint.MIN_QUALITY} (blocked by their bytes only): {len(featureless)} {featureless}"
    )
    for line in measure("PDQ", pdq, 256, fingerprint.MATCH_DISTANCE, pictures, copy_sets):
        print(line)
    for line in measure("pHash", phash, 64, PHASH_THRESHOLD, pictures, copy_sets):
        print(line)


if __name__ == "__main__":
    main()
