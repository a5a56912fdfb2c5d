"""The apps as a Django developer gets them: a wheel built from this tree, installed into a fresh venv.

No package index is reached: the venv gets the wheel, plus, linked from the test venv, exactly the
distributions its declared dependencies (and extras) pull in, found by walking their metadata. A
dependency the wheel forgets to declare is therefore missing there, as it would be after a real
`pip install`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# Not copied to the build folder: what the build does not read.
NOT_BUILT = shutil.ignore_patterns(
    ".venv", ".git", "var", "__pycache__", "*.pyc", ".pytest_cache", ".bench", "build", "*.egg-info", "node_modules"
)


def build_wheel(into: Path) -> Path:
    """`pip wheel` of a copy of the tree (the build writes its own folders, never into the checkout)."""
    source = into / "source"
    shutil.copytree(ROOT, source, ignore=NOT_BUILT)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "-w",
            str(into),
            str(source),
        ],
        check=True,
        timeout=300,
    )
    [wheel] = into.glob("critvue_media-*.whl")
    return wheel


def requirements_of(wheel: Path) -> list[str]:
    """Requires-Dist lines of the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    return [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]


def closure(requirements: list[str], extras: set[str]) -> dict[str, Distribution]:
    """The installed distributions these requirements (with these extras) pull in, recursively."""
    found: dict[str, Distribution] = {}
    pending = [(Requirement(text), extras) for text in requirements]
    while pending:
        requirement, wanted = pending.pop()
        environment = [{"extra": extra} for extra in (wanted or {""})]
        if requirement.marker and not any(requirement.marker.evaluate(env) for env in environment):
            continue
        key = canonicalize_name(requirement.name)
        try:
            dist = distribution(requirement.name)
        except PackageNotFoundError:
            raise AssertionError(f"{requirement.name} is required but not in the test venv") from None
        assert dist.version in requirement.specifier or not requirement.specifier, (requirement, dist.version)
        if key in found and not requirement.extras:
            continue
        found[key] = dist
        pending += [(Requirement(text), set(requirement.extras)) for text in dist.requires or ()]
    return found


def make_venv(where: Path, wheel: Path, *, extras: set[str] = frozenset(), also: tuple[str, ...] = ()) -> Path:
    """A venv holding the wheel (with `extras`) and its dependency closure (plus `also`, the host's own)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    ours = Path(sysconfig.get_paths()["purelib"])
    for dist in closure([*requirements_of(wheel), *also], set(extras)).values():
        for top in {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}:
            if not (purelib / top).exists():
                (purelib / top).symlink_to(ours / top)
    # pip itself runs from the test venv and installs into the new one (--python), offline.
    target = f"{wheel}[{','.join(sorted(extras))}]" if extras else str(wheel)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps", "--quiet", target],
        check=True,
        timeout=300,
    )
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "check"], check=True, timeout=120)
    return python


def host_env(**extra: str) -> dict[str, str]:
    """The environment of a host's processes: nothing of Critvue's configuration or of this checkout."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {**{k: v for k, v in os.environ.items() if k in keep}, "PYTHONDONTWRITEBYTECODE": "1", **extra}
