"""Benchmark mediakit.video: what isolating the probe in a child process costs.

Run from the repository root:  .venv/bin/python -m bench.video_probe

- overhead: sandbox.run() of a function that does nothing, against calling it (median of N),
            and the CPU time the child spends before it runs the function;
- probe:    video.probe() (child process) against video.inspect() in this process, on the 10 MiB
            H.264 of bench.persona_media and on 1080p and 2160p clips; median of N each;
- memory:   resident size of the fork server (one per calling process) and of one probe's child.
"""

import os
import statistics
import sys
import tempfile
import time

RUNS = 15


def median_ms(func, *args) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func(*args)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def forkserver_pid() -> int:
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid  # noqa: SLF001 - a measurement, not an API use


def main() -> int:
    from bench.media_common import bench_video
    from mediakit import sandbox, video
    from mediakit.tests import hostile
    from testkit import videos

    # A do-nothing job from a module the fork server has loaded (as mediakit.video is), so that
    # what is measured is the child process and not an import in it.
    sandbox.run(time.process_time)  # the fork server starts here, once
    direct = median_ms(time.process_time)
    isolated = median_ms(sandbox.run, time.process_time)
    bootstrap = statistics.median(sandbox.run(time.process_time) for _ in range(RUNS)) * 1000
    print(
        f"overhead: sandbox.run {isolated:.1f} ms vs direct call {direct * 1000:.1f} us "
        f"-> {isolated - direct:.1f} ms per call, of which {bootstrap:.1f} ms CPU in the child"
    )
    print(f"memory:   fork server RSS {rss_mib(forkserver_pid()):.1f} MiB")
    clips = {
        "10 MiB H.264 320x240 (bench.media_common)": bench_video(),
        "1080p H.264, 2 s": videos.encode(width=1920, height=1080, frames=48, rate=24),
        "2160p H.264, 1 s": videos.encode(width=3840, height=2160, frames=24, rate=24),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, data in clips.items():
            path = os.path.join(folder, "clip.mp4")
            with open(path, "wb") as out:
                out.write(data)
            child = median_ms(video.probe, path)
            inline = median_ms(video.inspect, path)
            print(
                f"probe:    {name}: {child:.1f} ms in a child, {inline:.1f} ms in-process "
                f"(+{child - inline:.1f} ms, x{child / inline:.2f})"
            )
        peak = sandbox.run(hostile.peak_rss_after, video.inspect, path)
        print(f"memory:   peak RSS of a child probing the 2160p clip {peak / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
