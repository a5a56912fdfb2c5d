"""The production topology, live: nginx with deploy/'s site in front of separate gunicorn masters."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import requests

from bench.live import request, server_env
from testkit.net import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX_SITE = ROOT / "deploy" / "nginx"
DEPLOY_ENV = ROOT / "deploy" / "critvue.env.example"
STARTUP_SECONDS = 90
# What deploy/nginx/critvue-locations.conf names, and what a test site puts in its place.
AVATARS_PLACEHOLDER = "/srv/critvue/avatars/"
MEDIA_PLACEHOLDER = "/srv/critvue/persona_media/"
UPSTREAM_PLACEHOLDER = "proxy_pass http://critvue;"
# nginx's own list where the distribution ships one; else the few types this site serves.
SYSTEM_MIME_TYPES = Path("/etc/nginx/mime.types")
FALLBACK_TYPES = "types { image/jpeg jpg jpeg; image/png png; image/webp webp; image/gif gif; }"


def nginx_binary() -> str:
    """The nginx program; its absence fails the test (scripts/sysdeps.sh --servers installs it)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail("nginx is not installed: `bash scripts/sysdeps.sh --servers` installs the Debian package")
    return found


def site_locations(upstream: str, avatars: Path, media: Path) -> str:
    """deploy/'s shared locations with this site's folders and upstream in place of the operator's."""
    text = (NGINX_SITE / "critvue-locations.conf").read_text()
    for placeholder, value in (
        (AVATARS_PLACEHOLDER, f"{avatars}/"),
        (MEDIA_PLACEHOLDER, f"{media}/"),
        (UPSTREAM_PLACEHOLDER, f"proxy_pass http://{upstream};"),
    ):
        assert placeholder in text, f"deploy/nginx/critvue-locations.conf no longer contains {placeholder!r}"
        text = text.replace(placeholder, value)
    return text


def nginx_conf(
    folder: Path, listen: dict[str, int], upstreams: dict[str, list[int]], avatars: Path, media: Path
) -> str:
    """A whole nginx.conf: one server per entry of `listen`, proxying to the upstream of that name."""
    blocks = []
    for name, port in listen.items():
        (folder / f"locations-{name}.conf").write_text(site_locations(f"critvue_{name}", avatars, media))
        servers = "".join(f"server 127.0.0.1:{p};" for p in upstreams[name])
        blocks.append(
            f"upstream critvue_{name} {{ {servers} keepalive 8; }}\n"
            f"server {{ listen 127.0.0.1:{port}; include {folder}/locations-{name}.conf; }}"
        )
    # As root, nginx's workers would become `nobody`; they run as the app's user instead, as an
    # operator would let the web server's group read the storage folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    types = f"include {SYSTEM_MIME_TYPES};" if SYSTEM_MIME_TYPES.is_file() else FALLBACK_TYPES
    temp = "\n".join(
        f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    body = "\n".join(blocks)
    return (
        f"{user}\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n{types}\ndefault_type application/octet-stream;\nsendfile on;\n"
        f"access_log {folder}/access.log;\n{temp}\n{body}\n}}\n"
    )


def wait_until_answering(port: int, proc: subprocess.Popen, what: str, path: str = "/health") -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if request(port, "GET", path)[0] < 500:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start (status {proc.poll()})")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to a process this module started (by its PID), then wait for it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@dataclass
class Site:
    """Two app instances ("a", "b") behind nginx: `port["both"]` balances, `port["a"]`/`["b"]` pin one."""

    folder: Path
    env: dict[str, str]
    workers: int = 2
    app_port: dict[str, int] = field(default_factory=dict)
    port: dict[str, int] = field(default_factory=dict)
    apps: dict[str, subprocess.Popen] = field(default_factory=dict)
    nginx: subprocess.Popen | None = None

    @property
    def avatars(self) -> Path:
        return Path(self.env["AVATAR_STORAGE_PATH"])

    @property
    def media(self) -> Path:
        return Path(self.env["PERSONA_MEDIA_STORAGE_PATH"])

    def url(self, path: str, via: str = "both") -> str:
        return f"http://127.0.0.1:{self.port[via]}{path}"

    def app_log(self, instance: str) -> Path:
        """The JSON log lines (stdout) of one app instance."""
        return self.folder / f"app-{instance}.log"

    def app_url(self, path: str, instance: str) -> str:
        """Straight to one app instance, bypassing nginx."""
        return f"http://127.0.0.1:{self.app_port[instance]}{path}"

    def start(self) -> Site:
        for name in ("a", "b"):
            self.app_port[name] = free_port()
            env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(self.folder / f"metrics-{name}")}
            os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])  # one folder per instance, as on separate hosts
            with open(self.folder / f"gunicorn-{name}.log", "wb") as log, open(self.app_log(name), "wb") as out:
                self.apps[name] = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "critvue.wsgi:application",
                        "--config",
                        str(ROOT / "gunicorn.conf.py"),
                        "--workers",
                        str(self.workers),
                        "--bind",
                        f"127.0.0.1:{self.app_port[name]}",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=log,
                )
        self.port = {name: free_port() for name in ("both", "a", "b")}
        upstreams = {"both": list(self.app_port.values()), "a": [self.app_port["a"]], "b": [self.app_port["b"]]}
        conf = self.folder / "nginx" / "nginx.conf"
        conf.parent.mkdir()
        conf.write_text(nginx_conf(conf.parent, self.port, upstreams, self.avatars, self.media))
        self.nginx = subprocess.Popen(
            [
                nginx_binary(),
                "-p",
                str(conf.parent),
                "-c",
                str(conf),
                "-e",
                str(conf.parent / "error.log"),
                "-g",
                "daemon off;",
            ],
            cwd=conf.parent,
        )
        for name, proc in self.apps.items():
            wait_until_answering(self.app_port[name], proc, f"gunicorn {name}")
        wait_until_answering(self.port["both"], self.nginx, "nginx")
        return self

    def kill(self, name: str) -> None:
        """SIGKILL one instance, as a machine that dies: its workers first, then its master, by PID."""
        master = self.apps[name]
        for worker in psutil.Process(master.pid).children():
            os.kill(worker.pid, signal.SIGKILL)
        os.kill(master.pid, signal.SIGKILL)
        master.wait(timeout=30)

    def stop(self) -> None:
        for proc in (self.nginx, *self.apps.values()):
            if proc is not None:
                stop(proc)


