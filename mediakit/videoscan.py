"""One pass over a video's packets, for mediakit.video: timestamps, the first frames, the poster.

Runs in mediakit.video's child process. No Django here.
"""

from collections.abc import Callable
from fractions import Fraction
from typing import Any, cast

from PIL import Image

from .rejections import Rejected

# Every one of the first frames is decoded and must decode cleanly ("the first frames decode"):
# SEQUENTIAL_FRAMES of them, fewer for large pictures so as to decode at most SEQUENTIAL_PIXELS
# (24 frames up to 1080p, 6 at 2160p: a second or two of one core for 4K HEVC).
SEQUENTIAL_FRAMES = 24
SEQUENTIAL_PIXELS = 24 * 1920 * 1088
# The poster is a frame of the first POSTER_SPAN of the video that is not black. While only black
# has been seen, the span is searched by time, not by frame count: at POSTER_SAMPLES times spread
# evenly over it, the frame there is decoded, forward from the key frame before it (or from the
# last frame decoded, when no key frame came between) — a fade-in after one key frame at 0 is
# found as well as a cut to a new key frame. Decoding forward spends at most SEARCH_PIXELS
# (120 frames of 1080p: about a second of one core for H.264); once it is spent, a sample costs
# only the key frame before it.
POSTER_SPAN = 0.10
POSTER_SAMPLES = 10
SEARCH_PIXELS = 120 * 1920 * 1088
# The poster handed back fits in POSTER_SIZE x POSTER_SIZE (never upscaled): enough for any
# preview, small enough to cross the pipe from the child in a few milliseconds.
POSTER_SIZE = 1280
# A frame is "uniformly black" when, shrunk to BLACK_PROBE px, no RGB channel exceeds
# BLACK_LEVEL (of 255): this forgives compression noise and limited-range black (16).
BLACK_PROBE = 32
BLACK_LEVEL = 32


class Scan:
    """One pass over the packets: the span of their timestamps, the first frames, and the poster."""

    def __init__(
        self,
        video: Any,
        poster_until: float,
        check_size: Callable[[int, int, str], None],
        max_pixels: int,
        first_frames: int = SEQUENTIAL_FRAMES,
    ) -> None:
        self.video = video
        self.check_size = check_size
        video.codec_context.thread_count = 1  # threads would multiply the memory to bound
        video.codec_context.options = {"max_pixels": str(max_pixels)}
        self.span = poster_until  # seconds from the first timestamp
        self.start: float | None = None
        self.end: float | None = None
        self.frames = 0  # video packets seen
        self.decoded = 0
        self.pixels = video.codec_context.width * video.codec_context.height
        self.first = max(1, min(first_frames, SEQUENTIAL_PIXELS // self.pixels if self.pixels else first_frames))
        self.budget = SEARCH_PIXELS
        self.pending: list[Any] = []  # packets since the last one decoded, from a key frame if one came
        self.skipped = False  # packets were left out since the last one the decoder was given
        self.sample = 1  # the next of the POSTER_SAMPLES times
        self.poster: Any = None  # the poster VideoFrame
        self.black = True
        self.past_span = False
        self.rotation = 0

    def packet(self, packet: Any) -> None:
        """Account for one packet; decode it while the first frames are checked, or the poster needs it."""
        stamp = packet.pts if packet.pts is not None else packet.dts
        if stamp is not None:
            begin = float(stamp * packet.time_base)
            finish = begin + float((packet.duration or 0) * packet.time_base)
            self.start = begin if self.start is None else min(self.start, begin)
            self.end = finish if self.end is None else max(self.end, finish)
        if packet.stream is not self.video or packet.size == 0:
            return
        self.frames += 1
        if self.decoded < self.first:
            self.take(packet.decode())
        elif self.searching():
            self.search(packet, None if stamp is None else float(stamp * packet.time_base))

    def searching(self) -> bool:
        """True while all frames of the poster span decoded so far were black."""
        return self.black and not self.past_span

    def search(self, packet: Any, time: float | None) -> None:
        """Keep the packet for the next sample; at the sample's time, decode forward to it."""
        if packet.is_keyframe and self.pending:
            self.pending, self.skipped = [], True  # what came before is not needed from here on
        self.pending.append(packet)
        if time is None or time < self.sample_time():
            return
        while time >= self.sample_time():  # the first frames may have gone past several samples
            self.sample += 1
        self.decode_pending()

    def decode_pending(self) -> None:
        """Decode the kept packets (the budget allowing), or the key frame they start with alone."""
        pending, self.pending = self.pending, []
        if self.skipped and not pending[0].is_keyframe:
            return  # its reference frames were left out: nothing here can be decoded
        cost = len(pending) * self.pixels
        if cost <= self.budget:
            self.budget -= cost
            chosen = pending
        else:
            chosen = pending[:1] if pending[0].is_keyframe else []
        if chosen and self.skipped:
            self.video.codec_context.flush_buffers()  # drop what depended on packets left out
            self.skipped = False
        for kept in chosen:
            self.take(kept.decode())
        self.skipped = self.skipped or len(chosen) < len(pending)

    def sample_time(self) -> float:
        """When the next sample is due: the samples divide the span evenly, the last at its end."""
        return (self.start or 0.0) + self.span * self.sample / POSTER_SAMPLES

    def finish(self) -> None:
        """Decode what the last sample still needs (the span may reach the end, or be unknown), drain
        the decoder, then insist that a frame came out."""
        if self.searching() and self.pending:
            self.decode_pending()
        if self.decoded < self.first or self.searching():
            self.take(self.video.codec_context.decode(None))
        if self.poster is None:
            raise Rejected("corrupt_file", "no frame of the video decodes")

    def take(self, frames: list[Any]) -> None:
        """Check freshly decoded frames; keep the first one, or the first one of the span that is not black."""
        for frame in frames:
            self.decoded += 1
            if frame.is_corrupt:
                raise Rejected("corrupt_file", "the first frames of the video do not decode cleanly")
            self.check_size(frame.width, frame.height, "a frame of the video")
            if self.poster is None:
                self.rotation = rotation_of(frame)
                self.poster, self.black = frame, _is_black(frame)
            elif self.searching():
                if frame.time is not None and frame.time > self.span + (self.start or 0.0):
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
    return frame.to_image(
        width=width, height=height, interpolation=interpolation, threads=1, src_color_range=frame.color_range or None
    )


def _is_black(frame: Any) -> bool:
    small = _rgb(frame, BLACK_PROBE, BLACK_PROBE)
    extrema = cast(tuple[tuple[int, int], ...], small.getextrema())  # one (low, high) per RGB band
    return max(high for _, high in extrema) <= BLACK_LEVEL


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
    turn = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}.get(
        rotation
    )
    if turn is None:
        return (width, height), image
    image = image.transpose(turn)
    return ((width, height) if rotation == 180 else (height, width)), image
