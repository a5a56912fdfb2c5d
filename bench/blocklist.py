"""Benchmark what the blocklist check costs an upload at 100,000 blocked pictures: the pigeonhole chunk index
against a scan of every entry, in the same run.

Run from the repository root:  .venv/bin/python -m bench.blocklist [--entries N] [--runs N]
(`make bench` runs it on PostgreSQL from scripts/services.py, in a database of its own that it drops
afterwards; run directly without DATABASE_URL, on a temporary SQLite file.)

The blocklist is filled with N entries (default 100,000) of random 256-bit hashes and SHA-256s, each with its
16 chunk rows, as moderation.blocklist.add writes them (random hashes: distinct photos' PDQ hashes lie about
128 bits apart, as random ones do). Then, each timed `--runs` times, interleaved, medians and 95th percentiles:

- indexed, not blocked: moderation.blocklist.match() for a fresh picture (the case of nearly every upload):
  the SHA-256 lookup and the 272 chunk keys, then the full distance of each candidate;
- indexed, blocked: the same for a copy of an entry (20 bits off);
- baseline, scan: every entry's hash read and compared in Python (what the check costs without the index);
- the picture's own hash, for scale: mediakit.fingerprint.picture_hash of a 2000x1500 JPEG (the rest of
  what the check costs an upload).

Goal: the indexed check under 10 ms an upload.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from bench.live import django_settings

TARGET_MS = 10.0
BATCH = 2000


@contextmanager
def own_database():
    """DATABASE_URL pointing at a fresh database: a new one on the PostgreSQL server given, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        with tempfile.TemporaryDirectory() as folder:
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/blocklist.sqlite3"
            yield "SQLite"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"bench_blocklist_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield "PostgreSQL"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(entries: int, rng: random.Random) -> list[str]:
    """N entries with their chunks, in batches; returns their hashes."""
    from mediakit import fingerprint
    from moderation.models import BlockedChunk, BlockedContent

    hashes = [f"{rng.getrandbits(256):064x}" for _ in range(entries)]
    for start in range(0, entries, BATCH):
        batch = BlockedContent.objects.bulk_create(
            BlockedContent(
                sha256=hashlib.sha256(digest.encode()).hexdigest(),
                picture_hash=digest,
                source_kind="avatar",
                source_id=start + i,
                description=f"bench entry {start + i}",
            )
            for i, digest in enumerate(hashes[start : start + BATCH])
        )
        BlockedChunk.objects.bulk_create(
            BlockedChunk(entry=entry, key=key) for entry in batch for key in fingerprint.chunk_keys(entry.picture_hash)
        )
    return hashes


def analyze() -> None:
    """What autovacuum does after a table grows by inserts: fresh statistics (PostgreSQL plans by them) and the
    visibility map (index-only scans of the chunk index)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE moderation_blockedcontent, moderation_blockedchunk")


def scan(content) -> bool:
    """The check without an index: every entry read and compared."""
    from mediakit import fingerprint
    from moderation.models import BlockedContent

    for sha256, picture in BlockedContent.objects.values_list("sha256", "picture_hash").iterator(chunk_size=10000):
        if sha256 == content.sha256 or (
            picture and fingerprint.distance(picture, content.picture) <= fingerprint.MATCH_DISTANCE
        ):
            return True
    return False


def near(digest: str, bits: int, rng: random.Random) -> str:
    value = int(digest, 16)
    for bit in rng.sample(range(256), bits):
        value ^= 1 << bit
    return f"{value:064x}"


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def summary(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    return f"  {name:<44} median {statistics.median(times):8.2f} ms   p95 {p95:8.2f} ms   ({len(times)} runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--scan-runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(19)
    with own_database() as engine:
        django_settings()
        from django.core.management import call_command

        from mediakit import fingerprint
        from mediakit.review import Fingerprint
        from moderation import blocklist
        from testkit import images

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        hashes = fill(args.entries, rng)
        analyze()
        print(
            f"{engine}: {args.entries} blocked pictures ({args.entries * 16} chunk rows) written in "
            f"{time.perf_counter() - started:.0f} s"
        )
        miss, hit, base = [], [], []
        for run in range(args.runs):
            fresh = Fingerprint(hashlib.sha256(b"fresh %d" % run).hexdigest(), f"{rng.getrandbits(256):064x}")
            copy = Fingerprint(hashlib.sha256(b"copy %d" % run).hexdigest(), near(rng.choice(hashes), 20, rng))
            miss.append(timed(lambda: blocklist.match(fresh)))
            hit.append(timed(lambda: blocklist.match(copy)))
            assert blocklist.match(copy) is not None and blocklist.match(fresh) is None
            if run < args.scan_runs:
                base.append(timed(lambda: scan(fresh)))
        photo = images.encode(images.photo(2000, 1500), "JPEG", quality=90)
        hashing = [timed(lambda: fingerprint.picture_hash(photo)) for _ in range(args.runs // 3 or 1)]
        print(summary("indexed, not blocked (a fresh picture)", miss))
        print(summary("indexed, blocked (a copy, 20 bits off)", hit))
        print(summary("baseline: scan of every entry", base))
        print(summary("the picture's hash (2000x1500 JPEG)", hashing))
        worst = max(statistics.median(miss), statistics.median(hit))
        print(
            f"goal: the indexed check < {TARGET_MS:.0f} ms an upload: {worst:.2f} ms "
            f"({'met' if worst < TARGET_MS else 'MISSED'}); {statistics.median(base) / worst:.0f}x faster "
            f"than the scan"
        )


if __name__ == "__main__":
    sys.exit(main())
