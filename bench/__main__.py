"""`make bench`: run every benchmark module in turn, each in a fresh interpreter."""
import subprocess
import sys

MODULES = ("bench.avatar_processing", "bench.decode", "bench.avatar_http", "bench.throughput",
           "bench.persona_media", "bench.persona_previews", "bench.video_probe", "bench.export")


def main() -> int:
    failed = []
    for module in MODULES:
        print(f"\n=== {module} ===", flush=True)
        if subprocess.call([sys.executable, "-m", module]) != 0:
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
