"""Benchmark scaled JPEG decoding (mediakit.jpeg) and WebP for transparent avatars.

Run from the repository root:  .venv/bin/python -m bench.decode [--runs N]

Every figure is measured in the same run as its baselines (runs interleaved, median wall time),
on inputs generated deterministically by avatars.tests.images:

JPEG, per input (2000² and 4096² photo-like JPEGs):
- today:  avatars.imaging.process_avatar (Pillow draft(): 1/2, 1/4 or 1/8 only).
- floor:  bench.avatar_processing.floor: decode at the nearest 1/2^k scale + the five encodes
          (JPEG_QUALITY), a NEAREST gather in between; the issue's goal is today ≤ 1.5× this.
- m8:     today's pipeline with its decode swapped for mediakit.jpeg.decode_scaled (strict
          libjpeg-turbo decode at the smallest M/8 scale ≥ 1024 px: 5/8 of 2000 = 1250), then the
          same crop/resize, orientation, sRGB, variant chain and encodes.
- m8 fast: a candidate, not today's code: the m8 decode, then BILINEAR (not BICUBIC) for the
          one step to 1024 px and Image.reduce(2) (a 2×2 mean, exact for the chain's halvings)
          instead of LANCZOS for each further variant.
- m8 floor: the floor with that decode.
- PSNR:   of each pipeline's 512 px variant against an exact LANCZOS reference (full decode,
          one resize); the issue's goal is m8 within 0.3 dB of today.

WebP, on the 5 variants of a 2000² RGBA PNG: today's pipeline (PNG variants, compress_level 6)
beside the same pipeline encoding WebP at quality 85 with each `method` 0..6: time (whole
pipeline, and the five encodes alone, which is all `method` changes), total bytes,
and the 512 px variant's PSNR (both composited over grey, so colour under full transparency,
which no one sees, does not count). Goal: ≤ 0.5× today's time and ≤ 0.25× today's bytes.

Integrity: what mediakit.integrity.check_intact costs beside Pillow's full decode of the same
file (JPEG: a strict 1/8-scale decode; PNG: verify() plus inflating the IDAT stream).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import simplejpeg  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from avatars import imaging  # noqa: E402
from avatars.tests import images  # noqa: E402
from bench.avatar_processing import floor, psnr, reference  # noqa: E402
from mediakit import integrity, jpeg  # noqa: E402

FLOOR_TARGET = 1.5  # today or m8 ≤ 1.5× the 1/2^k floor
PSNR_SLACK_DB = 0.3
WEBP_TIME_TARGET, WEBP_BYTES_TARGET = 0.5, 0.25
WEBP_METHODS = range(7)
LARGEST = max(imaging.VARIANT_SIZES.values())
# --clock cpu: process CPU time instead of wall time; steadier on a machine others are loading
# (every pipeline here is single-threaded).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


# --- pipelines -----------------------------------------------------------------------------------


def render(data: bytes, *, m8: bool = False, out: str | None = None,
           params: dict[str, object] | None = None) -> dict[str, bytes]:
    """process_avatar's steps, from its own helpers, with the decoder and encoder pluggable."""
    rendered = variant_images(data, m8=m8)
    fmt = out or ("PNG" if rendered["full"].mode == "RGBA" else "JPEG")
    params = params or imaging._save_params(fmt, imaging.JPEG_QUALITY, imaging.WEBP_QUALITY,
                                            imaging.PNG_COMPRESSION, None)
    return encode(rendered, fmt, params)


def variant_images(data: bytes, *, m8: bool = False) -> dict[str, Image.Image]:
    """The five variants as process_avatar renders them, before encoding."""
    with imaging._refusing_unreadable(), imaging._open(io.BytesIO(data)) as im:
        imaging._check_header(im, imaging.MIN_SIDE, imaging.MAX_SIDE, imaging.MAX_FRAMES)
        if m8 and im.format == "JPEG":
            frame = jpeg.decode_scaled(data, min(LARGEST, *im.size))
            frame.info = im.info.copy()  # EXIF orientation and ICC come from Pillow's header
        else:
            imaging._decode(im, LARGEST)
            frame = im
        top = imaging._square(frame, LARGEST)
        ImageOps.exif_transpose(top, in_place=True)
        top = imaging._to_srgb(top, im.info.get("icc_profile"))
    top.info.clear()
    return imaging._downscale_chain(top, imaging.VARIANT_SIZES)


