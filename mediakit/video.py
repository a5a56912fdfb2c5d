"""What a video really holds, read by FFmpeg (PyAV) in an isolated child process. No Django here.

`probe(path, max_seconds)` returns a VideoInfo or raises Rejected:
- `corrupt_file`: FFmpeg cannot open or demux it, it has no video stream, its first frames do not
  decode cleanly, or the decoder crashes, hangs or overruns its memory on it;
- `unsupported_codec`: the video codec is not one browsers play (H.264, HEVC, VP9, AV1);
- `video_too_large`: more than 8,294,400 pixels (3840x2160) or a side longer than 3840, in the
  container or in any decoded frame; or more than 120 frames per second;
- `video_too_long`: longer than `max_seconds`.

`python -m mediakit.video FILE...` prints what probe() finds, for a look at a file by hand.
"""
import math
import os
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from PIL import Image

from . import sandbox
from .rejections import Rejected

CODECS = ("h264", "hevc", "vp9", "av1")
MAX_PIXELS = 3840 * 2160
MAX_SIDE = 3840
MAX_FPS = 120
DEFAULT_MAX_SECONDS = 600

# Every one of the first frames is decoded and must decode cleanly ("the first frames decode"):
# SEQUENTIAL_FRAMES of them, fewer for large pictures so as to decode at most SEQUENTIAL_PIXELS
# (24 frames up to 1080p, 6 at 2160p: a second or two of one core for 4K HEVC). The poster comes
# from the first POSTER_SPAN of the video: the first frame that is not black; past the first
# frames only key frames, which decode on their own, are looked at.
POSTER_SPAN = 0.10
SEQUENTIAL_FRAMES = 24
SEQUENTIAL_PIXELS = 24 * 1920 * 1088
# The poster handed back fits in POSTER_SIZE x POSTER_SIZE (never upscaled): enough for any
# preview, small enough to cross the pipe from the child in a few milliseconds.
POSTER_SIZE = 1280
# A frame is "uniformly black" when, shrunk to BLACK_PROBE px, no RGB channel exceeds
# BLACK_LEVEL (of 255): this forgives compression noise and limited-range black (16).
BLACK_PROBE = 32
BLACK_LEVEL = 32
# Decoders allocate no frame larger than this (FFmpeg's max_pixels), whatever the bitstream says
# mid-stream; twice the limit leaves room for the alignment padding of legal sizes.
DECODER_MAX_PIXELS = 2 * MAX_PIXELS
# Streams a file may hold (a phone clip has 2-4: video, audio, timed metadata); more is refused.
MAX_STREAMS = 16


@dataclass(frozen=True)
class VideoInfo:
    """A playable video: sizes are as displayed, after the rotation of the track."""

    duration: float
    fps: float | None
    video_codec: str
    audio_codec: str | None
    bitrate: int  # of the whole file over the duration
    width: int
    height: int
    rotation: int
    poster: Image.Image = field(repr=False, compare=False)


def probe(path: str | os.PathLike[str], max_seconds: float = DEFAULT_MAX_SECONDS, *,
          container_format: str = "mp4", timeout: float = sandbox.DEFAULT_TIMEOUT,
          memory: int = sandbox.DEFAULT_MEMORY) -> VideoInfo:
    """Probe and first frames of the video at `path`, read as `container_format` (FFmpeg's demuxer
    name: "mp4" reads MP4 and QuickTime, "webm" WebM), in a child limited to `timeout` s and
    `memory` bytes more than it starts with."""
    return sandbox.run(inspect, os.fspath(path), max_seconds, container_format, timeout=timeout, memory=memory)


