"""Every error is JSON on every path the server answers (the admin's HTML pages aside), DEBUG on or off:
in-process for each kind of path, and live under `manage.py runserver` with DEBUG on, as `make run` serves."""

import os
import subprocess
import sys

import pytest
import requests
from django.test import Client

from critvue.tests.topology import ROOT, stop, wait_until_answering
from testkit.net import free_port

pytestmark = pytest.mark.django_db

# Paths no view serves, or whose view finds nothing: every kind of 404 the server has.
MISSING = [
    "/nothing-here",
    "/api/v1/nothing-here",
    "/files/avatars/medium/avatar_1_0123456789abcdef_medium.jpg",  # a missing avatar file (the app's file view)
    "/files/avatars/../settings.py",
    "/static/missing.css",
    "/api/docs/nothing",
]


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code and body["detail"].endswith(".")
    return body


@pytest.mark.parametrize("path", MISSING)
def test_a_missing_path_is_a_json_404(debug, path):
    assert_json_error(Client().get(path), 404, "not_found")


def test_a_failing_view_is_a_json_500_that_names_nothing_internal(debug, settings):
    settings.ROOT_URLCONF = "critvue.tests.urls_failing"
    body = assert_json_error(Client(raise_request_exception=False).get("/failing-view"), 500, "server_error")
    assert "RuntimeError" not in str(body) and "/srv/" not in str(body) and "Traceback" not in str(body)


def test_a_method_a_plain_view_does_not_take_is_a_json_405(debug):
    response = Client().post("/files/avatars/medium/avatar_1_0123456789abcdef_medium.jpg")
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_the_admin_keeps_its_html_pages(debug, admin_client):
    response = admin_client.get("/admin/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_make_run_debug_server_answers_json_errors(tmp_path):
    """`manage.py runserver` with DEBUG on, as `make run` starts it (its own SQLite file and folders)."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "CRITVUE_ENV_FILE": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "AVATAR_STORAGE_PATH": str(tmp_path / "avatars"),
        "PERSONA_MEDIA_STORAGE_PATH": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answering(port, server, "runserver")
        for path in MISSING:
            response = requests.get(f"http://127.0.0.1:{port}{path}", timeout=30)
            assert (response.status_code, response.headers["Content-Type"]) == (404, "application/json"), path
            assert response.json()["code"] == "not_found"
        assert requests.get(f"http://127.0.0.1:{port}/api/docs", timeout=30).status_code == 200  # pages still work
    finally:
        stop(server)
