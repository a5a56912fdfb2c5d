"""What a video really holds, read by FFmpeg (PyAV) in an isolated child process. No Django here.

`probe(path, max_seconds)` returns a VideoInfo or raises Rejected:
- `corrupt_file`: FFmpeg cannot open or demux it, it has no video stream, its first frames do not
  decode cleanly, or the decoder crashes, hangs or overruns its memory on it;
- `unsupported_codec`: the video codec is not one browsers play (H.264, HEVC, VP9, AV1);
- `video_too_large`: more than 8,294,400 pixels (3840x2160) or a side longer than 3840, in the
  container or in any decoded frame; or more than 120 frames per second;
- `video_too_long`: longer than `max_seconds`.
With `enforce=False` (for files stored before these rules) only `corrupt_file` is raised: the
other refusal an upload would get, if any, is in `VideoInfo.refusal`.

Isolation: probe() reads the file in a child process forked from multiprocessing's fork server
(see mediakit.sandbox), which has PyAV and this module loaded; a crash, hang or runaway allocation
there costs the call a `corrupt_file` after at most `timeout` seconds, and the child at most
`memory` bytes. The first call of a process starts the fork server (~0.3 s): call start() when
a worker starts (e.g. gunicorn's post_fork) to take that off the first upload.

`python -m mediakit.video FILE...` prints what probe() finds, for a look at a file by hand.
"""

import importlib.util
import math
import os
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from PIL import Image

from . import sandbox
from .rejections import Rejected
from .videoscan import POSTER_SPAN, SEQUENTIAL_FRAMES, Scan, displayed

CODECS = ("h264", "hevc", "vp9", "av1")
MAX_PIXELS = 3840 * 2160
MAX_SIDE = 3840
MAX_FPS = 120
DEFAULT_MAX_SECONDS = 600

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
    # (code, detail) of the refusal an upload of this video gets, e.g. ("unsupported_codec", ...)
    # for one browsers cannot play; only ever set by probe(..., enforce=False).
    refusal: tuple[str, str] | None = None
    pixel_format: str = ""  # FFmpeg's name of the decoded pictures' format: yuv420p is 8-bit 4:2:0


def available() -> bool:
    """Whether PyAV (the `video` extra) is installed: without it no video can be read, so none is accepted."""
    return importlib.util.find_spec("av") is not None


def probe(
    path: str | os.PathLike[str],
    max_seconds: float = DEFAULT_MAX_SECONDS,
    *,
    enforce: bool = True,
    container_format: str = "mp4",
    timeout: float = sandbox.DEFAULT_TIMEOUT,
    memory: int = sandbox.DEFAULT_MEMORY,
    codecs: tuple[str, ...] = CODECS,
    first_frames: int = SEQUENTIAL_FRAMES,
) -> VideoInfo:
    """Probe and first frames of the video at `path`, read as `container_format` (FFmpeg's demuxer
    name: "mp4" reads MP4 and QuickTime, "webm" WebM), in a child limited to `timeout` s and
    `memory` bytes more than it starts with. `codecs`: the video codecs accepted (FFmpeg's names);
    `first_frames`: how many leading frames must decode (fewer when a conversion decodes them all later)."""
    return sandbox.run(
        inspect,
        os.path.abspath(path),
        max_seconds,
        enforce,
        container_format,
        codecs,
        first_frames,
        timeout=timeout,
        memory=memory,
    )


def start() -> None:
    """Start this process's fork server now, with PyAV and this module loaded."""
    sandbox.start()


