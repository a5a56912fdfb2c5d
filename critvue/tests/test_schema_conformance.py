"""Schemathesis, driven by the server's own /api/schema, against the production server (gunicorn with
gunicorn.conf.py, DEBUG off, rate limits on) seeded with a user, an avatar, personas and files: no 5xx,
and every answer conforms to the schema (statuses, bodies, headers, content types, schema-invalid requests
refused, schema-valid ones accepted unless a rule the schema cannot state refuses them: see
schemathesis_hooks.py). Every operation of the schema is tested, whatever endpoints exist.

Bounded: a fixed seed, few examples per operation and one worker (Python 3.11's parser is not safe
in the threads schemathesis would use), so it adds about half a minute.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import requests

from bench.live import server_env
from critvue.tests.topology import PASSWORD, ROOT, stop, wait_until_answering
from testkit.images import photo_jpeg
from testkit.media import jpeg as media_jpeg
from testkit.net import free_port

pytestmark = pytest.mark.django_db(transaction=True)  # the server writes to the test database
MAX_EXAMPLES = 10
SEED = 20261207
RUN_SECONDS = 300  # a bound on the whole run, far above what it takes; a hang fails rather than waits


@pytest.fixture
def server(tmp_path, topology_database):
    env = {
        **server_env(tmp_path),
        "DATABASE_URL": topology_database,
        "ENABLE_RATE_LIMITING": "true",
        "LOG_LEVEL": "ERROR",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
    port = free_port()
    with open(tmp_path / "gunicorn.log", "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "critvue.wsgi:application",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        wait_until_answering(port, proc, "gunicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def seed(url: str) -> dict[str, str]:
    """A user with an avatar, a persona and a file to read and change, and another pair to delete."""
    email = "conformance@example.com"
    assert requests.post(f"{url}/api/v1/auth/register", json={"email": email, "password": PASSWORD}).status_code == 201
    token = requests.post(f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["access"]
    auth = {"Authorization": f"Bearer {token}"}
    avatar = requests.post(
        f"{url}/api/v1/profile/me/avatar", headers=auth, files={"file": ("me.jpg", photo_jpeg(300, 300), "image/jpeg")}
    )
    assert avatar.status_code == 200, avatar.text
    ids = {"TOKEN": token}
    for name, size in (("", (640, 480)), ("DOOMED_", (320, 240))):
        persona = requests.post(f"{url}/api/v1/personas", headers=auth, json={"name": f"{name or 'kept'}"}).json()["id"]
        media = requests.post(
            f"{url}/upload/persona/{persona}/image",
            headers=auth,
            files={"file": ("picture.jpg", media_jpeg(*size), "image/jpeg")},
        )
        assert media.status_code == 201, media.text
        ids.update({f"{name}PERSONA": str(persona), f"{name}FILE": str(media.json()["id"])})
    return ids


def test_every_operation_conforms_to_the_schema(server, tmp_path):
    seeded = seed(server)
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "critvue.tests.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
        **{f"CONFORMANCE_{name}": value for name, value in seeded.items()},
    }
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server}/api/schema",
        "-H",
        f"Authorization: Bearer {seeded['TOKEN']}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",  # the hooks' stricter one
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
    ]
    # In its own folder: nothing it might write lands in the repository.
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20000:]
    counts = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", output)
    assert counts and counts[1] == counts[2] == counts[3], output[-5000:]  # every operation of the schema


@pytest.mark.parametrize(
    "positive, status, code, fair",
    [
        (True, 400, "image_too_small", True),  # a rule beyond the schema (pixels)
        (True, 400, "password_too_common", True),
        (True, 409, "duplicate_file", True),
        (True, 400, "max_length", False),  # the schema could have said it
        (True, 400, "invalid", False),
        (True, 400, None, False),  # no code: nobody can tell why
        (True, 415, "unsupported_media_type", False),
        (False, 400, "invalid", True),  # a schema-invalid request: negative_data_rejection's business
    ],
)
def test_the_refusal_check_tells_rules_beyond_the_schema_from_disagreements(positive, status, code, fair):
    from types import SimpleNamespace

    from critvue.tests.schemathesis_hooks import refusals_name_a_rule_the_schema_cannot_state as check

    case = SimpleNamespace(meta=SimpleNamespace(generation=SimpleNamespace(mode=SimpleNamespace(is_positive=positive))))
    response = SimpleNamespace(status_code=status, content=json.dumps({"detail": "x.", "code": code}).encode())
    if fair:
        assert check(None, response, case) is None
    else:
        with pytest.raises(AssertionError, match="schema-valid request was refused"):
            check(None, response, case)