def running(folder: Path, env: dict[str, str], workers: int = 2):
    """A started Site for a fixture to yield, stopped afterwards."""
    site = Site(folder, env, workers=workers)
    try:
        yield site.start()
    finally:
        site.stop()


def deploy_setting(name: str) -> str:
    """A value of deploy/critvue.env.example, as the operator is told to keep it."""
    for line in DEPLOY_ENV.read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    raise AssertionError(f"deploy/critvue.env.example does not set {name}")


def production_env(folder: Path, database_url: str, **overrides: str) -> dict[str, str]:
    """What every instance of one site runs with: production settings, one database, cache and storage,
    and deploy/'s TRUSTED_PROXIES for its nginx on the same machine. Warnings are logged (a 4xx is one)."""
    env = server_env(folder)
    env.update(
        {
            "DATABASE_URL": database_url,
            "ENABLE_RATE_LIMITING": "true",
            "LOG_LEVEL": "WARNING",
            "PERSONA_MEDIA_ACCEL_REDIRECT": "/protected-media/",
            "TRUSTED_PROXIES": deploy_setting("TRUSTED_PROXIES"),
            "PYTHONUNBUFFERED": "1",
            **overrides,
        }
    )
    for folder_setting in ("AVATAR_STORAGE_PATH", "PERSONA_MEDIA_STORAGE_PATH"):
        os.makedirs(env[folder_setting], exist_ok=True)
    return env


PASSWORD = "Correct-Horse-42"


@dataclass
class Account:
    """A user registered and logged in through the site: id, tokens and a session to use them."""

    id: int
    email: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


def account(site: Site, via: str = "both") -> Account:
    email = f"topology-{uuid.uuid4().hex[:12]}@example.com"
    registered = requests.post(site.url("/api/v1/auth/register", via), json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    login = requests.post(site.url("/api/v1/auth/login", via), json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    body = login.json()
    return Account(body["user"]["id"], email, body["access"], body["refresh"])


def upload_avatar(site: Site, who: Account, data: bytes, via: str = "both") -> requests.Response:
    return requests.post(
        site.url("/api/v1/profile/me/avatar", via),
        headers=who.headers,
        files={"file": ("avatar.jpg", data, "image/jpeg")},
    )


def create_persona(site: Site, who: Account, via: str = "both") -> int:
    created = requests.post(site.url("/api/v1/personas", via), headers=who.headers, json={"name": "Topology"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def upload_media(
    site: Site, who: Account, persona_id: int, data: bytes, name: str = "picture.jpg", via: str = "both"
) -> requests.Response:
    return requests.post(
        site.url(f"/upload/persona/{persona_id}/image", via),
        headers=who.headers,
        files={"file": (name, data, "image/jpeg")},
    )


def stored_files(root: Path, prefix: str = "") -> set[str]:
    """Every file under a local storage folder (relative names), optionally under `prefix/`."""
    base = root / prefix
    return {str(p.relative_to(root)) for p in base.rglob("*") if p.is_file()} if base.exists() else set()
