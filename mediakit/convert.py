"""A video made browser-playable: any decodable upload in, an H.264/AAC MP4 out. Pure, no Django.

`convert(src, dst, ...)` writes to `dst` an MP4 that every browser plays — H.264 8-bit 4:2:0 with
AAC audio (or none), orientation applied, fitted inside 1920x1080 either way round (never
upscaled, even sides, square pixels), at most 60 fps, `moov` first, no metadata — and returns what
it holds. A stream that already complies is copied, not re-encoded (as Mastodon does): H.264
yuv420p that needs no turn, scale or frame-rate cut; AAC audio. The rest is encoded by x264 with
`-preset veryfast -crf 23`, the trade-off Mastodon and PeerTube ship.

It runs in a sandboxed child (mediakit.sandbox): FFmpeg reads the client's file there, under CPU,
memory and wall-clock limits, `nice`d, and dies with its caller.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import sandbox
from .rejections import Rejected
from .video import DECODER_MAX_PIXELS, MAX_STREAMS

# Fitted inside 1920x1080 either way round (API.md), at most 60 fps.
MAX_LONG_SIDE, MAX_SHORT_SIDE = 1920, 1080
MAX_FPS = 60
# x264's quality/speed as Mastodon transcodes (veryfast; crf 23 is x264's default quality).
PRESET, CRF = "veryfast", "23"
# AAC at these rates; mono gets half.
AUDIO_BITRATE = 128_000
AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
# A conversion gets more room than a probe: an x264 encoder with its look-ahead at 1080p and a
# 10-bit 4K HEVC decoder's reference frames together stay well under this.
MEMORY = 1536 << 20
# The child's CPU limit is its wall-clock limit on every core (x264 and the decoders use threads).
THREADS = 2
NICE = 10


@dataclass(frozen=True)
class Converted:
    """What the written MP4 holds."""

    width: int
    height: int
    duration: float
    fps: float | None
    video_codec: str
    audio_codec: str | None
    bitrate: int
    size: int
    video_copied: bool
    audio_copied: bool


def convert(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    container_format: str = "mp4",
    timeout: float = 600.0,
    heartbeat=None,
    beat_seconds: float = 1.0,
) -> Converted:
    """Convert in a sandboxed child; Rejected(code) when it cannot (processing_timeout past `timeout`).

    `heartbeat()` is called every `beat_seconds` while the child works; returning False stops it
    (sandbox.Cancelled).
    """
    budget = sandbox.Budget(cpu_seconds=timeout * THREADS, nice=NICE, heartbeat=heartbeat, beat_seconds=beat_seconds)
    try:
        return sandbox.run(
            transcode,
            os.path.abspath(src),
            os.path.abspath(dst),
            container_format,
            timeout=timeout,
            memory=MEMORY,
            code="processing_failed",
            budget=budget,
        )
    except Rejected as rejected:
        if "longer than" in rejected.detail or "CPU time" in rejected.detail:
            raise Rejected("processing_timeout", f"converting took longer than {timeout:g} s") from None
        raise


def transcode(src: str, dst: str, container_format: str = "mp4") -> Converted:
    """What convert() does, in the calling process: only ever call it in a child."""
    import av

    try:
        return _transcode(src, dst, container_format)
    except (av.InvalidDataError, av.error.PatchWelcomeError) as error:  # the upload's fault, not ours
        raise Rejected("corrupt_file", f"the video's data is damaged ({error.strerror})") from None


def _transcode(src: str, dst: str, container_format: str) -> Converted:
    import av

    rotation = _first_rotation(src, container_format)
    with _open(src, container_format) as source:
        video, audio = _streams(source)
        plan = Plan.of(video, rotation)
        copy_audio = audio is not None and audio.codec_context.name == "aac"
        # bitexact: no "encoder" tag; nothing else is written that we do not set, so no metadata at all.
        with av.open(dst, "w", format="mp4", options={"movflags": "+faststart", "fflags": "+bitexact"}) as out:
            writer = _Writer(out, video, audio, plan, copy_audio)
            for packet in source.demux(*[s for s in (video, audio) if s is not None]):
                writer.packet(packet)
            writer.flush()
    return _describe(dst, plan, copy_audio)


def _open(src: str, container_format: str) -> Any:
    """The file opened by the named demuxer, with the probe's protections (mediakit.video)."""
    import av

    try:
        return av.open(
            src,
            format=container_format,
            options={"probesize": str(32 << 20), "protocol_whitelist": "file", "enable_drefs": "0"},
            stream_options=[{"max_pixels": str(DECODER_MAX_PIXELS)}] * MAX_STREAMS,  # type: ignore[list-item]
        )
    except (av.FFmpegError, ValueError, UnicodeDecodeError):
        raise Rejected("corrupt_file", "FFmpeg cannot read the file as a video") from None