def inspect(path: str, max_seconds: float = DEFAULT_MAX_SECONDS, container_format: str = "mp4") -> VideoInfo:
    """What probe() does, in the calling process: only ever call it in a child."""
    import av

    try:
        # The demuxer is named, never guessed from the bytes (an HLS or concat playlist would make
        # FFmpeg open the files and URLs it lists); only local files may be read, and external
        # data references of MP4 stay off; max_pixels bounds the frames decoded while probing.
        container = av.open(
            os.path.abspath(path), format=container_format,
            options={"probesize": str(32 << 20), "protocol_whitelist": "file", "enable_drefs": "0"},
            stream_options=[{"max_pixels": str(DECODER_MAX_PIXELS)}] * MAX_STREAMS,
        )
    except (av.FFmpegError, ValueError, UnicodeDecodeError) as error:
        raise Rejected("corrupt_file", f"FFmpeg cannot read the file as a video ({error})") from None
    with container:
        if len(container.streams) > MAX_STREAMS:
            raise Rejected("corrupt_file", f"the file holds more than {MAX_STREAMS} streams")
        moving = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
        if not moving:
            raise Rejected("corrupt_file", "the file holds no video stream")
        video = moving[0]  # not a cover picture
        codec = _video_codec(video)
        _check_size(video.codec_context.width, video.codec_context.height, "the video")
        _check_fps(video.average_rate)
        claimed = _claimed_duration(container, video)
        if claimed is not None and claimed > max_seconds:
            raise _too_long(claimed, max_seconds)
        audio = container.streams.audio[0] if container.streams.audio else None
        scan = _Scan(video, poster_until=claimed * POSTER_SPAN if claimed else math.inf)
        try:
            for packet in container.demux(*[s for s in (video, audio) if s is not None]):
                scan.packet(packet)
            scan.finish()
        except av.FFmpegError as error:
            raise Rejected("corrupt_file", f"the video stream is damaged ({error})") from None
        if video.frames and scan.frames < video.frames:
            raise Rejected("corrupt_file", f"the file ends after {scan.frames} of its {video.frames} video frames")
        duration = scan.duration() or claimed
        if not duration:
            raise Rejected("corrupt_file", "the video has no duration")
        if duration > max_seconds:
            raise _too_long(duration, max_seconds)
        fps = video.average_rate or (Fraction(scan.frames) / Fraction(duration) if scan.frames > 1 else None)
        _check_fps(fps)
        (width, height), poster = _display(scan.poster, video, scan.rotation)
        return VideoInfo(
            duration=round(duration, 3),
            fps=round(float(fps), 3) if fps else None,
            video_codec=codec,
            audio_codec=_audio_codec(audio),
            bitrate=round(os.path.getsize(path) * 8 / duration),
            width=width,
            height=height,
            rotation=scan.rotation,
            poster=poster,
        )


