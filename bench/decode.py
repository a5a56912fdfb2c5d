"""Benchmark the avatar pipeline near its floor (M/8 JPEG decoding) and WebP for transparent avatars.

Run from the repository root:  .venv/bin/python -m bench.decode [--runs N] [--clock cpu]

Every figure is measured in the same run as its baselines (runs interleaved, median time), on
inputs generated deterministically by testkit.images:

JPEG, per input (2000² and 4096² photo-like JPEGs):
- today:    avatars.imaging.process_avatar(fileobj, avatars.services.avatar_spec()): libjpeg-turbo
            decode at the smallest M/8 scale ≥ 1024 px (5/8 of 2000 = 1250), BICUBIC to 1024 px
            and down the variant chain, five JPEG encodes, BlurHash of the medium variant.
- previous: the pipeline when the issue was filed: Pillow's draft() decode (1/2, 1/4, 1/8 only:
            2000 px is decoded whole), BICUBIC to 1024 px, LANCZOS down the chain; the PSNR bound
            is taken from it.
- floor:    bench.avatar_processing.floor: decode at the nearest 1/2^k scale + the five encodes,
            a NEAREST gather in between. The issue's goal: today ≤ 1.5× this.
- naive:    bench.avatar_processing.naive: full decode, every variant LANCZOS from the full crop.
- fast:     a candidate, not today's code: today's decode, BILINEAR for the one step to 1024 px,
            then Image.reduce(2) (a 2×2 mean, exact for the chain's halvings) for each variant.
- PSNR:     of each pipeline's 512 px variant against an exact LANCZOS reference (full decode,
            one resize); goal: within 0.3 dB of the previous pipeline's.

WebP, on a 2000² RGBA PNG: today's pipeline (WebP method 2 variants) beside the same pipeline
encoding PNG variants (compress_level 6, as before): whole-pipeline time, total bytes, PSNR of the
512 px variant (composited over grey: colour under full transparency does not count). Goal:
≤ 0.5× the PNG pipeline's time and ≤ 0.25× its bytes. Then the five encodes alone for WebP
methods 0..5 beside PNG (what `method` trades).

Integrity: what mediakit.integrity.check_intact costs beside Pillow's full decode of the same file.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import simplejpeg  # noqa: E402
from PIL import Image  # noqa: E402

from avatars import imaging as avatars  # noqa: E402
from bench.avatar_processing import floor, naive, psnr, reference, spec  # noqa: E402
from mediakit import imaging, integrity  # noqa: E402
from mediakit.previews import blurhash  # noqa: E402
from testkit import images  # noqa: E402

FLOOR_TARGET = 1.5
PSNR_SLACK_DB = 0.3
WEBP_TIME_TARGET, WEBP_BYTES_TARGET = 0.5, 0.25
WEBP_METHODS = range(6)  # method 6 takes ~30x method 2 for 8 % fewer bytes: left out to keep `make bench` short
# --clock cpu: process CPU time instead of wall time; steadier on a machine others are loading
# (every pipeline here is single-threaded).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]
Pipeline = Callable[[bytes], dict[str, bytes]]


# --- pipelines -----------------------------------------------------------------------------------


def today(data: bytes) -> dict[str, bytes]:
    result = avatars.process_avatar(io.BytesIO(data), spec())
    return {label: v.data for label, v in result.variants.items()}


def render(
    data: bytes,
    *,
    draft: bool = False,
    fast: bool = False,
    fmt: str | None = None,
    encoding: imaging.Encoding | None = None,
    chain: Image.Resampling = imaging.RESAMPLE,
) -> dict[str, bytes]:
    """process_avatar's steps from mediakit's pieces, with the decoder, resampling and encoder pluggable."""
    sizes, fileobj = spec().sizes, io.BytesIO(data)
    largest = max(sizes.values())
    with imaging.refusing_unreadable():
        im = imaging.open_image(fileobj, imaging.sniff_format(fileobj), spec().limits)
        if draft and im.format == "JPEG":
            im.draft(im.mode, (min(largest, *im.size),) * 2)  # Pillow: 1/2, 1/4 or 1/8 only
            im.load()
            frame = im
        else:
            frame = imaging.decode(im, fileobj, largest)
        side = min(frame.size)
        box = (
            (frame.width - side) // 2,
            (frame.height - side) // 2,
            (frame.width - side) // 2 + side,
            (frame.height - side) // 2 + side,
        )
        target = min(largest, side)
        if fast and frame.mode == "RGB" and target != side:
            top = frame.resize((target, target), Image.Resampling.BILINEAR, box=box)
        else:
            top = imaging.resized(frame, (target, target), box)
        imaging.orient(top)
        top = imaging.to_srgb(top, frame.info.get("icc_profile"))
    rendered, current = {}, top
    for label, want in sorted(sizes.items(), key=lambda item: -item[1]):
        want = min(want, top.width)
        if current.width == 2 * want and fast:
            current = current.reduce(2)
        elif current.width != want:
            current = current.resize((want, want), chain)
        rendered[label] = current
    out_fmt = fmt or imaging.output_format(top)
    out = {label: imaging.encode(im, out_fmt, encoding or spec().encoding) for label, im in rendered.items()}
    blurhash(rendered[spec().blurhash_label])
    return out


def encodes_only(rendered: dict[str, Image.Image], fmt: str, encoding: imaging.Encoding) -> Pipeline:
    return lambda _: {label: imaging.encode(im.copy(), fmt, encoding) for label, im in rendered.items()}


# --- measurement ---------------------------------------------------------------------------------


def median_ms(
    data: bytes, pipelines: dict[str, Pipeline], runs: int
) -> tuple[dict[str, float], dict[str, dict[str, bytes]]]:
    """Median time per pipeline (runs interleaved, so background load hits all alike),
    and each pipeline's output from its warm-up run."""
    outputs = {name: pipeline(data) for name, pipeline in pipelines.items()}
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    for _ in range(runs):
        for name, pipeline in pipelines.items():
            start = clock()
            pipeline(data)
            times[name].append((clock() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}, outputs


def on_grey(im: Image.Image) -> Image.Image:
    """An image as it is seen: RGBA composited over mid grey, RGB as it is."""
    if im.mode != "RGBA":
        return im.convert("RGB")
    return Image.alpha_composite(Image.new("RGBA", im.size, (128, 128, 128, 255)), im).convert("RGB")


def large_psnr(variants: dict[str, bytes], ref: Image.Image) -> float:
    return psnr(on_grey(Image.open(io.BytesIO(variants["large"]))), on_grey(ref))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


# --- report --------------------------------------------------------------------------------------


def jpeg_table(runs: int) -> None:
    pipelines = {
        "today": today,
        "floor": floor,
        "naive": naive,
        "previous": lambda d: render(d, draft=True, chain=Image.Resampling.LANCZOS),
        "fast": lambda d: render(d, fast=True),
    }
    header = (
        f"{'input':15} {'today':>6} {'floor':>6} {'naive':>6} {'prev':>6} {'fast':>6} {'today/floor':>11} "
        f"{'today/naive':>11} {'prev/floor':>10} {'fast/floor':>10} {'PSNR today':>10} {'prev':>6} "
        f"{'fast':>6} {'naive':>6}  targets"
    )
    print(header + "\n" + "-" * len(header))
    for side in (2000, 4096):
        data = images.photo_jpeg(side, side)
        ms, outputs = median_ms(data, pipelines, runs)
        ref = reference(data)
        db = {name: large_psnr(outputs[name], ref) for name in ("today", "previous", "fast", "naive")}
        ratio = {name: ms[name] / ms["floor"] for name in pipelines}
        checks = ", ".join(
            f"{name} ≤{FLOOR_TARGET}× {verdict(ratio[name] <= FLOOR_TARGET)} "
            f"psnr {verdict(db[name] >= db['previous'] - PSNR_SLACK_DB)}"
            for name in ("today", "fast")
        )
        print(
            f"{f'jpeg {side}²':15} {ms['today']:>6.1f} {ms['floor']:>6.1f} {ms['naive']:>6.1f} {ms['previous']:>6.1f} "
            f"{ms['fast']:>6.1f} {ratio['today']:>10.2f}× {ms['today'] / ms['naive']:>10.2f}× "
            f"{ratio['previous']:>9.2f}× {ratio['fast']:>9.2f}× {db['today']:>10.2f} {db['previous']:>6.2f} "
            f"{db['fast']:>6.2f} {db['naive']:>6.2f}  {checks}"
        )
    print("  ms per upload; PSNR in dB of the 512 px variant against an exact LANCZOS reference")


def webp_table(runs: int) -> None:
    data = images.png_rgba(2000, 2000)
    png = {"png (previous)": lambda d: render(d, fmt="PNG")}
    ms, outputs = median_ms(data, {"webp m2 (today)": today, **png}, runs)
    ref = reference(data)
    base_ms, base_bytes = ms["png (previous)"], sum(map(len, outputs["png (previous)"].values()))
    header = f"{'2000² RGBA PNG':16} {'ms':>7} {'× png':>7} {'bytes':>9} {'× png':>7} {'PSNR 512':>8}  targets"
    print(header + "\n" + "-" * len(header))
    for name, variants in outputs.items():
        size = sum(map(len, variants.values()))
        t, b = ms[name] / base_ms, size / base_bytes
        checks = (
            ""
            if name == "png (previous)"
            else (
                f"time ≤{WEBP_TIME_TARGET}× {verdict(t <= WEBP_TIME_TARGET)}, "
                f"bytes ≤{WEBP_BYTES_TARGET}× {verdict(b <= WEBP_BYTES_TARGET)}"
            )
        )
        print(f"{name:16} {ms[name]:>7.1f} {t:>6.2f}× {size:>9} {b:>6.3f}× {large_psnr(variants, ref):>8.2f}  {checks}")
    print("  ms: the whole pipeline (decode, resize, encode, BlurHash)\n")
    rendered = avatars._downscale_chain(
        avatars._square(imaging.decode(Image.open(io.BytesIO(data)), io.BytesIO(data)), max(spec().sizes.values())),
        spec().sizes,
    )
    encoders = {
        "png": encodes_only(rendered, "PNG", spec().encoding),
        **{f"webp m{m}": encodes_only(rendered, "WEBP", replace(spec().encoding, webp_method=m)) for m in WEBP_METHODS},
    }
    ms, outputs = median_ms(data, encoders, runs)
    print(f"{'five encodes':16} {'ms':>7} {'× png':>7} {'bytes':>9} {'× png':>7}")
    png_bytes = sum(map(len, outputs["png"].values()))
    for name, variants in outputs.items():
        size = sum(map(len, variants.values()))
        print(f"{name:16} {ms[name]:>7.1f} {ms[name] / ms['png']:>6.2f}× {size:>9} {size / png_bytes:>6.3f}×")


def integrity_table(runs: int) -> None:
    def pillow_load(data: bytes) -> dict[str, bytes]:
        Image.open(io.BytesIO(data)).load()
        return {}

    def check(fmt: str) -> Pipeline:
        def run(data: bytes) -> dict[str, bytes]:
            integrity.check_intact(io.BytesIO(data), fmt)
            return {}

        return run

    print(f"{'integrity':22} {'check ms':>8} {'load ms':>8} {'check/load':>10}")
    for name, data, fmt in (
        ("jpeg 2000x2000", images.photo_jpeg(2000, 2000), "JPEG"),
        ("jpeg 4096x4096", images.photo_jpeg(4096, 4096), "JPEG"),
        ("png rgba 2000x2000", images.png_rgba(2000, 2000), "PNG"),
    ):
        ms, _ = median_ms(data, {"check": check(fmt), "load": pillow_load}, runs)
        print(f"{name:22} {ms['check']:>8.1f} {ms['load']:>8.1f} {ms['check'] / ms['load']:>9.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per pipeline (median)")
    parser.add_argument("--only", choices=("jpeg", "webp", "integrity"), help="run one table")
    parser.add_argument(
        "--clock",
        choices=tuple(CLOCKS),
        default="cpu",
        help="this process's CPU time (default: steadier on a shared machine) or wall time",
    )
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    print(
        f"Pillow {Image.__version__}, simplejpeg {simplejpeg.__version__}, "
        f"{args.runs} runs after a warm-up, interleaved, median {args.clock} time\n"
    )
    tables = {"jpeg": jpeg_table, "webp": webp_table, "integrity": integrity_table}
    for name, table in tables.items():
        if args.only in (None, name):
            table(args.runs)
            print()


if __name__ == "__main__":
    main()