def _streams(container: Any) -> tuple[Any, Any]:
    import av

    moving = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if not moving:
        raise Rejected("corrupt_file", "the file holds no video stream")
    audio = container.streams.audio[0] if container.streams.audio else None
    if audio is not None and audio.codec_context is None:
        audio = None
    return moving[0], audio


def _first_rotation(src: str, container_format: str) -> int:
    """The display rotation (counter-clockwise, quarter turns) of the first frame that decodes."""
    with _open(src, container_format) as source:
        video, _ = _streams(source)
        video.codec_context.thread_count = 1
        for frame in source.decode(video):
            return int(round((frame.rotation or 0) / 90)) * 90 % 360
    raise Rejected("corrupt_file", "no frame of the video decodes")


@dataclass(frozen=True)
class Plan:
    """The output picture: its size, frame-rate cap, turn, and whether the stream is copied as it is."""

    width: int
    height: int
    rotation: int
    fps_cap: int | None
    copy: bool

    @classmethod
    def of(cls, video: Any, rotation: int) -> Plan:
        ctx = video.codec_context
        aspect = Fraction(video.sample_aspect_ratio or ctx.sample_aspect_ratio or 1)
        width, height = ctx.width, ctx.height
        if aspect > 1:
            width = round(width * aspect)
        elif 0 < aspect < 1:
            height = round(height / aspect)
        if rotation in (90, 270):
            width, height = height, width
        out_w, out_h = fitted_even(width, height)
        rate = video.average_rate or video.guessed_rate
        fps_cap = MAX_FPS if rate and rate > MAX_FPS else None
        copy = (
            ctx.name == "h264"
            and ctx.format is not None
            and ctx.format.name == "yuv420p"
            and rotation == 0
            and (out_w, out_h) == (ctx.width, ctx.height)
            and aspect in (0, 1)
            and fps_cap is None
        )
        return cls(out_w, out_h, rotation, fps_cap, copy)


def fitted_even(width: int, height: int) -> tuple[int, int]:
    """Inside 1920x1080 (1080x1920 when portrait), never upscaled, both sides even."""
    long_side, short_side = (MAX_LONG_SIDE, MAX_SHORT_SIDE) if width >= height else (MAX_SHORT_SIDE, MAX_LONG_SIDE)
    scale = min(1.0, long_side / width, short_side / height)
    return max(2, math.floor(width * scale / 2) * 2), max(2, math.floor(height * scale / 2) * 2)


