"""mediakit.convert: what phones send, converted in the sandbox and decoded back stream by stream."""

import functools
import os

import av
import psutil
import pytest

from mediakit import convert, sandbox
from mediakit.rejections import Rejected
from testkit import phone, videos


@functools.cache
def slow_clip() -> bytes:
    """A clip that takes the converter about a second (720p MPEG-4 Part 2: quick to make, slower to re-encode);
    heartbeats every 0.1 s see it at work."""
    return videos.encode("mpeg4", width=1280, height=720, frames=48, rate=24)


BEAT = 0.1


def converted(tmp_path, data: bytes, container_format: str = "mp4", **options):
    source, target = tmp_path / "upload", tmp_path / "out.mp4"
    source.write_bytes(data)
    return convert.convert(source, target, container_format=container_format, timeout=60, **options), target


def streams(path) -> dict:
    """What a browser meets in the file: its boxes' order, its streams and its metadata."""
    data = path.read_bytes()
    with av.open(str(path)) as file:
        video = file.streams.video[0]
        audio = file.streams.audio[0] if file.streams.audio else None
        frames = list(file.decode(video))
        return {
            "moov_first": data.index(b"moov") < data.index(b"mdat"),
            "video": (
                video.codec_context.name,
                video.codec_context.format.name,
                video.codec_context.width,
                video.codec_context.height,
            ),
            "rotation": {round(frame.rotation or 0) for frame in frames},
            "frames": len(frames),
            "audio": None if audio is None else audio.codec_context.name,
            "metadata": {
                k: v for k, v in file.metadata.items() if k not in ("major_brand", "minor_version", "compatible_brands")
            },
            "stream_metadata": [
                dict(s.metadata) for s in file.streams if set(s.metadata) - {"handler_name", "vendor_id", "language"}
            ],
            "duration": file.duration / 1_000_000,
        }


@pytest.mark.parametrize(
    ("make", "demuxer", "video", "audio", "frames"),
    [
        # An iPhone clip: HEVC in QuickTime, a quarter turn, AAC, a GPS location.
        pytest.param(phone.hevc_mov, "mp4", ("h264", "yuv420p", 48, 64), "aac", 16, id="hevc-mov-rotated"),
        # An Android screen recording: VP9 + Opus in WebM; the Opus becomes AAC.
        pytest.param(phone.vp9_webm, "webm", ("h264", "yuv420p", 64, 48), "aac", 16, id="vp9-webm-opus"),
        pytest.param(
            lambda: videos.encode("libx264", pix_fmt="yuv420p10le"),
            "mp4",
            ("h264", "yuv420p", 64, 48),
            None,
            16,
            id="h264-10-bit",
        ),
        pytest.param(
            lambda: videos.encode("libx264", pix_fmt="yuv444p"),
            "mp4",
            ("h264", "yuv420p", 64, 48),
            None,
            16,
            id="h264-444",
        ),
        # 120 fps halves to 60: 48 frames in 0.4 s become 24.
        pytest.param(
            lambda: videos.encode("libx264", rate=120, frames=48),
            "mp4",
            ("h264", "yuv420p", 64, 48),
            None,
            24,
            id="120-fps",
        ),
        # Odd sides come out even (never upscaled).
        pytest.param(
            lambda: videos.encode("libvpx-vp9", container="webm", width=63, height=47),
            "webm",
            ("h264", "yuv420p", 62, 46),
            None,
            16,
            id="odd-size",
        ),
        pytest.param(
            lambda: videos.encode("mpeg4", audio="libmp3lame"),
            "mp4",
            ("h264", "yuv420p", 64, 48),
            "aac",
            16,
            id="mpeg4-part-2-mp3",
        ),
        pytest.param(lambda: videos.encode("libsvtav1"), "mp4", ("h264", "yuv420p", 64, 48), None, 16, id="av1"),
    ],
)
def test_converted_to_what_every_browser_plays(tmp_path, make, demuxer, video, audio, frames):
    result, path = converted(tmp_path, make(), demuxer)
    found = streams(path)
    assert found["video"] == video and found["audio"] == audio and found["frames"] == frames
    assert found["moov_first"] and found["rotation"] == {0}  # turned in the pixels, no display matrix left
    assert found["metadata"] == {} and found["stream_metadata"] == []  # no location, no encoder, nothing
    assert (result.width, result.height, result.video_codec, result.audio_codec) == (*video[2:], "h264", audio)
    assert result.size == path.stat().st_size and not result.video_copied