class _Scan:
    """One pass over the packets: the span of their timestamps, and the poster frame."""

    def __init__(self, video: Any, poster_until: float) -> None:
        self.video = video
        video.codec_context.thread_count = 1  # threads would multiply the memory to bound
        video.codec_context.options = {"max_pixels": str(DECODER_MAX_PIXELS)}
        self.poster_until = poster_until
        self.start: float | None = None
        self.end: float | None = None
        self.frames = 0  # video packets seen
        self.decoded = 0
        pixels = video.codec_context.width * video.codec_context.height
        self.first = max(1, min(SEQUENTIAL_FRAMES, SEQUENTIAL_PIXELS // pixels if pixels else SEQUENTIAL_FRAMES))
        self.poster: Any = None  # the poster VideoFrame
        self.black = True
        self.past_span = False
        self.rotation = 0

    def packet(self, packet: Any) -> None:
        """Account for one packet; decode it while the poster is still wanted."""
        stamp = packet.pts if packet.pts is not None else packet.dts
        if stamp is not None:
            begin = float(stamp * packet.time_base)
            finish = begin + float((packet.duration or 0) * packet.time_base)
            self.start = begin if self.start is None else min(self.start, begin)
            self.end = finish if self.end is None else max(self.end, finish)
        if packet.stream is not self.video or packet.size == 0:
            return
        self.frames += 1
        if self.wanted() and (self.decoded < self.first or packet.is_keyframe):
            self.take(packet.decode())

    def wanted(self) -> bool:
        """True while the first frames are still being checked, or all frames of the poster span
        decoded so far were black."""
        return self.decoded < self.first or (self.black and not self.past_span)

    def finish(self) -> None:
        """Drain the decoder, then insist that a frame came out."""
        if self.wanted():
            self.take(self.video.codec_context.decode(None))
        if self.poster is None:
            raise Rejected("corrupt_file", "no frame of the video decodes")

    def take(self, frames: list[Any]) -> None:
        """Check freshly decoded frames; keep the first one, or the first one that is not black."""
        for frame in frames:
            self.decoded += 1
            if frame.is_corrupt:
                raise Rejected("corrupt_file", "the first frames of the video do not decode cleanly")
            _check_size(frame.width, frame.height, "a frame of the video")
            if self.poster is None:
                self.rotation = _rotation(frame)
                self.poster, self.black = frame, _is_black(frame)
            elif self.black and not self.past_span:
                if frame.time is not None and frame.time > self.poster_until + (self.start or 0.0):
                    self.past_span = True
                elif not _is_black(frame):
                    self.poster, self.black = frame, False

    def duration(self) -> float | None:
        """From the first packet's timestamp to the end of the last one, in seconds."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


def _video_codec(stream: Any) -> str:
    """FFmpeg's name for the codec, when browsers play it."""
    codec = stream.codec_context.codec
    if codec.canonical_name not in CODECS:
        raise Rejected(
            "unsupported_codec",
            f"the video codec is {codec.long_name} ({codec.canonical_name}); "
            "only H.264, HEVC, VP9 and AV1 play in browsers",
        )
    return codec.canonical_name


def _audio_codec(stream: Any) -> str | None:
    if stream is None or stream.codec_context is None:
        return None
    name = stream.codec_context.codec.canonical_name
    return None if name == "none" else name


def _check_size(width: int, height: int, what: str) -> None:
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise Rejected(
            "video_too_large",
            f"{what} is {width}x{height}; at most 3840x2160 pixels (either way round) are accepted",
        )


def _check_fps(rate: Fraction | None) -> None:
    if rate and rate > MAX_FPS:
        raise Rejected("video_too_large",
                       f"the video has {float(rate):.4g} frames per second; at most {MAX_FPS} are accepted")


def _claimed_duration(container: Any, stream: Any) -> float | None:
    """Duration as the container states it (seconds), before reading any packet."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return None


def _too_long(duration: float, max_seconds: float) -> Rejected:
    return Rejected("video_too_long", f"the video lasts {duration:.1f} s; at most {max_seconds:g} s are accepted")


def _rotation(frame: Any) -> int:
    """The display matrix's counter-clockwise rotation, snapped to a quarter turn (0, 90, 180, 270)."""
    return int(round((frame.rotation or 0) / 90)) * 90 % 360


def _rgb(frame: Any, width: int, height: int, interpolation: str = "BILINEAR") -> Image.Image:
    """The frame scaled to width x height as an RGB image, on one thread, in its own colour range."""
    return frame.to_image(width=width, height=height, interpolation=interpolation, threads=1,
                          src_color_range=frame.color_range or None)


def _is_black(frame: Any) -> bool:
    small = _rgb(frame, BLACK_PROBE, BLACK_PROBE)
    return max(high for _, high in small.getextrema()) <= BLACK_LEVEL


def _display(frame: Any, stream: Any, rotation: int) -> tuple[tuple[int, int], Image.Image]:
    """Displayed (width, height), and the frame as an RGB poster as displayed: sample aspect
    ratio applied, shrunk to fit POSTER_SIZE, turned the way the track says."""
    width, height = frame.width, frame.height
    aspect = Fraction(stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio or 1)
    if aspect > 1:
        width = round(width * aspect)
    elif 0 < aspect < 1:
        height = round(height / aspect)
    scale = min(1.0, POSTER_SIZE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = _rgb(frame, *size, interpolation="AREA")
    turn = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
            270: Image.Transpose.ROTATE_270}.get(rotation)
    if turn is None:
        return (width, height), image
    image = image.transpose(turn)
    return ((width, height) if rotation == 180 else (height, width)), image


def main(paths: list[str]) -> int:
    """Print probe() of each file; exit status 1 when any is refused."""
    refused = 0
    for path in paths:
        try:
            print(path, probe(path))
        except Rejected as rejected:
            refused += 1
            print(path, "refused:", rejected.code, rejected.detail)
    return 1 if refused else 0


sandbox.preload("av", "mediakit.video")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