class _Writer:
    """Packets in, the output's packets muxed: copied, or decoded, filtered and encoded again."""

    def __init__(self, out: Any, video: Any, audio: Any, plan: Plan, copy_audio: bool) -> None:
        self.out, self.video, self.audio, self.plan = out, video, audio, plan
        video.codec_context.thread_count = THREADS
        video.codec_context.thread_type = "AUTO"
        if plan.copy:
            self.vout = out.add_stream_from_template(video)
            self.graph = None
        else:
            self.graph, self.sink_time_base = _graph(video, plan)
            self.vout = out.add_stream("libx264", options={"preset": PRESET, "crf": CRF, "threads": str(THREADS)})
            self.vout.width, self.vout.height, self.vout.pix_fmt = plan.width, plan.height, "yuv420p"
            self.vout.codec_context.time_base = self.sink_time_base
            self.vout.time_base = self.sink_time_base
            # The frame rate lets the muxer give the last frame its duration (a whole clip, not one frame short).
            rate = Fraction(plan.fps_cap) if plan.fps_cap else (video.average_rate or video.guessed_rate)
            if rate:
                self.vout.codec_context.framerate = rate
        self.aout = self.copy_audio = None
        if audio is not None:
            self.copy_audio = copy_audio
            self.aout = out.add_stream_from_template(audio) if copy_audio else _aac_stream(out, audio)
        for stream in (self.vout, self.aout):
            if stream is not None:
                stream.metadata.clear()

    def packet(self, packet: Any) -> None:
        if packet.stream is self.video:
            self._video(packet)
        elif packet.stream is self.audio:
            self._audio(packet)

    def _video(self, packet: Any) -> None:
        if self.plan.copy:
            if packet.dts is not None:
                packet.stream = self.vout
                self.out.mux(packet)
            return
        for frame in packet.decode():
            self._filtered(frame)

    def _filtered(self, frame: Any) -> None:
        import av

        assert self.graph is not None  # a re-encoded video always has its filter graph
        self.graph.vpush(frame)
        while True:
            try:
                picture = self.graph.vpull()
            except (av.BlockingIOError, av.EOFError):
                return
            picture.time_base = self.sink_time_base
            picture.pict_type = av.video.frame.PictureType.NONE  # let x264 choose key frames
            self.out.mux(self.vout.encode(picture))

    def _audio(self, packet: Any) -> None:
        if self.copy_audio:
            if packet.dts is not None:
                packet.stream = self.aout
                self.out.mux(packet)
            return
        assert self.aout is not None  # audio packets are passed on only when there is an output stream
        for frame in packet.decode():
            self.out.mux(self.aout.encode(frame))

    def flush(self) -> None:
        if self.graph is not None:
            self._filtered(None)
            self.out.mux(self.vout.encode(None))
        if self.aout is not None and not self.copy_audio:
            self.out.mux(self.aout.encode(None))


def _graph(video: Any, plan: Plan) -> tuple[Any, Fraction]:
    """buffer → turn → scale to the plan (square pixels) → fps cap → yuv420p → sink."""
    import av

    graph = av.filter.Graph()
    nodes = [graph.add_buffer(template=video)]
    turn = {90: [("transpose", "cclock")], 270: [("transpose", "clock")], 180: [("hflip", ""), ("vflip", "")]}.get(
        plan.rotation, []
    )
    steps = [*turn, ("scale", f"{plan.width}:{plan.height}:flags=bicubic"), ("setsar", "1")]
    if plan.fps_cap:
        steps.append(("fps", str(plan.fps_cap)))
    steps += [("format", "yuv420p"), ("buffersink", "")]
    for name, args in steps:
        nodes.append(graph.add(name, args) if args else graph.add(name))
        nodes[-2].link_to(nodes[-1])
    graph.configure()
    time_base = Fraction(1, plan.fps_cap) if plan.fps_cap else video.time_base
    return graph, time_base


def _aac_stream(out: Any, audio: Any) -> Any:
    """An AAC encoder for this audio: its rate if AAC has it (else 48 kHz), mono or stereo."""
    rate = audio.codec_context.sample_rate
    channels = audio.codec_context.channels or 2
    stream = out.add_stream("aac", rate=rate if rate in AAC_RATES else 48000)
    stream.layout = "mono" if channels == 1 else "stereo"
    stream.bit_rate = AUDIO_BITRATE // 2 if channels == 1 else AUDIO_BITRATE
    return stream


def _describe(path: str, plan: Plan, copy_audio: bool) -> Converted:
    """What the written file holds, read back from it."""
    import av

    with av.open(path, format="mp4") as written:
        video = written.streams.video[0]
        audio = written.streams.audio[0] if written.streams.audio else None
        duration = float(written.duration / 1_000_000) if written.duration else 0.0
        size = os.path.getsize(path)
        rate = video.average_rate
        return Converted(
            width=video.codec_context.width,
            height=video.codec_context.height,
            duration=round(duration, 3),
            fps=round(float(rate), 3) if rate else None,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            bitrate=round(size * 8 / duration) if duration else 0,
            size=size,
            video_copied=plan.copy,
            audio_copied=bool(audio is not None and copy_audio),
        )


sandbox.preload("av", "mediakit.convert")
