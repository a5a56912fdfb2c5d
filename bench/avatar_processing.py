"""Benchmark the avatar pipeline against a naive Pillow pipeline and a decode+encode floor.

Run from the repository root:  .venv/bin/python -m bench.avatar_processing [--runs N]

Every figure is measured in the same run as its baselines, on inputs generated
deterministically by testkit.images:

- ours:  avatars.imaging.process_avatar with the production spec, avatars.services.avatar_spec()
         (Django set up with the project's settings; BlurHash of the medium variant included).
- naive: open, load() in full, ImageOps.exif_transpose (copy), centre crop, then every
         variant resized from the full-resolution crop with LANCZOS, same encoders/settings
         (JPEG, or WebP method 2 where transparent).
- floor: the work no pipeline can skip: decode at the best JPEG draft scale (same request
         as ours), then for each variant a NEAREST resize straight from the decoded frame
         (a pixel gather, no filtering; crop folded in via `box`) and the same encode as ours.
         No EXIF rotation, no colour or alpha work, no resampling filter.
- PSNR:  of the decoded 512 px variant against a reference decoded in full (no draft),
         rotated, centre-cropped and resized straight to 512 with LANCZOS (no encode).
- memory: tracemalloc peak while processing the 4096² JPEG (Python allocations only: Pillow's
         pixel buffers are C mallocs and invisible to it), and peak-RSS growth (VmHWM, i.e.
         ru_maxrss of this address space) in a fresh subprocess after a warm-up, which does
         see pixel buffers.
"""

from __future__ import annotations

import argparse
import functools
import io
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageOps  # noqa: E402

from avatars import imaging  # noqa: E402
from avatars.conf import VARIANT_SIZES  # noqa: E402
from bench.live import django_settings  # noqa: E402
from mediakit import imaging as pipeline  # noqa: E402
from testkit import images  # noqa: E402

MIB = 1024 * 1024
REFERENCE_SIDE = 512
# Targets from the issue: ours/naive time per input, PSNR slack, memory growth.
TIME_TARGETS = {"jpeg 2000x2000": 0.45, "jpeg 4096x4096": 0.15}
PSNR_SLACK_DB = 0.5
MEMORY_TARGET_MIB = 64
MEMORY_INPUT = "jpeg 4096x4096"


def inputs() -> dict[str, bytes]:
    """The uploads to measure, built deterministically."""
    return {
        "jpeg 2000x2000": images.photo_jpeg(2000, 2000),
        "jpeg 4096x4096": images.photo_jpeg(4096, 4096),
        "jpeg 3000x2000 exif-6": images.jpeg_with_metadata(images.photo(2000, 3000), 6),
        "png rgba 2000x2000": images.png_rgba(2000, 2000),
    }


# --- the three pipelines -------------------------------------------------------------------------


@functools.cache
def spec() -> imaging.AvatarSpec:
    """The production spec, as avatars.services builds it from the project's settings."""
    django_settings()
    from avatars.services import avatar_spec

    return avatar_spec()


def ours(data: bytes) -> dict[str, bytes]:
    """The production pipeline."""
    result = imaging.process_avatar(io.BytesIO(data), spec())
    return {name: v.data for name, v in result.variants.items()}


