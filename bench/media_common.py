"""Shared by the persona media benchmarks: the 10 MiB H.264 input and a worker's peak-RSS sampler."""

from __future__ import annotations

import io
import random
import threading
import time

import psutil

MIB = 1024 * 1024
LIMIT = 10 * MIB
VIDEO_SIZE = LIMIT - 1024  # just under the limit


# --- the input: a real MP4 just under the limit --------------------------------------------------------


def noise_mp4(frames: int) -> bytes:
    """Lossless H.264 of deterministic noise: incompressible, so the size follows the frame count."""
    import av

    rng = random.Random(7)
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25, options={"crf": "0", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.codec_context.thread_count = 1
        for _ in range(frames):
            frame = av.VideoFrame(320, 240, "yuv420p")
            for plane in frame.planes:
                plane.update(rng.randbytes(plane.buffer_size))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def bench_video() -> bytes:
    """A real MP4 whose size is VIDEO_SIZE: encoded noise, topped up with a trailing `free` box."""
    per_frame = len(noise_mp4(20)) / 20
    frames = int(VIDEO_SIZE / per_frame * 0.97)
    data = noise_mp4(frames)
    while len(data) > VIDEO_SIZE - 16:  # room for a `free` box with 8 bytes of its own
        frames = int(frames * 0.95)
        data = noise_mp4(frames)
    padding = VIDEO_SIZE - len(data)
    return data + padding.to_bytes(4, "big") + b"free" + bytes(padding - 8)


# --- measuring -------------------------------------------------------------------------------------------


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


class PeakRss:
    """Samples a process's RSS every 2 ms in a thread; `growth` is peak minus the RSS at start."""

    SAMPLE_SECONDS = 0.002

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.stop = threading.Event()
        self.peak = self.start = 0

    def __enter__(self) -> PeakRss:
        time.sleep(0.05)  # let the worker settle after the previous request
        self.start = self.peak = self.process.memory_info().rss
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.SAMPLE_SECONDS)

    def __exit__(self, *exc) -> None:
        time.sleep(0.02)
        self.stop.set()
        self.thread.join()

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start) / MIB