def test_the_rotation_turns_the_picture_itself(tmp_path):
    """PyAV's -90 is a clip turned a quarter clockwise on display: its light left half ends up on top."""
    _, path = converted(tmp_path, phone.hevc_mov(width=64, height=48, audio=None))
    with av.open(str(path)) as file:
        picture = next(file.decode(video=0)).to_image().convert("L")
    top, bottom = picture.crop((0, 0, 48, 24)), picture.crop((0, 40, 48, 64))
    assert max(top.getextrema()) > 150 > max(bottom.getextrema())


def test_compliant_streams_are_copied_not_encoded(tmp_path):
    """H.264 yuv420p with AAC in QuickTime: only the container changes; every video packet is the same."""
    data = videos.encode("libx264", container="mov", audio="aac")
    result, path = converted(tmp_path, data)
    assert result.video_copied and result.audio_copied
    (tmp_path / "source.mov").write_bytes(data)
    with av.open(str(tmp_path / "source.mov")) as before, av.open(str(path)) as after:
        assert [bytes(p) for p in before.demux(video=0) if p.size] == [bytes(p) for p in after.demux(video=0) if p.size]


def test_a_large_clip_is_fitted_inside_1080p(tmp_path):
    result, path = converted(tmp_path, videos.encode("libx264", width=2560, height=1440, frames=2, rate=8))
    assert (result.width, result.height) == (1920, 1080) and streams(path)["video"][2:] == (1920, 1080)


def test_damaged_streams_fail_cleanly(tmp_path):
    with pytest.raises(Rejected) as refused:
        converted(tmp_path, videos.scrambled(videos.encode(frames=8), keep=0))
    assert refused.value.code in ("corrupt_file", "processing_failed") and refused.value.detail


def test_past_its_time_limit_a_conversion_stops(tmp_path):
    (tmp_path / "in").write_bytes(slow_clip())
    with pytest.raises(Rejected) as refused:
        convert.convert(tmp_path / "in", tmp_path / "out.mp4", timeout=0.05)
    assert refused.value.code == "processing_timeout"


def test_a_heartbeat_saying_stop_kills_the_conversion(tmp_path):
    (tmp_path / "in").write_bytes(slow_clip())
    with pytest.raises(sandbox.Cancelled):
        convert.convert(tmp_path / "in", tmp_path / "out.mp4", timeout=60, heartbeat=lambda: False, beat_seconds=BEAT)


def converting_child() -> psutil.Process | None:
    """The sandboxed child this process's fork server is running now, if any."""
    import multiprocessing.forkserver as forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    children = psutil.Process(pid).children() if pid else []
    return children[0] if children else None


def test_the_converter_runs_niced(tmp_path):
    seen = []
    (tmp_path / "in").write_bytes(slow_clip())
    convert.convert(
        tmp_path / "in",
        tmp_path / "out.mp4",
        timeout=60,
        beat_seconds=BEAT,
        heartbeat=lambda: seen.append(converting_child().nice()) or True,
    )
    assert seen and min(seen) >= convert.NICE


# A worker converting a long clip, in a process of its own: it prints its converter's pid, then waits.
WORKER = """
import sys
from mediakit import convert
from mediakit.tests.test_convert import converting_child
reported = []
def beat():
    child = converting_child()
    if child is not None and not reported:
        reported.append(child.pid)
        print(child.pid, flush=True)
    return True
for _ in range(20):  # until a heartbeat has seen the converter (a loaded machine may be quick about it)
    convert.convert(sys.argv[1], sys.argv[2], timeout=120, heartbeat=beat, beat_seconds=0.1)
    if reported:
        break
"""


def test_a_worker_killed_mid_conversion_leaves_no_converter_running(tmp_path):
    """SIGKILL the worker: its fork server exits, and the converter with it (PR_SET_PDEATHSIG), at once
    rather than at its own time limit."""
    import subprocess
    import sys

    (tmp_path / "in").write_bytes(slow_clip())
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(tmp_path / "in"), str(tmp_path / "out.mp4")],
        stdout=subprocess.PIPE,
        stderr=open(tmp_path / "stderr", "w"),
        text=True,
        cwd=os.getcwd(),
    )
    try:
        line = worker.stdout.readline()
        assert line.strip().isdigit(), (tmp_path / "stderr").read_text()[-2000:]
        child = psutil.Process(int(line))
    finally:
        worker.kill()
        worker.wait()
    child.wait(timeout=30)
    assert not child.is_running()