def encode(rendered: dict[str, Image.Image], fmt: str, params: dict[str, object]) -> dict[str, bytes]:
    return {name: imaging._variant(name, im, fmt, params).data for name, im in rendered.items()}


def m8_fast(data: bytes) -> dict[str, bytes]:
    """The m8 decode, a BILINEAR step to 1024 px, then 2×2 means down the chain (opaque JPEGs)."""
    header = Image.open(io.BytesIO(data))
    im = jpeg.decode_scaled(data, min(LARGEST, *header.size))
    side = min(im.size)
    box = ((im.width - side) // 2, (im.height - side) // 2,
           (im.width - side) // 2 + side, (im.height - side) // 2 + side)
    current = im.resize((min(LARGEST, side),) * 2, Image.Resampling.BILINEAR, box=box)
    out = {}
    for name, target in sorted(imaging.VARIANT_SIZES.items(), key=lambda item: -item[1]):
        target = min(target, side)
        if current.width != target:
            factor = current.width // target
            current = (current.reduce(factor) if current.width == target * factor
                       else current.resize((target, target), imaging.RESAMPLE))
        buf = io.BytesIO()
        current.save(buf, "JPEG", quality=imaging.JPEG_QUALITY)
        out[name] = buf.getvalue()
    return out


def today(data: bytes) -> dict[str, bytes]:
    result = imaging.process_avatar(io.BytesIO(data))
    return {name: v.data for name, v in result.variants.items()}


def m8_floor(data: bytes) -> dict[str, bytes]:
    """The floor with the M/8 decode: decode_scaled, a NEAREST gather, the five encodes."""
    header = Image.open(io.BytesIO(data))
    im = jpeg.decode_scaled(data, min(LARGEST, *header.size))
    side = min(im.size)
    box = ((im.width - side) // 2, (im.height - side) // 2,
           (im.width - side) // 2 + side, (im.height - side) // 2 + side)
    out = {}
    for name, target in imaging.VARIANT_SIZES.items():
        buf = io.BytesIO()
        im.resize((min(target, side),) * 2, Image.Resampling.NEAREST, box=box).save(
            buf, "JPEG", quality=imaging.JPEG_QUALITY)
        out[name] = buf.getvalue()
    return out


def webp(method: int) -> Pipeline:
    def pipeline(data: bytes) -> dict[str, bytes]:
        return render(data, out="WEBP", params={"quality": imaging.WEBP_QUALITY, "method": method})
    return pipeline


# --- measurement ---------------------------------------------------------------------------------


Pipeline = Callable[[bytes], dict[str, bytes]]


def median_ms(data: bytes, pipelines: dict[str, Pipeline],
              runs: int) -> tuple[dict[str, float], dict[str, dict[str, bytes]]]:
    """Median wall time per pipeline (runs interleaved, so background load hits all alike),
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
    pipelines = {"today": today, "floor": floor, "m8": lambda d: render(d, m8=True),
                 "m8 fast": m8_fast, "m8 floor": m8_floor}
    header = (f"{'input':16} {'decoded at':>10} {'today ms':>8} {'floor ms':>8} {'m8 ms':>7} "
              f"{'m8 fast':>7} {'m8 floor':>8} {'today/floor':>11} {'m8/floor':>8} {'fast/floor':>10} "
              f"{'PSNR today':>10} {'PSNR m8':>7} {'PSNR fast':>9}  targets")
    print(header)
    print("-" * len(header))
    for side in (2000, 4096):
        data = images.photo_jpeg(side, side)
        ms, outputs = median_ms(data, pipelines, runs)
        ref = reference(data)
        db = {name: large_psnr(outputs[name], ref) for name in ("today", "m8", "m8 fast")}
        scaled = jpeg.scaled_header(data, LARGEST).width
        draft = Image.open(io.BytesIO(data))
        draft.draft("RGB", (LARGEST, LARGEST))
        ratio = {name: ms[name] / ms["floor"] for name in ("today", "m8", "m8 fast")}
        checks = ", ".join(
            f"{name} ≤{FLOOR_TARGET}× {verdict(ratio[name] <= FLOOR_TARGET)}"
            f"{'' if name == 'today' else ' psnr ' + verdict(db[name] >= db['today'] - PSNR_SLACK_DB)}"
            for name in ("today", "m8", "m8 fast"))
        print(f"{f'jpeg {side}x{side}':16} {f'{scaled}/{draft.size[0]}':>10} {ms['today']:>8.1f} "
              f"{ms['floor']:>8.1f} {ms['m8']:>7.1f} {ms['m8 fast']:>7.1f} {ms['m8 floor']:>8.1f} "
              f"{ratio['today']:>10.2f}× {ratio['m8']:>7.2f}× {ratio['m8 fast']:>9.2f}× "
              f"{db['today']:>10.2f} {db['m8']:>7.2f} {db['m8 fast']:>9.2f}  {checks}")
    print("  decoded at: M/8 decode's side / Pillow draft()'s side")


def webp_table(runs: int) -> None:
    data = images.png_rgba(2000, 2000)
    pipelines = {"png (today)": today, **{f"webp m{m}": webp(m) for m in WEBP_METHODS}}
    ms, outputs = median_ms(data, pipelines, runs)
    rendered = variant_images(data)
    png = {"compress_level": imaging.PNG_COMPRESSION}
    encoders = {"png (today)": lambda _: encode(rendered, "PNG", png), **{
        f"webp m{m}": lambda _, m=m: encode(rendered, "WEBP", {"quality": imaging.WEBP_QUALITY,
                                                                "method": m})
        for m in WEBP_METHODS}}
    encode_ms, _ = median_ms(data, encoders, runs)
    ref = reference(data)
    base_ms, base_bytes = ms["png (today)"], sum(map(len, outputs["png (today)"].values()))
    header = (f"{'2000² RGBA PNG':14} {'ms':>7} {'× today':>8} {'encode ms':>9} {'× today':>8} "
              f"{'bytes':>9} {'× today':>8} {'PSNR 512':>8}  targets")
    print(header)
    print("-" * len(header))
    for name, variants in outputs.items():
        size = sum(map(len, variants.values()))
        t, b = ms[name] / base_ms, size / base_bytes
        checks = "" if name == "png (today)" else (
            f"time ≤{WEBP_TIME_TARGET}× {verdict(t <= WEBP_TIME_TARGET)}, "
            f"bytes ≤{WEBP_BYTES_TARGET}× {verdict(b <= WEBP_BYTES_TARGET)}")
        e = encode_ms[name] / encode_ms["png (today)"]
        print(f"{name:14} {ms[name]:>7.1f} {t:>7.2f}× {encode_ms[name]:>9.1f} {e:>7.2f}× "
              f"{size:>9} {b:>7.3f}× {large_psnr(variants, ref):>8.2f}  {checks}")
    print("  ms: the whole pipeline (decode, resize, encode); encode ms: the five encodes alone")


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
    for name, data, fmt in (("jpeg 2000x2000", images.photo_jpeg(2000, 2000), "JPEG"),
                            ("jpeg 4096x4096", images.photo_jpeg(4096, 4096), "JPEG"),
                            ("png rgba 2000x2000", images.png_rgba(2000, 2000), "PNG")):
        ms, _ = median_ms(data, {"check": check(fmt), "load": pillow_load}, runs)
        print(f"{name:22} {ms['check']:>8.1f} {ms['load']:>8.1f} {ms['check'] / ms['load']:>9.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per pipeline (median)")
    parser.add_argument("--only", choices=("jpeg", "webp", "integrity"), help="run one table")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall",
                        help="wall time (default) or this process's CPU time")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    print(f"Pillow {Image.__version__}, simplejpeg {simplejpeg.__version__}, "
          f"{args.runs} runs after a warm-up, median {args.clock} time\n")
    tables = {"jpeg": jpeg_table, "webp": webp_table, "integrity": integrity_table}
    for name, table in tables.items():
        if args.only in (None, name):
            table(args.runs)
            print()


if __name__ == "__main__":
    main()