def _centre_box(size: tuple[int, int]) -> tuple[int, int, int, int]:
    w, h = size
    side = min(w, h)
    return (w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side


def _encode(im: Image.Image) -> bytes:
    """The production encoder for this image: JPEG, or WebP (method 2) where it is transparent."""
    return pipeline.encode(im, pipeline.output_format(im), spec().encoding)


def naive(data: bytes) -> dict[str, bytes]:
    """Decode in full and resize every variant from the full-resolution crop."""
    im = Image.open(io.BytesIO(data))
    im.load()
    im = ImageOps.exif_transpose(im)
    crop = im.crop(_centre_box(im.size))
    crop.info.clear()
    out = {}
    for name, target in VARIANT_SIZES.items():
        side = min(target, crop.width)
        out[name] = _encode(crop.resize((side, side), Image.Resampling.LANCZOS))
    return out


def floor(data: bytes) -> dict[str, bytes]:
    """Draft-scale decode plus the five encodes, with only a NEAREST gather in between."""
    im = Image.open(io.BytesIO(data))
    largest = max(VARIANT_SIZES.values())
    if im.format == "JPEG":
        need = min(largest, *im.size)
        im.draft(im.mode, (need, need))
    im.load()
    box = _centre_box(im.size)
    out = {}
    for name, target in VARIANT_SIZES.items():
        side = min(target, box[2] - box[0])
        out[name] = _encode(im.resize((side, side), Image.Resampling.NEAREST, box=box))
    return out


PIPELINES: dict[str, Callable[[bytes], dict[str, bytes]]] = {"ours": ours, "naive": naive, "floor": floor}


# --- measurements --------------------------------------------------------------------------------


def median_ms(data: bytes, runs: int) -> dict[str, float]:
    """Median wall time per pipeline, runs interleaved so background load hits all alike."""
    for run_pipeline in PIPELINES.values():
        run_pipeline(data)  # warm-up: plugin imports, allocator arenas
    times: dict[str, list[float]] = {name: [] for name in PIPELINES}
    for _ in range(runs):
        for name, run_pipeline in PIPELINES.items():
            start = time.perf_counter()
            run_pipeline(data)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def reference(data: bytes) -> Image.Image:
    """Exact-as-Pillow-gets 512 px rendition: full decode, rotate, crop, one LANCZOS resize."""
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    im = im.convert("RGBA" if "A" in im.mode else "RGB")
    return im.resize((REFERENCE_SIDE,) * 2, Image.Resampling.LANCZOS, box=_centre_box(im.size))


psnr = images.psnr


def quality(data: bytes) -> dict[str, float]:
    """PSNR of our and naive's 512 px variant against the reference."""
    ref = reference(data)
    return {name: psnr(Image.open(io.BytesIO(PIPELINES[name](data)["large"])), ref) for name in ("ours", "naive")}


def tracemalloc_peak_mib(data: bytes) -> float:
    """Peak Python-heap growth while processing (excludes Pillow's pixel buffers)."""
    ours(data)
    tracemalloc.start()
    ours(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / MIB


def peak_rss_kib() -> int:
    """This process's peak resident set size in KiB."""
    # VmHWM belongs to the current address space; ru_maxrss also carries the peak of the
    # parent that forked us (Linux keeps it across exec), which would hide our own growth.
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


def rss_child(pipeline: str, path: str) -> None:
    """In a fresh interpreter: print the peak-RSS growth (KiB) of one run on the file at `path`."""
    warm = images.encode(images.photo(300, 300), "JPEG")
    PIPELINES[pipeline](warm)  # imports and plugin registration are not the upload's cost
    before = peak_rss_kib()
    with open(path, "rb") as upload:
        if pipeline == "ours":
            imaging.process_avatar(upload, spec())  # straight from disk, as an upload would arrive
        else:
            PIPELINES[pipeline](upload.read())
    print(peak_rss_kib() - before)


def rss_growth_mib(data: bytes, pipeline: str) -> float:
    """Peak-RSS growth of one run, measured in a fresh interpreter."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as upload:
        upload.write(data)
        upload.flush()
        out = subprocess.run(
            [sys.executable, "-m", "bench.avatar_processing", "--rss-child", pipeline, upload.name],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    return int(out.stdout.split()[-1]) / 1024


# --- report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per pipeline (median)")
    parser.add_argument("--rss-child", nargs=2, metavar=("PIPELINE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(*args.rss_child)
        return

    print(f"Pillow {Image.__version__}, {args.runs} runs after a warm-up, median wall time\n")
    header = (
        f"{'input':24} {'bytes':>9} {'ours ms':>8} {'naive ms':>9} {'floor ms':>9} "
        f"{'ours/naive':>10} {'ours/floor':>10} {'PSNR ours':>9} {'PSNR naive':>10}  targets"
    )
    print(header)
    print("-" * len(header))
    for name, data in inputs().items():
        ms, db = median_ms(data, args.runs), quality(data)
        ratio = ms["ours"] / ms["naive"]
        lossy = math.isfinite(db["naive"])  # naive's lossless output *is* the reference
        checks = [f"psnr {verdict(db['ours'] >= db['naive'] - PSNR_SLACK_DB)}" if lossy else "psnr n/a (lossless)"]
        if name in TIME_TARGETS:
            checks.insert(0, f"≤{TIME_TARGETS[name]:.2f}× {verdict(ratio <= TIME_TARGETS[name])}")
        print(
            f"{name:24} {len(data):>9} {ms['ours']:>8.1f} {ms['naive']:>9.1f} {ms['floor']:>9.1f} "
            f"{ratio:>9.2f}× {ms['ours'] / ms['floor']:>9.2f}× {db['ours']:>9.2f} {db['naive']:>10.2f}"
            f"  {', '.join(checks)}"
        )

    data = inputs()[MEMORY_INPUT]
    rss = {name: rss_growth_mib(data, name) for name in ("ours", "naive")}
    print(f"\nmemory, {MEMORY_INPUT} upload:")
    print(f"  tracemalloc peak (Python heap only), ours: {tracemalloc_peak_mib(data):7.1f} MiB")
    print(
        f"  peak RSS growth, fresh process,      ours: {rss['ours']:7.1f} MiB  "
        f"(≤{MEMORY_TARGET_MIB} MiB {verdict(rss['ours'] <= MEMORY_TARGET_MIB)})"
    )
    print(f"  peak RSS growth, fresh process,     naive: {rss['naive']:7.1f} MiB")


if __name__ == "__main__":
    main()
