#!/usr/bin/env bash
# Make sure the system packages the project needs are installed: python3-venv and libmagic always; PostgreSQL and
# Redis servers only when the tests must start their own (no TEST_DATABASE_URL / TEST_REDIS_URL); with
# --servers also nginx for the production-topology tests (critvue/tests/test_topology*.py), run unprivileged
# on a free port, and Debian's chromium, which the admin's browser test drives (never a browser download).
# Installs with apt-get when run as root; otherwise says what is missing and stops.
set -euo pipefail
need=()
# Debian and Ubuntu ship Python without ensurepip: `python3 -m venv` needs python3-venv.
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
# No grep -q: it may close the pipe early, and pipefail would then blame ldconfig's SIGPIPE.
ldconfig -p 2>/dev/null | grep 'libmagic\.so\.1' >/dev/null || need+=(libmagic1)
# pdqhash (requirements.txt) has no wheels: pip builds it with a C++ compiler.
command -v g++ >/dev/null || need+=(g++)
"${PYTHON:-python3}" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || need+=(python3-dev)
if [ "${1:-}" = "--servers" ]; then
  if [ -z "${TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    need+=(postgresql)
  fi
  if [ -z "${TEST_REDIS_URL:-}" ] && ! command -v redis-server >/dev/null; then
    need+=(redis-server)
  fi
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    need+=(nginx)
  fi
  command -v chromium >/dev/null || need+=(chromium)
  # `make bench` only: FFmpeg's own program, the baseline the video conversion is measured against.
  if [ "${2:-}" = "--bench" ]; then
    command -v ffmpeg >/dev/null || need+=(ffmpeg)
  fi
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "sysdeps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian's postgresql package creates and starts a cluster, and its nginx package a site on port 80 where an
  # init system runs; the tests start their own of both.
  exit 0
fi
echo "sysdeps: missing system packages: ${need[*]}" >&2
echo "sysdeps: install them (e.g. sudo apt-get install ${need[*]}), or set TEST_DATABASE_URL / TEST_REDIS_URL" >&2
exit 1
