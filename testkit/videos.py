"""Deterministic test videos, as bytes, encoded by FFmpeg through PyAV; and damaged variants."""

import functools
import io
import math
import os
import random
import struct
import tempfile
from fractions import Fraction
from typing import Any

import av

from testkit import h264

# Encoder options that keep every encoder on one thread (so its output is the same on every run),
# fast and quiet.
ENCODERS: dict[str, dict[str, str]] = {
    "libx264": {"preset": "ultrafast"},
    "libx265": {"preset": "ultrafast", "x265-params": "log-level=none:pools=1:frame-threads=1"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"},
    "libsvtav1": {"preset": "12", "svtav1-params": "lp=1:lookahead=0"},
    "mpeg4": {},
}
AUDIO_RATES = {"aac": 16000, "libopus": 48000, "libmp3lame": 16000}

BLACK = (16, 128, 128)  # Y, Cb, Cr of black in limited range


@functools.cache
def encode(
    codec: str = "libx264",
    *,
    width: int = 64,
    height: int = 48,
    frames: int = 16,
    rate: int | Fraction = 8,
    audio: str | None = None,
    rotation: int | None = None,
    black: int = 0,
    gop: int | None = None,
    aspect: Fraction | None = None,
    faststart: bool = False,
    container: str = "mp4",
    pix_fmt: str = "yuv420p",
    metadata: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """An MP4 of `frames` frames at `rate` fps: the first `black` frames black, the others a
    picture whose left half is light and right half dark, a shade darker each frame.

    `rotation` writes a display matrix (PyAV's sign: -90 is a portrait phone clip, turned a quarter
    clockwise on display); `audio` adds a track of that encoder, as long as the video; `gop` sets
    the distance between key frames; `aspect` the pixels' aspect ratio (width / height of one
    pixel (written in the stream and the pasp box); `faststart` puts the moov box before the media data;
    `container` is FFmpeg's muxer ("mp4", "mov" for QuickTime, "webm"); `pix_fmt` the encoded
    pictures' format (e.g. "yuv420p10le", "yuv444p"); `metadata` tags written in the container
    (a phone's ("location", "+48.8566+002.3522/") for one).
    """
    args = (
        codec,
        width,
        height,
        frames,
        rate,
        audio,
        rotation,
        black,
        gop,
        aspect,
        faststart,
        container,
        pix_fmt,
        dict(metadata),
    )
    if faststart:  # FFmpeg moves the moov box by re-reading its output: it needs a real file
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, f"clip.{container}")
            _encode(path, *args)
            with open(path, "rb") as made:
                return made.read()
    out = io.BytesIO()
    _encode(out, *args)
    return out.getvalue()


def _encode(
    out: Any,
    codec: str,
    width: int,
    height: int,
    frames: int,
    rate: int | Fraction,
    audio: str | None,
    rotation: int | None,
    black: int,
    gop: int | None,
    aspect: Fraction | None,
    faststart: bool,
    fmt: str = "mp4",
    pix_fmt: str = "yuv420p",
    metadata: dict[str, str] | None = None,
) -> None:
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(out, mode="w", format=fmt, options=options) as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream(codec, rate=rate, options=ENCODERS[codec])
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.codec_context.thread_count = 1
        if gop is not None:
            stream.codec_context.gop_size = gop
        if aspect is not None:
            stream.codec_context.sample_aspect_ratio = aspect
        if rotation is not None:
            stream.set_display_rotation(rotation)
        sound = _audio_stream(container, audio) if audio else None
        for index in range(frames):
            frame = picture(width, height, index, black=index < black)
            if pix_fmt != "yuv420p":
                frame = frame.reformat(format=pix_fmt)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
        if sound is not None:
            _write_audio(container, sound, float(frames / Fraction(rate)))


def picture(width: int, height: int, index: int = 0, *, black: bool = False) -> av.VideoFrame:
    """One yuv420p frame: black, or light on the left half and dark on the right."""
    frame = av.VideoFrame(width, height, "yuv420p")
    luma = (16, 16) if black else (220 - 4 * (index % 32), 60)
    for number, plane in enumerate(frame.planes):
        if number == 0:
            half = plane.width // 2
            row = bytes([luma[0]]) * half + bytes([luma[1]]) * (plane.line_size - half)
        else:
            row = bytes([128]) * plane.line_size
        plane.update(row * plane.height)
    return frame


def _audio_stream(container: Any, codec: str) -> Any:
    stream = container.add_stream(codec, rate=AUDIO_RATES[codec])
    stream.layout = "mono"
    stream.codec_context.thread_count = 1
    return stream


def _write_audio(container: Any, stream: Any, seconds: float) -> None:
    """A quiet 440 Hz tone of `seconds`, in frames of the encoder's size."""
    rate = stream.rate
    size = stream.codec_context.frame_size or 1024
    total = int(seconds * rate)
    fmt = stream.codec_context.format.name
    for start in range(0, total, size):
        count = min(size, total - start)
        samples = [0.1 * math.sin(2 * math.pi * 440 * (start + i) / rate) for i in range(count)]
        frame = av.AudioFrame(format=fmt, layout="mono", samples=count)
        frame.planes[0].update(_pcm(samples, fmt, frame.planes[0].buffer_size))
        frame.sample_rate, frame.pts = rate, start
        container.mux(stream.encode(frame))
    container.mux(stream.encode())


def _pcm(samples: list[float], fmt: str, size: int) -> bytes:
    if fmt.startswith("flt"):
        data = struct.pack(f"<{len(samples)}f", *samples)
    else:
        data = struct.pack(f"<{len(samples)}h", *(int(s * 32767) for s in samples))
    return data + bytes(size - len(data))


# --- Damage -----------------------------------------------------------------------------------


def mdat_span(data: bytes) -> tuple[int, int]:
    """Start and end of the payload of the (first) top-level mdat box."""
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"mdat":
            return pos + 8, pos + size
        pos += size
    raise ValueError("no mdat box")


def scrambled(data: bytes, *, keep: int = 0, seed: int = 8) -> bytes:
    """The same MP4 with its media data (after the first `keep` bytes of it) replaced by
    pseudo-random bytes: every box still in place, the streams garbage."""
    start, end = mdat_span(data)
    noise = random.Random(seed).randbytes(end - start - keep)
    return data[: start + keep] + noise + data[end:]


def cut(data: bytes, fraction: float) -> bytes:
    """The file cut to `fraction` of its length (use on a faststart file to keep the moov box)."""
    return data[: int(len(data) * fraction)]


def remux(data: bytes, *, extradata: bytes | None = None, prefix: bytes = b"") -> bytes:
    """The MP4's video stream muxed anew by FFmpeg, with other codec extradata (e.g. avcC) and/or
    `prefix` put before the first packet's data: a well-formed file around a forged stream."""
    out = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(out, mode="w", format="mp4") as target:
        stream = source.streams.video[0]
        copy = target.add_stream_from_template(stream)
        if extradata is not None:
            copy.codec_context.extradata = extradata
        first = True
        for packet in source.demux(stream):
            if packet.dts is None:
                continue
            if first and prefix:
                forged = av.Packet(prefix + bytes(packet))
                forged.pts, forged.dts, forged.time_base = packet.pts, packet.dts, packet.time_base
                forged.duration, forged.is_keyframe = packet.duration, packet.is_keyframe
                packet = forged
            first = False
            packet.stream = copy
            target.mux(packet)
    return out.getvalue()


@functools.cache
def claiming(width: int, height: int, *, in_band: bool = False) -> bytes:
    """A real 64x48 H.264 MP4 whose SPS claims width x height: in its avcC box (so in what the
    container reports), or only in an SPS sent in-band with the first frame (avcC tells the truth)."""
    data = encode("libx264")
    with av.open(io.BytesIO(data)) as source:
        avcc = source.streams.video[0].codec_context.extradata
    sps, pps = h264.avcc_parameter_sets(avcc)
    big = h264.resize_sps(sps, width, height)
    if in_band:
        return remux(data, prefix=b"".join(len(nal).to_bytes(4, "big") + nal for nal in (big, pps)))
    return remux(data, extradata=h264.avcc_with_sps(avcc, big))


def claiming_samples(data: bytes, count: int) -> bytes:
    """The MP4 with its (first) stsz box claiming `count` samples, its table left as it was."""
    forged = bytearray(data)
    struct.pack_into(">I", forged, forged.index(b"stsz") + 4 + 8, count)  # after version/flags, sample_size
    return bytes(forged)


# --- Posters -----------------------------------------------------------------------------------

ORANGE = (146, 53, 193)  # Y, Cb, Cr of sRGB (255, 128, 0) in limited range


@functools.cache
def fade_in(
    *, seconds: float = 10, rate: int = 30, black: float = 0.8, fade: int = 6, width: int = 32, height: int = 24
) -> bytes:
    """An H.264 MP4 of `seconds` at `rate` fps: black for `black` seconds, then fading to orange over
    `fade` frames and orange after, with one key frame only, at 0 (x264's scene-cut detection off, as a
    fade-in gives it nothing to cut at anyway).

    A poster search that looks at the first few frames and then at key frames only sees black here.
    """
    out = io.BytesIO()
    frames, dark = round(seconds * rate), round(black * rate)
    with av.open(out, mode="w", format="mp4") as container:
        options = {"preset": "ultrafast", "x264-params": f"keyint={frames}:min-keyint={frames}:scenecut=0"}
        stream = container.add_stream("libx264", rate=rate, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.thread_count = 1
        for index in range(frames):
            level = min(max(index - dark + 1, 0) / fade, 1.0)
            frame = solid(width, height, tuple(round(b + (o - b) * level) for b, o in zip(BLACK, ORANGE)))
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return out.getvalue()


def solid(width: int, height: int, ycbcr: tuple[int, int, int]) -> av.VideoFrame:
    """One yuv420p frame of a single colour."""
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, value in zip(frame.planes, ycbcr):
        plane.update(bytes([value]) * plane.line_size * plane.height)
    return frame


def key_frames(data: bytes) -> list[float]:
    """Times (seconds) of the MP4's video key frames."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        return [float(p.pts * p.time_base) for p in container.demux(stream) if p.is_keyframe and p.pts is not None]


def without_codec(tag: bytes = b"zzzz") -> bytes:
    """A real H.264 MP4 whose video sample entry says `tag` instead of avc1: a track FFmpeg has no codec for."""
    data = encode()
    entry = data.index(b"avc1", data.index(b"stsd"))
    return data[:entry] + tag + data[entry + 4 :]
