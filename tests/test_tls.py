"""TLS in the room: the CA, the server certificate and an https server that uses them."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

from cryptography import x509

from kiosk.cli.main import main as cli
from kiosk.web import certs


def test_certs_command_makes_a_ca_and_a_server_certificate(instance, capsys):
    assert cli(["certs", "--instance", str(instance), "--address", "10.9.8.7", "--name", "room.local"]) == 0
    out = capsys.readouterr().out
    paths = certs.CertPaths(instance / "certs")
    assert paths.exist()
    assert oct(paths.ca_key.stat().st_mode & 0o777) == "0o600"
    assert oct(paths.server_key.stat().st_mode & 0o777) == "0o600"
    names = certs.names_in(paths)
    assert "10.9.8.7" in names and "room.local" in names and "127.0.0.1" in names
    assert certs.ca_fingerprint(paths) in out
    server = x509.load_pem_x509_certificate(paths.server_cert.read_bytes())
    ca = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    server.verify_directly_issued_by(ca)
    # Running it again keeps the CA (tablets need not reinstall it).
    before = paths.ca_cert.read_bytes()
    assert cli(["certs", "--instance", str(instance), "--renew"]) == 0
    assert paths.ca_cert.read_bytes() == before


def test_ca_page_shows_fingerprint_and_qr(instance, client, capsys):
    assert client.get("/ca").status_code == 404  # no CA yet: said plainly
    cli(["certs", "--instance", str(instance)])
    page = client.get("/ca").get_data(as_text=True)
    paths = certs.CertPaths(instance / "certs")
    assert certs.ca_fingerprint(paths) in page and "<svg" in page
    r = client.get("/ca.crt")
    assert r.status_code == 200 and r.data == paths.ca_cert.read_bytes()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_uses_tls_and_the_room_ca_verifies_it(instance):
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli.main", "serve", "--tls", "--instance", str(instance),
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        paths = certs.CertPaths(instance / "certs")
        deadline = time.time() + 20
        body = None
        while time.time() < deadline:
            try:
                if paths.exist():
                    ctx = ssl.create_default_context(cafile=str(paths.ca_cert))
                    body = urllib.request.urlopen(f"https://127.0.0.1:{port}/login", context=ctx, timeout=2).read()
                    break
            except OSError:
                time.sleep(0.2)
        assert body and b"csrf_token" in body
        # A client without the room's CA refuses the connection.
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{port}/login", timeout=2)
            raise AssertionError("an unknown CA was accepted")
        except urllib.error.URLError as exc:
            assert isinstance(exc.reason, ssl.SSLCertVerificationError)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
