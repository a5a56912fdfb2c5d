"""mediakit.video on real files encoded by FFmpeg (PyAV), forged streams in valid MP4s, and
decoders gone wrong in the child process."""

import struct
import subprocess
import sys
from fractions import Fraction

import pytest

from mediakit import video, videoscan
from mediakit.rejections import Rejected
from testkit import videos

LIGHT, DARK = 150, 100  # the test picture's left half is ~238 in RGB, its right half ~51


@pytest.fixture
def probe(tmp_path):
    """probe() of bytes written to a file."""

    def run(data: bytes, **options) -> video.VideoInfo:
        path = tmp_path / "clip.mp4"
        path.write_bytes(data)
        return video.probe(path, **options)

    return run


@pytest.fixture
def refusal(probe):
    """The Rejected that probe() raises for bytes."""

    def run(data: bytes, **options) -> Rejected:
        with pytest.raises(Rejected) as caught:
            probe(data, **options)
        return caught.value

    return run


def light_left(poster, width: int, height: int) -> bool:
    """The test picture as encoded: light left half, dark right half."""
    left, right = poster.getpixel((width // 8, height // 2)), poster.getpixel((width * 7 // 8, height // 2))
    return min(left) > LIGHT and max(right) < DARK


# --- Accepted, with their metadata ------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoder", "codec"),
    [
        ("libx264", "h264"),
        ("libx265", "hevc"),
        ("libvpx-vp9", "vp9"),
        ("libsvtav1", "av1"),
    ],
)
def test_playable_codecs(probe, encoder, codec):
    data = videos.encode(encoder)
    info = probe(data)
    assert (info.video_codec, info.audio_codec) == (codec, None)
    assert (info.duration, info.fps, info.width, info.height, info.rotation) == (2.0, 8.0, 64, 48, 0)
    assert abs(info.bitrate - len(data) * 8 / 2.0) <= 1  # the whole file over its duration
    assert info.poster.mode == "RGB" and info.poster.size == (64, 48)
    assert light_left(info.poster, 64, 48)


@pytest.mark.parametrize(("encoder", "codec"), [("aac", "aac"), ("libopus", "opus"), ("libmp3lame", "mp3")])
def test_audio_tracks(probe, encoder, codec):
    data = videos.encode(audio=encoder)
    info = probe(data)
    assert (info.video_codec, info.audio_codec, info.fps, info.width, info.height) == ("h264", codec, 8.0, 64, 48)
    # The duration spans both tracks: the audio encoder's priming and padding end a little later.
    assert 2.0 <= info.duration <= 2.1
    assert abs(info.bitrate - len(data) * 8 / info.duration) <= 0.01 * info.bitrate


def tkhd_matrix(data: bytes) -> tuple[int, int, int, int]:
    """a, b, c, d of the (version 0) track header's transformation matrix, 16.16 fixed point."""
    at = data.index(b"tkhd") + 4 + 40
    a, b, _, c, d = struct.unpack_from(">5i", data, at)
    return a, b, c, d


@pytest.mark.parametrize(
    ("rotation", "matrix", "reported", "light_side"),
    [
        # QuickTime's matrix maps (x, y) to (a x + c y, b x + d y); screen y points down.
        (-90, (0, 1 << 16, -1 << 16, 0), 270, "top"),  # a quarter turn clockwise: a portrait phone clip
        (90, (0, -1 << 16, 1 << 16, 0), 90, "bottom"),  # a quarter turn counter-clockwise
        (180, (-1 << 16, 0, 0, -1 << 16), 180, "right"),
    ],
)
def test_rotated_clip(probe, rotation, matrix, reported, light_side):
    data = videos.encode(width=64, height=32, rotation=rotation)
    assert tkhd_matrix(data) == matrix
    info = probe(data)
    assert info.rotation == reported
    quarter = rotation % 180 != 0
    assert (info.width, info.height) == ((32, 64) if quarter else (64, 32))
    assert info.poster.size == (info.width, info.height)
    w, h = info.poster.size
    points = {
        "top": ((w // 2, h // 8), (w // 2, h * 7 // 8)),
        "bottom": ((w // 2, h * 7 // 8), (w // 2, h // 8)),
        "right": ((w * 7 // 8, h // 2), (w // 8, h // 2)),
    }[light_side]
    assert min(info.poster.getpixel(points[0])) > LIGHT and max(info.poster.getpixel(points[1])) < DARK


def test_poster_skips_leading_black_frames(probe):
    info = probe(videos.encode(black=5, frames=60))  # 7.5 s: the first 10 % is 6 frames
    assert info.duration == 7.5
    assert light_left(info.poster, 64, 48)


def test_poster_looks_at_key_frames_past_the_first_frames(probe):
    # 60 s at 8 fps, a key frame every 10 frames, black until frame 40 (5.0 s, within the first 6 s):
    # past the first frames, which are all decoded, only key frames are.
    info = probe(videos.encode(black=40, frames=480, gop=10))
    assert info.duration == 60.0
    assert light_left(info.poster, 64, 48)


def test_poster_stays_black_when_the_first_tenth_is_black(probe):
    info = probe(videos.encode(black=5, frames=20))  # 2.5 s: the first 10 % holds 2 black frames
    assert max(high for _, high in info.poster.getextrema()) <= videoscan.BLACK_LEVEL


def orange(poster) -> bool:
    """Not black, and orange: red over green over blue."""
    red, green, blue = (high for _, high in poster.getextrema())
    return red > videoscan.BLACK_LEVEL and red > green > blue


@pytest.mark.parametrize(("rate", "black"), [(30, 0.8), (60, 0.9), (8, 0.5)])
def test_poster_of_a_fade_in_after_one_key_frame(probe, rate, black):
    """Black for longer than the frames decoded first (or not), then a fade to orange without a key frame:
    the first tenth is searched by time, so the poster is found wherever in it the picture appears."""
    data = videos.fade_in(seconds=10, rate=rate, black=black)
    assert videos.key_frames(data) == [0.0]
    info = probe(data)
    assert (info.duration, info.fps) == (10.0, rate)
    assert orange(info.poster)


def test_poster_stays_black_when_the_fade_in_comes_after_the_first_tenth(probe):
    info = probe(videos.fade_in(seconds=10, rate=30, black=1.1))
    assert max(high for _, high in info.poster.getextrema()) <= videoscan.BLACK_LEVEL


def scan(path, monkeypatch, budget_frames: int):
    """The packet pass of video.inspect over a file, in this process, with a search budget of that many
    frames; the Scan and its poster as an image."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        monkeypatch.setattr(videoscan, "SEARCH_PIXELS", budget_frames * stream.width * stream.height)
        duration = float(stream.duration * stream.time_base)
        found = videoscan.Scan(stream, duration * videoscan.POSTER_SPAN, lambda *size: None, video.DECODER_MAX_PIXELS)
        for packet in container.demux(stream):
            found.packet(packet)
        found.finish()
        return found, found.poster.to_image()


@pytest.mark.parametrize(("budget", "found"), [(1000, True), (10, False)])
def test_the_search_decodes_no_more_than_its_budget(tmp_path, monkeypatch, budget, found):
    """60 s at 30 fps, one key frame, black for 5 s: the picture is 150 frames past the first ones."""
    path = tmp_path / "clip.mp4"
    path.write_bytes(videos.fade_in(seconds=60, rate=30, black=5))
    result, poster = scan(path, monkeypatch, budget)
    assert result.decoded <= videoscan.SEQUENTIAL_FRAMES + budget + videoscan.POSTER_SAMPLES
    assert orange(poster) if found else result.black


def test_anamorphic_clip_is_reported_at_its_displayed_size(probe):
    data = videos.encode(aspect=Fraction(4, 3))
    info = probe(data)
    assert (info.width, info.height) == (85, 48)
    assert info.poster.size == (85, 48)


# --- Limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(3840, 16), (16, 3840), (2880, 2880)])
def test_largest_accepted_sizes(probe, width, height):
    info = probe(videos.encode(width=width, height=height, frames=1))
    assert (info.width, info.height) == (width, height)
    assert max(info.poster.size) == min(videoscan.POSTER_SIZE, max(width, height))


@pytest.mark.parametrize(
    ("width", "height", "shown"),
    [
        (3856, 16, "3856x16"),  # a side longer than 3840
        (16, 3856, "16x3856"),
        (2880, 2896, "2880x2896"),  # 8,340,480 pixels, more than 3840x2160
    ],
)
def test_too_large(refusal, width, height, shown):
    refused = refusal(videos.encode(width=width, height=height, frames=1))
    assert refused.code == "video_too_large"
    assert shown in refused.detail


def test_too_many_frames_per_second(probe, refusal):
    refused = refusal(videos.encode(rate=240))
    assert refused.code == "video_too_large"
    assert "240 frames per second" in refused.detail
    assert probe(videos.encode(rate=120, frames=24)).fps == 120.0


def test_too_long(probe, refusal):
    ten_minutes_and_ten = videos.encode(rate=Fraction(1, 10), frames=61)  # 610 s
    refused = refusal(ten_minutes_and_ten)
    assert refused.code == "video_too_long"
    assert "610.0 s" in refused.detail and "600 s" in refused.detail
    assert probe(ten_minutes_and_ten, max_seconds=610).duration == 610.0
    assert refusal(videos.encode(), max_seconds=1.5).code == "video_too_long"
    assert probe(videos.encode(), max_seconds=2).duration == 2.0


def test_unsupported_codec_is_named(refusal):
    refused = refusal(videos.encode("mpeg4"))
    assert refused.code == "unsupported_codec"
    assert "MPEG-4 part 2" in refused.detail


# --- Damaged and hostile files -------------------------------------------------------------------


@pytest.mark.parametrize("encoder", ["libx264", "libx265", "libvpx-vp9", "libsvtav1"])
def test_garbage_stream_in_a_valid_container(refusal, encoder):
    refused = refusal(videos.scrambled(videos.encode(encoder)))
    assert refused.code == "corrupt_file"


def test_garbage_after_the_first_frame(refusal):
    data = videos.encode(frames=40)
    first = videos.mdat_span(data)
    refused = refusal(videos.scrambled(data, keep=(first[1] - first[0]) // 3))
    assert refused.code == "corrupt_file"


@pytest.mark.parametrize("fraction", [0.9, 0.5, 0.3])
def test_truncated_media_data(refusal, fraction):
    refused = refusal(videos.cut(videos.encode(frames=40, faststart=True), fraction))
    assert refused.code == "corrupt_file"


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 20], ids=["empty", "bytes"])
def test_not_a_video_at_all(refusal, data):
    assert refusal(data).code == "corrupt_file"


def test_sps_claiming_16384_squared(refusal):
    refused = refusal(videos.claiming(16384, 16384))
    assert refused.code == "corrupt_file"


def test_in_band_sps_claiming_8192_squared_is_refused_before_decoding(refusal):
    # FFmpeg's probe reads the forged SPS; it must not allocate 8192x8192 frames to do it.
    refused = refusal(videos.claiming(8192, 8192, in_band=True))
    assert refused.code == "video_too_large"
    assert "8192x8192" in refused.detail


def test_in_band_sps_claiming_more_than_the_slices_hold(refusal):
    refused = refusal(videos.claiming(3840, 2160, in_band=True))
    assert refused.code == "corrupt_file"


@pytest.mark.parametrize("count", [1000, 50_000_000, 1_000_000_000])
def test_sample_table_claiming_more_samples_than_it_holds(refusal, count):
    # 2.5 KB claiming up to a billion samples: FFmpeg must not size its index from the claim.
    assert refusal(videos.claiming_samples(videos.encode(), count)).code == "corrupt_file"


def test_decoder_out_of_memory_costs_only_the_call(probe, refusal):
    big = videos.encode(width=2880, height=2880, frames=1)
    refused = refusal(big, memory=8 << 20)
    assert refused.code == "corrupt_file"
    assert probe(big).width == 2880  # the same file with the normal allowance


def test_command_line(tmp_path):
    good, bad = tmp_path / "good.mp4", tmp_path / "bad.mp4"
    good.write_bytes(videos.encode("libx265"))
    bad.write_bytes(videos.encode("mpeg4"))
    done = subprocess.run(
        [sys.executable, "-m", "mediakit.video", str(good), str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "video_codec='hevc'" in done.stdout
    assert "refused: unsupported_codec" in done.stdout


def test_playlist_naming_other_files_is_not_followed(tmp_path):
    # FFmpeg left to guess would read this as HLS (it does, named .m3u8) and open the file it lists:
    # the probe would describe a video the upload does not hold, or fetch a URL.
    (tmp_path / "elsewhere.mp4").write_bytes(videos.encode())
    playlist = tmp_path / "list.m3u8"
    playlist.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://{tmp_path / 'elsewhere.mp4'}\n#EXT-X-ENDLIST\n"
    )
    with pytest.raises(Rejected) as caught:
        video.probe(playlist)
    assert caught.value.code == "corrupt_file"


# --- Files stored before these rules: read, with the refusal an upload would get ------------------


@pytest.mark.parametrize(
    ("make", "code", "expected"),
    [
        (lambda: videos.encode("mpeg4"), "unsupported_codec", ("mpeg4", 2.0, 8.0, 64, 48)),
        (lambda: videos.encode(rate=Fraction(1, 10), frames=61), "video_too_long", ("h264", 610.0, 0.1, 64, 48)),
        (lambda: videos.encode(width=3856, height=16, frames=1), "video_too_large", ("h264", 0.125, 8.0, 3856, 16)),
        (lambda: videos.encode(rate=240), "video_too_large", ("h264", 0.067, 240.0, 64, 48)),
    ],
)
def test_stored_video_breaking_a_rule_is_described(probe, make, code, expected):
    info = probe(make(), enforce=False)
    assert (info.video_codec, info.duration, info.fps, info.width, info.height) == expected
    assert info.refusal is not None and info.refusal[0] == code
    assert light_left(info.poster, *info.poster.size)


def test_stored_playable_video_has_no_refusal(probe):
    assert probe(videos.encode(), enforce=False).refusal is None


def test_stored_corrupt_video_is_still_refused(refusal):
    assert refusal(videos.scrambled(videos.encode()), enforce=False).code == "corrupt_file"


@pytest.mark.parametrize("data", [b"not a video", videos.scrambled(videos.encode())], ids=["open", "decode"])
def test_details_name_no_server_path(tmp_path, refusal, data):
    refused = refusal(data)
    assert str(tmp_path) not in refused.detail and "clip.mp4" not in refused.detail
    assert "Invalid data found when processing input" in refused.detail
