"""Storages that really refuse to delete: an immutable folder (chattr +i) or an S3 endpoint that refuses connections.

Tests run as root, and root ignores a folder's permission bits (chmod 0555 would not stop an
unlink), but not the file system's immutable attribute: no process may unlink an entry of an
immutable folder. For S3 the storage is pointed at a loopback port where nothing listens, as
an unreachable S3 would be; pointing it back lets the retry succeed against the same bucket.
"""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from botocore.config import Config

from testkit.net import free_port


def _set_immutable(folders: list[Path], on: bool) -> None:
    if not folders:
        return
    done = subprocess.run(["chattr", "+i" if on else "-i", *map(str, folders)], capture_output=True, text=True)
    if done.returncode and on:  # e.g. a tmpfs of an older kernel: say so rather than pass untested
        _set_immutable(folders, False)
        pytest.skip(f"this file system cannot make a folder immutable: {done.stderr.strip()}")
    done.check_returncode()


@contextmanager
def refusing_deletes(settings, alias: str) -> Iterator[None]:
    """While open, every delete in the named storage fails for real; afterwards it works again."""
    entry = settings.STORAGES[alias]
    if entry["BACKEND"].endswith("S3Storage"):
        options = {
            **entry["OPTIONS"],
            "endpoint_url": f"http://127.0.0.1:{free_port()}",
            # one attempt, so the refusal is quick; nothing listens there, so it is certain
            "client_config": Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2),
        }
        settings.STORAGES = {**settings.STORAGES, alias: {**entry, "OPTIONS": options}}
        try:
            yield
        finally:
            settings.STORAGES = {**settings.STORAGES, alias: entry}
        return
    root = Path(entry["OPTIONS"]["location"])
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())] if root.exists() else []
    _set_immutable(folders, True)
    try:
        yield
    finally:
        _set_immutable(folders, False)
