"""One pass over a video's packets, for mediakit.video: timestamps, the first frames, the poster.

Runs in mediakit.video's child process. No Django here.
"""
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from PIL import Image

from .rejections import Rejected

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


class Scan:
    """One pass over the packets: the span of their timestamps, and the poster frame."""

    def __init__(self, video: Any, poster_until: float, check_size: Callable[[int, int, str], None],
                 max_pixels: int, first_frames: int = SEQUENTIAL_FRAMES) -> None:
        self.video = video
        self.check_size = check_size
        video.codec_context.thread_count = 1  # threads would multiply the memory to bound
        video.codec_context.options = {"max_pixels": str(max_pixels)}
        self.poster_until = poster_until
        self.start: float | None = None
        self.end: float | None = None
        self.frames = 0  # video packets seen
        self.decoded = 0
        pixels = video.codec_context.width * video.codec_context.height
        self.first = max(1, min(first_frames, SEQUENTIAL_PIXELS // pixels if pixels else first_frames))
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
            self.check_size(frame.width, frame.height, "a frame of the video")
            if self.poster is None:
                self.rotation = rotation_of(frame)
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




def rotation_of(frame: Any) -> int:
    """The display matrix's counter-clockwise rotation, snapped to a quarter turn (0, 90, 180, 270)."""
    return int(round((frame.rotation or 0) / 90)) * 90 % 360


def _rgb(frame: Any, width: int, height: int, interpolation: str = "BILINEAR") -> Image.Image:
    """The frame scaled to width x height as an RGB image, on one thread, in its own colour range."""
    return frame.to_image(width=width, height=height, interpolation=interpolation, threads=1,
                          src_color_range=frame.color_range or None)


def _is_black(frame: Any) -> bool:
    small = _rgb(frame, BLACK_PROBE, BLACK_PROBE)
    return max(high for _, high in small.getextrema()) <= BLACK_LEVEL


def displayed(frame: Any, stream: Any, rotation: int) -> tuple[tuple[int, int], Image.Image]:
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
