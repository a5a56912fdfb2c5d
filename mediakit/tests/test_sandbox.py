"""mediakit.sandbox: a child that crashes, hangs or eats memory costs one Rejected, never the caller."""

import concurrent.futures
import os
import subprocess
import sys
import time

import pytest

from mediakit import sandbox, video
from mediakit.rejections import Rejected
from mediakit.tests import hostile
from testkit import videos


def rejected(func, *args, **options) -> Rejected:
    with pytest.raises(Rejected) as caught:
        sandbox.run(func, *args, **options)
    return caught.value


def test_answer_comes_back():
    assert sandbox.run(hostile.answer, 21) == 42


@pytest.mark.parametrize(("func", "signal_name"), [(hostile.abort, "SIGABRT"), (hostile.segfault, "SIGSEGV")])
def test_crash(func, signal_name):
    refused = rejected(func)
    assert (refused.code, refused.detail) == ("corrupt_file", f"the decoder crashed on the file ({signal_name})")
    assert sandbox.run(hostile.answer, 1) == 2  # and the next call works


def test_an_exception_in_the_child_is_logged_not_told(caplog):
    refused = rejected(hostile.raise_attribute_error)
    assert (refused.code, refused.detail) == ("corrupt_file", "the file cannot be read")
    logged = [r.getMessage() for r in caplog.records if r.name == "mediakit.sandbox"]
    assert len(logged) == 1 and "AttributeError" in logged[0] and "raise_attribute_error" in logged[0]


def test_exit_without_answer():
    assert rejected(hostile.exit_quietly).detail == "the decoder stopped on the file (exit status 3)"


@pytest.mark.parametrize("func", [hostile.spin, hostile.sleep])
def test_hang_is_killed(tmp_path, func):
    marker = tmp_path / "pid"
    refused = rejected(hostile.record_pid_then, str(marker), func, timeout=0.5)
    assert (refused.code, refused.detail) == ("corrupt_file", "reading the file took longer than 0.5 s")
    with pytest.raises(ProcessLookupError):  # the child is gone, not left spinning
        os.kill(int(marker.read_text()), 0)


@pytest.mark.parametrize("func", [hostile.allocate, hostile.allocate_in_c])
def test_memory_is_bounded(func):
    refused = rejected(func, 4 << 30, memory=256 << 20)
    assert (refused.code, refused.detail) == ("corrupt_file", "reading the file needs more memory than allowed")
    assert sandbox.run(func, 128 << 20, memory=256 << 20)  # what fits is allowed


def test_code_of_the_refusal_is_the_callers():
    assert rejected(hostile.abort, code="avatar_unreadable").code == "avatar_unreadable"


def test_rejected_raised_inside_comes_back_as_is(tmp_path):
    path = tmp_path / "old.mp4"
    path.write_bytes(videos.encode("mpeg4"))
    refused = rejected(video.inspect, str(path), 600)
    assert refused.code == "unsupported_codec"


def test_concurrent_calls_from_threads(tmp_path):
    """As from a threaded worker: several probes at once, one of them on a hostile stand-in."""
    path = tmp_path / "clip.mp4"
    path.write_bytes(videos.encode())
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        crash = pool.submit(sandbox.run, hostile.segfault)
        probes = [pool.submit(video.probe, path) for _ in range(6)]
        assert [p.result().duration for p in probes] == [2.0] * 6
        with pytest.raises(Rejected):
            crash.result()


ORPHAN = """
import sys
from mediakit import sandbox
from mediakit.tests import hostile
sandbox.run(hostile.record_pid_then, sys.argv[1], hostile.{job}, timeout=1)
"""


@pytest.mark.parametrize("job", ["sleep", "spin"])
def test_child_of_a_killed_caller_ends_on_its_own(tmp_path, job):
    """A worker killed mid-call cannot kill its child: the child's own deadline does."""
    marker = tmp_path / "pid"
    caller = subprocess.Popen([sys.executable, "-c", ORPHAN.format(job=job), str(marker)])
    try:
        pid = wait_for_pid(marker)
        caller.kill()
    finally:
        caller.wait()
    assert wait_until_gone(pid), f"child {pid} outlived its caller"


def wait_for_pid(marker) -> int:
    for _ in range(1000):
        if marker.exists() and marker.read_text():
            return int(marker.read_text())
        time.sleep(0.01)
    raise AssertionError("the child never started")


def wait_until_gone(pid: int) -> bool:
    """True once no process `pid` exists (its parent, the fork server, reaps it), within 10 s."""
    for _ in range(1000):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def test_children_start_with_pyav_loaded():
    """The fork server imported PyAV and mediakit.video once: no child pays for it."""
    video.start()
    assert sandbox.run(hostile.loaded, "av") and sandbox.run(hostile.loaded, "mediakit.video")


RUN_BY_NAME = """
import os

import heavy_dependency  # noqa: F401  (writes a line to $IMPORTS each time it is imported)

if __name__ == "__main__":
    from mediakit import sandbox

    assert len({sandbox.run(os.getpid) for _ in range(3)}) == 3
"""


def test_a_main_run_by_module_name_is_not_imported_again_by_each_child(tmp_path):
    """`python -m module`: children re-run the main module; what it imports was loaded once, in the fork server."""
    imports = tmp_path / "imports"
    (tmp_path / "heavy_dependency.py").write_text(
        "import os\nwith open(os.environ['IMPORTS'], 'a') as log:\n    log.write(f'{os.getpid()}\\n')\n"
    )
    (tmp_path / "run_by_name.py").write_text(RUN_BY_NAME)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "IMPORTS": str(imports), "PYTHONPATH": os.pathsep.join([str(tmp_path), root])}
    subprocess.run([sys.executable, "-m", "run_by_name"], cwd=tmp_path, env=env, check=True, timeout=60)
    importers = imports.read_text().split()
    assert len(importers) == 2, importers  # the main process and the fork server, no child


def test_a_main_run_by_module_name_in_a_package_prints_no_runpy_warning_per_child(tmp_path):
    """`python -m bench.video_probe`: each child re-runs the main over its preloaded module, which runpy
    would warn about once per call (107 lines once in a benchmark's output)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "heavy_dependency.py").write_text("")
    main = RUN_BY_NAME.replace("import heavy_dependency", "import pkg.heavy_dependency")
    (package / "run_by_name.py").write_text(main)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), root])}
    ran = subprocess.run(
        [sys.executable, "-m", "pkg.run_by_name"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert (ran.returncode, ran.stderr) == (0, "")
