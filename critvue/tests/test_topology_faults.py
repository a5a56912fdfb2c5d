"""The production topology when clients and machines misbehave: oversized and slow requests,
and one app instance killed in the middle of a load (see test_topology.py for the set-up)."""

import datetime
import http.client
import json
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from critvue.tests.topology import (
    NGINX_SITE,
    ROOT,
    account,
    create_persona,
    nginx_binary,
    production_env,
    running,
    site_locations,
    stored_files,
    upload_media,
)
from testkit.media import jpeg as media_jpeg

pytestmark = pytest.mark.django_db(transaction=True)  # the instances write to the test database
# More stalled clients than the app threads of both instances together (2 x 2 workers x 8 threads).
STALLED_CLIENTS = 64


def test_a_body_over_the_limit_is_refused_by_nginx_with_the_api_json_error(local_site):
    conn = http.client.HTTPConnection("127.0.0.1", local_site.port["both"], timeout=30)
    try:  # the headers alone: nginx answers before any of the 12 MiB is sent
        conn.putrequest("POST", "/upload/persona/1/image")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(12 * 1024 * 1024))
        conn.endheaders()
        response = conn.getresponse()
        status, content_type, body = response.status, response.getheader("Content-Type"), json.load(response)
    finally:
        conn.close()
    assert (status, content_type, body["code"]) == (413, "application/json", "file_too_large")
    assert "11 MiB" in body["detail"]  # nginx's words, not the app's


def stalled_register(port: int, body: bytes) -> socket.socket:
    """A client that sends the head of a request and the first bytes of its body, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"POST /api/v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body[:10]
    )
    return sock


def test_slow_clients_are_absorbed_by_nginx(local_site):
    body = json.dumps({"email": "not-an-email", "password": "Correct-Horse-42"}).encode()
    stalled = [stalled_register(local_site.port["both"], body) for _ in range(STALLED_CLIENTS)]
    try:
        health = requests.get(local_site.url("/health"), timeout=30)
        assert (health.status_code, health.json()["status"]) == (200, "ok")
        account(local_site)  # a whole request with a body goes through meanwhile
        for sock in stalled:  # none of them was answered or dropped meanwhile
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
        late = stalled[0]
        late.setblocking(True)
        late.sendall(body[10:])
        answer = http.client.HTTPResponse(late)
        answer.begin()
        assert (answer.status, json.load(answer)["code"]) == (400, "invalid")
    finally:
        for sock in stalled:
            sock.close()


def test_metrics_are_scraped_from_each_instance_not_through_the_balancer(local_site):
    hidden = requests.get(local_site.url("/metrics"))
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    for instance in ("a", "b"):
        scraped = requests.get(local_site.app_url("/metrics", instance))
        assert scraped.status_code == 200 and "avatar_uploads_total" in scraped.text


@pytest.fixture
def doomed_site(tmp_path, topology_database):
    """A site of its own, since this test kills one of its instances."""
    yield from running(tmp_path, production_env(tmp_path, topology_database), workers=1)


def listed_files(site, who, persona: int) -> dict[str, dict]:
    """The persona's media rows as the API lists them, by stored name ({user}/{persona}/{filename})."""
    rows, path = {}, f"/upload/persona/{persona}/files?page_size=100"
    while path:
        page = requests.get(site.url(path), headers=who.headers).json()
        rows.update({f"{who.id}/{persona}/{row['filename']}": row for row in page["results"]})
        path = page["next"] and page["next"].split(str(site.port["both"]), 1)[1]
    return rows


def test_an_instance_killed_mid_load_leaves_the_other_answering_and_nothing_half_written(doomed_site):
    site = doomed_site
    who = account(site)
    persona = create_persona(site, who)
    sent = {f"load-{i}.jpg": media_jpeg(200 + i, 150) for i in range(40)}
    answered, some_answered = [], threading.Event()

    def upload(name: str) -> requests.Response | None:
        """The answer, or None when the connection broke mid-answer (the instance died writing it)."""
        try:
            answer = upload_media(site, who, persona, sent[name], name=name)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            answer = None
        answered.append(answer)
        if len(answered) >= 8:
            some_answered.set()
        return answer

    with ThreadPoolExecutor(4) as pool:
        pending = [pool.submit(upload, name) for name in sent]
        assert some_answered.wait(timeout=120)
        site.kill("a")
        answers = [future.result() for future in pending]

    created = {a.json()["id"] for a in answers if a is not None and a.status_code == 201}
    failed = [a for a in answers if a is None or a.status_code != 201]
    # Only requests in flight on the killed instance fail (4 threads at most): the API's JSON error
    # when nginx had no answer yet, a broken connection when the instance died while answering.
    assert len(failed) <= 4
    assert all((a.status_code, a.json()["code"]) == (503, "service_unavailable") for a in failed if a is not None)
    sent.update({f"after-{i}.jpg": media_jpeg(100, 100 + i) for i in range(5)})
    after = [upload_media(site, who, persona, sent[f"after-{i}.jpg"], name=f"after-{i}.jpg") for i in range(5)]
    assert [a.status_code for a in after] == [201] * 5
    created |= {a.json()["id"] for a in after}
    pinned = requests.get(site.url("/health", "a"))
    assert (pinned.status_code, pinned.json()["code"]) == (503, "service_unavailable")

    rows = listed_files(site, who, persona)
    files = stored_files(site.media, f"{who.id}/{persona}")
    assert created <= {row["id"] for row in rows.values()}
    assert len(rows) <= len(created) + len(failed)
    for name, row in rows.items():  # no row without its whole file
        assert (site.media / name).read_bytes() == sent[row["original_filename"]]
    # Each row has its file and, beside it, one preview ({stem}.preview.{jpg|webp}).
    stems = {name.rsplit(".", 1)[0] for name in rows}
    kept = {name for name in files if name.split(".", 1)[0] in stems}
    assert len(kept) == 2 * len(rows) and set(rows) <= kept
    # A request killed between writing its files and committing its row can leave those files only
    # (an upload and its preview); the orphan sweep (deploy/systemd/critvue-sweep@.timer) removes them.
    assert len({name.split(".", 1)[0] for name in files - kept}) <= len(failed)
    subprocess.run(
        [sys.executable, "manage.py", "cleanup_orphaned_media", "--days", "0"],
        cwd=ROOT,
        env=site.env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    assert stored_files(site.media, f"{who.id}/{persona}") == kept


def self_signed(folder) -> tuple[str, str]:
    """A throwaway certificate and key for the site's TLS server block."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "api.critvue.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(folder / "cert.pem"), str(folder / "key.pem")


def test_the_shipped_site_is_valid_nginx_configuration(tmp_path):
    """deploy/nginx/critvue.conf as an operator installs it, with a certificate in place of theirs."""
    cert, key = self_signed(tmp_path)
    (tmp_path / "locations.conf").write_text(site_locations("critvue", tmp_path / "a", tmp_path / "m"))
    site = (NGINX_SITE / "critvue.conf").read_text()
    live = "/etc/letsencrypt/live/api.critvue.example"  # where deploy/README.md's certbot puts them
    for placeholder, value in (
        (f"{live}/fullchain.pem", cert),
        (f"{live}/privkey.pem", key),
        ("/var/www/html", str(tmp_path / "acme")),
        ("/etc/nginx/snippets/critvue-locations.conf", str(tmp_path / "locations.conf")),
    ):
        assert placeholder in site
        site = site.replace(placeholder, value)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\ninclude {tmp_path}/site.conf;\n}}\n"
    )
    checked = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
