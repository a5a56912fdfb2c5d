"""Phone media, each figure beside its baseline in the same run (`python -m bench.phone_media`):

- conversion of a 10 MiB 1080p HEVC phone clip by mediakit.convert (sandboxed child, niced) beside
  `ffmpeg -c:v libx264 -preset veryfast` run directly on it (goal ≤ 1.15×);
- upload-to-ready of that clip over HTTP (gunicorn, PostgreSQL or SQLite) with one idle worker
  (`manage.py worker`), beside the conversion alone;
- a 12 MP HEIC uploaded over HTTP beside decoding it with pillow-heif alone (goal ≤ 1.5×);
- the web worker's CPU time per video upload (its own and its probe's): the HEVC clip (probe, poster,
  queued) beside today's path for a browser-ready video, the same pictures as an H.264 MP4 of about the
  same size, stored as it is (goal: no higher).
"""

from __future__ import annotations

import functools
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.live import ROOT, gunicorn, migrate, multipart, request, server_env
from testkit.net import free_port

RUNS = 3
MIB = 1024 * 1024
CLIP_BYTES = 10 * MIB - 64 * 1024


@functools.cache
def phone_clip(codec: str = "libx265", container: str = "mov") -> bytes:
    """~10 MiB of 1080p HEVC at 30 fps in QuickTime with AAC, a quarter turn: what an iPhone sends (or the
    same pictures as H.264 in MP4, unturned: a video browsers play as it is, today's upload path)."""
    import av

    from testkit.images import photo
    from testkit.videos import _audio_stream, _write_audio

    picture = photo(2400, 1400, seed=5)
    seconds = 8
    out = io.BytesIO()
    kbits = CLIP_BYTES * 8 // seconds // 1000 - 140
    options = (
        {"preset": "ultrafast", "x265-params": f"log-level=none:bitrate={kbits}"}
        if codec == "libx265"
        else {"preset": "ultrafast", "b": f"{kbits}k"}
    )
    with av.open(out, "w", format=container) as movie:
        video = movie.add_stream(codec, rate=30, options=options)
        video.width, video.height, video.pix_fmt = 1920, 1080, "yuv420p"
        if container == "mov":
            video.set_display_rotation(-90)
        sound = _audio_stream(movie, "aac")  # every stream before the first packet
        for index in range(30 * seconds):  # a slow pan over a photo-like picture, so motion is real
            frame = av.VideoFrame.from_image(picture.crop((index, index // 2, index + 1920, index // 2 + 1080)))
            frame.pts = index
            movie.mux(video.encode(frame))
        movie.mux(video.encode())
        _write_audio(movie, sound, float(seconds))
    return out.getvalue()


def heic_12mp() -> bytes:
    from testkit import phone
    from testkit.images import photo

    return phone.heic(photo(4000, 3000, seed=3), 6, quality=80)


def ours(source: Path, target: Path) -> float:
    from mediakit import convert

    started = time.perf_counter()
    convert.convert(source, target, timeout=600)
    return time.perf_counter() - started


def ffmpeg(source: Path, target: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(source),
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-c:a",
            "aac",
            "-movflags",
            "+faststart",
            str(target),
        ],
        check=True,
    )
    return time.perf_counter() - started


def conversion(folder: Path) -> tuple[float, float | None]:
    source = folder / "clip.mov"
    source.write_bytes(phone_clip())
    mine, theirs = [], []
    for _ in range(RUNS):  # interleaved: the machine's load weighs on both alike
        mine.append(ours(source, folder / "ours.mp4"))
        if shutil.which("ffmpeg"):
            theirs.append(ffmpeg(source, folder / "ffmpeg.mp4"))
    return statistics.median(mine), statistics.median(theirs) if theirs else None


def heic_decode(data: bytes) -> float:
    import pillow_heif

    started = time.perf_counter()
    pillow_heif.open_heif(data, convert_hdr_to_8bit=True).to_pillow().load()
    return time.perf_counter() - started


class Site:
    """gunicorn with one sync worker, plus (when asked) one idle background worker, on one database."""

    def __init__(self, folder: Path) -> None:
        self.env = server_env(folder)
        self.env.update(PERSONA_MEDIA_MAX_SIZE=str(20 * MIB))
        migrate(self.env)
        self.port = free_port()

    def token(self) -> str:
        import json

        email = f"bench-{time.time_ns()}@example.com"
        credentials = json.dumps({"email": email, "password": "Correct-Horse-42"})
        request(self.port, "POST", "/api/v1/auth/register", credentials, {"Content-Type": "application/json"})
        _, body = request(
            self.port,
            "POST",
            "/api/v1/auth/login",
            json.dumps({"email": email, "password": "Correct-Horse-42"}),
            {"Content-Type": "application/json"},
        )
        return json.loads(body)["access"]

    def persona(self, token: str) -> int:
        import json

        _, body = request(
            self.port,
            "POST",
            "/api/v1/personas",
            json.dumps({"name": "bench"}),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        return json.loads(body)["id"]

    def upload(self, token: str, persona: int, kind: str, data: bytes, name: str) -> tuple[int, dict]:
        import json

        parts, headers = multipart(data, name, "application/octet-stream")
        status, body = request(
            self.port,
            "POST",
            f"/upload/persona/{persona}/{kind}",
            parts,
            {**headers, "Authorization": f"Bearer {token}"},
        )
        return status, json.loads(body)

    def wait_ready(self, token: str, media_id: int) -> None:
        """Poll as a client would (every 0.2 s: sooner only takes CPU from the conversion)."""
        while self.state(token, media_id) != "ready":
            time.sleep(0.2)

    def state(self, token: str, media_id: int) -> str:
        import json

        _, body = request(self.port, "GET", f"/upload/files/{media_id}", headers={"Authorization": f"Bearer {token}"})
        return json.loads(body)["processing_status"]


def tree_cpu(web) -> float:
    """CPU seconds of the web worker and of what it forked (the probe's fork server and its finished children)."""
    total = sum(web.cpu_times()[:2])
    for child in web.children(recursive=True):
        times = child.cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
    return total


def http_figures(folder: Path) -> dict[str, float]:
    site = Site(folder)
    figures: dict[str, list[float]] = {
        "ready": [],
        "heic": [],
        "decode": [],
        "cpu_hevc": [],
        "cpu_h264": [],
        "cpu_hevc_mp4": [],
    }
    clip, heic, mp4 = phone_clip(), heic_12mp(), phone_clip("libx264", "mp4")
    hevc_mp4 = phone_clip("libx265", "mp4")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", "-v", "0"],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with gunicorn(site.env, site.port, ROOT / "gunicorn.conf.py") as web:
            token = site.token()
            for _ in range(RUNS):
                persona = site.persona(token)
                cpu = tree_cpu(web)
                started = time.perf_counter()
                status, body = site.upload(token, persona, "video", clip, "IMG_0001.MOV")
                figures["cpu_hevc"].append(tree_cpu(web) - cpu)
                assert status == 202, body
                site.wait_ready(token, body["id"])
                figures["ready"].append(time.perf_counter() - started)
                cpu = tree_cpu(web)
                status, body = site.upload(token, persona, "video", mp4, "clip.mp4")
                figures["cpu_h264"].append(tree_cpu(web) - cpu)
                assert status == 201, body
                figures["decode"].append(heic_decode(heic))  # interleaved with the upload it is the baseline of
                started = time.perf_counter()
                status, body = site.upload(token, persona, "image", heic, "IMG_0002.HEIC")
                figures["heic"].append(time.perf_counter() - started)
                assert status == 201, body
                cpu = tree_cpu(web)
                status, body = site.upload(token, persona, "video", hevc_mp4, "hevc.mp4")
                figures["cpu_hevc_mp4"].append(tree_cpu(web) - cpu)
                assert status == 202, body
                site.wait_ready(token, body["id"])  # its conversion must not weigh on the next round
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {name: statistics.median(values) for name, values in figures.items()}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp:
        folder = Path(tmp)
        clip = phone_clip()
        converted, baseline = conversion(folder)
        heic = heic_12mp()
        http = http_figures(folder)
        decode = http["decode"]
    print(
        f"phone media; {RUNS} runs, interleaved, medians; clip: 1080p HEVC 30 fps QuickTime + AAC, "
        f"{len(clip) / MIB:.2f} MiB, 8 s, turned a quarter; HEIC: 4000x3000, {len(heic) / MIB:.2f} MiB\n"
    )
    rows = [("figure", "value", "baseline", "ratio (goal)")]
    if baseline:
        rows.append(
            (
                "conversion, mediakit.convert (sandboxed, niced)",
                f"{converted:.2f} s",
                f"ffmpeg -preset veryfast {baseline:.2f} s",
                goal(converted / baseline, 1.15),
            )
        )
    else:
        rows.append(
            (
                "conversion, mediakit.convert (sandboxed, niced)",
                f"{converted:.2f} s",
                "no ffmpeg program here",
                "not compared",
            )
        )
    rows.append(
        (
            "upload to ready over HTTP, one idle worker",
            f"{http['ready']:.2f} s",
            f"conversion alone {converted:.2f} s",
            f"{http['ready'] / converted:.2f}x",
        )
    )
    rows.append(
        (
            "12 MP HEIC upload over HTTP (201, stored as JPEG)",
            f"{http['heic'] * 1000:.0f} ms",
            f"pillow-heif decode alone {decode * 1000:.0f} ms",
            goal(http["heic"] / decode, 1.5),
        )
    )
    rows.append(
        (
            "web worker CPU per upload: HEVC MOV (202, queued)",
            f"{http['cpu_hevc'] * 1000:.0f} ms",
            f"same clip as H.264 MP4, 201 {http['cpu_h264'] * 1000:.0f} ms",
            goal(http["cpu_hevc"] / http["cpu_h264"], 1.0),
        )
    )
    rows.append(
        (
            "  the same HEVC stream in an MP4 (201 before this wave)",
            f"{http['cpu_hevc_mp4'] * 1000:.0f} ms",
            f"HEVC MOV, queued {http['cpu_hevc'] * 1000:.0f} ms",
            f"{http['cpu_hevc'] / http['cpu_hevc_mp4']:.2f}x",
        )
    )
    for row in rows:
        print(f"{row[0]:52} {row[1]:>10} {row[2]:>36}  {row[3]}")
    return 0


def goal(ratio: float, limit: float) -> str:
    return f"{ratio:.2f}x (<= {limit:g}x {'ok' if ratio <= limit else 'MISSED'})"


if __name__ == "__main__":
    from bench.live import django_settings

    django_settings()
    sys.exit(main())