def inspect(
    path: str,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    enforce: bool = True,
    container_format: str = "mp4",
    codecs: tuple[str, ...] = CODECS,
    first_frames: int = SEQUENTIAL_FRAMES,
) -> VideoInfo:
    """What probe() does, in the calling process: only ever call it in a child."""
    import av

    limits = _Limits(enforce, max_seconds, codecs)
    try:
        # The demuxer is named, never guessed from the bytes (an HLS or concat playlist would make
        # FFmpeg open the files and URLs it lists); only local files may be read, and external
        # data references of MP4 stay off; max_pixels bounds the frames decoded while probing.
        container = av.open(
            os.path.abspath(path),
            format=container_format,
            options={"probesize": str(32 << 20), "protocol_whitelist": "file", "enable_drefs": "0"},
            stream_options=[{"max_pixels": str(DECODER_MAX_PIXELS)}] * MAX_STREAMS,  # type: ignore[list-item]
        )
    except (av.FFmpegError, ValueError, UnicodeDecodeError) as error:
        raise Rejected("corrupt_file", f"FFmpeg cannot read the file as a video{_reason(error)}") from None
    with container:
        if len(container.streams) > MAX_STREAMS:
            raise Rejected("corrupt_file", f"the file holds more than {MAX_STREAMS} streams")
        moving = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
        if not moving:
            raise Rejected("corrupt_file", "the file holds no video stream")
        video = moving[0]  # not a cover picture
        if video.codec_context is None:  # a sample entry FFmpeg has no decoder for, e.g. an unknown fourcc
            raise Rejected(
                "unsupported_codec" if enforce else "corrupt_file",
                "the video track's codec is not one FFmpeg knows; only H.264, HEVC, VP9 and AV1 play in browsers",
            )
        codec = limits.codec(video.codec_context.codec)
        limits.size(video.codec_context.width, video.codec_context.height, "the video")
        limits.fps(video.average_rate)
        claimed = _claimed_duration(container, video)
        limits.duration(claimed)
        audio = container.streams.audio[0] if container.streams.audio else None
        scan = Scan(
            video, claimed * POSTER_SPAN if claimed else math.inf, limits.size, DECODER_MAX_PIXELS, first_frames
        )
        try:
            for packet in container.demux(*[s for s in (video, audio) if s is not None]):
                scan.packet(packet)
            scan.finish()
        except av.FFmpegError as error:
            raise Rejected("corrupt_file", f"the video stream is damaged{_reason(error)}") from None
        if video.frames and scan.frames < video.frames:
            raise Rejected("corrupt_file", f"the file ends after {scan.frames} of its {video.frames} video frames")
        duration = scan.duration() or claimed
        if not duration:
            raise Rejected("corrupt_file", "the video has no duration")
        limits.duration(duration)
        fps = video.average_rate or (Fraction(scan.frames) / Fraction(duration) if scan.frames > 1 else None)
        limits.fps(fps)
        (width, height), poster = displayed(scan.poster, video, scan.rotation)
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
            refusal=limits.first,
            pixel_format=video.codec_context.format.name if video.codec_context.format else "",
        )


def _reason(error: Exception) -> str:
    """FFmpeg's words for an error, in brackets, without the file name (a server path) PyAV appends;
    nothing when FFmpeg has none (a Python class name is no client's business)."""
    words = getattr(error, "strerror", None)
    return f" ({words})" if words else ""


def _audio_codec(stream: Any) -> str | None:
    if stream is None or stream.codec_context is None:
        return None
    name = stream.codec_context.codec.canonical_name
    return None if name == "none" else name


class _Limits:
    """The rules a video must meet: a broken one raises at once, or (enforce=False) is noted."""

    def __init__(self, enforce: bool, max_seconds: float, codecs: tuple[str, ...] = CODECS) -> None:
        self.enforce = enforce
        self.max_seconds = max_seconds
        self.codecs = codecs
        self.first: tuple[str, str] | None = None

    def broken(self, code: str, detail: str) -> None:
        if self.enforce:
            raise Rejected(code, detail)
        self.first = self.first or (code, detail)

    def codec(self, codec: Any) -> str:
        """FFmpeg's name for the video codec, which must be one browsers play."""
        if codec.canonical_name not in self.codecs:
            self.broken(
                "unsupported_codec",
                f"the video codec is {codec.long_name} ({codec.canonical_name}); "
                "only H.264, HEVC, VP9 and AV1 play in browsers",
            )
        return codec.canonical_name

    def size(self, width: int, height: int, what: str) -> None:
        if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
            self.broken(
                "video_too_large",
                f"{what} is {width}x{height}; at most 3840x2160 pixels (either way round) are accepted",
            )

    def fps(self, rate: Fraction | None) -> None:
        if rate and rate > MAX_FPS:
            self.broken(
                "video_too_large", f"the video has {float(rate):.4g} frames per second; at most {MAX_FPS} are accepted"
            )

    def duration(self, seconds: float | None) -> None:
        if seconds is not None and seconds > self.max_seconds:
            self.broken(
                "video_too_long", f"the video lasts {seconds:.1f} s; at most {self.max_seconds:g} s are accepted"
            )


def _claimed_duration(container: Any, stream: Any) -> float | None:
    """Duration as the container states it (seconds), before reading any packet."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return None


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
