"""TLS for the room: a local certificate authority and a server certificate.

Tablet cameras only work on secure pages, and a LAN has no public CA, so
the instance makes its own: the CA certificate is installed once on each
tablet (the /ca page shows its fingerprint and a QR code to fetch it), and
the server certificate names the server's LAN addresses and host name.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 825  # the longest validity Apple devices accept for a server certificate


@dataclass(frozen=True)
class CertPaths:
    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"

    def exist(self) -> bool:
        return all(p.exists() for p in (self.ca_cert, self.ca_key, self.server_cert, self.server_key))


def local_addresses() -> list[str]:
    """This machine's addresses that tablets may use: loopback plus every LAN address found."""
    found = {"127.0.0.1", "::1"}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.add(info[4][0].split("%")[0])
    except OSError:
        pass
    # The address of the interface the default route uses; UDP connect sends nothing.
    for probe in (("10.255.255.255", 1), ("192.168.255.255", 1)):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect(probe)
                found.add(s.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if a != "0.0.0.0")


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def create(folder: Path, hostnames: list[str], addresses: list[str], *, renew_server: bool = False) -> CertPaths:
    """Make the CA (once) and a server certificate for `hostnames` and `addresses`."""
    paths = CertPaths(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    if not (paths.ca_cert.exists() and paths.ca_key.exists()):
        ca_key = _key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ballotroom room CA"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, socket.gethostname()[:64] or "Ballotroom")])
        ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                           content_commitment=False, key_encipherment=False,
                                           data_encipherment=False, key_agreement=False,
                                           encipher_only=False, decipher_only=False), critical=True)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
        _write_key(paths.ca_key, ca_key)
        paths.ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        renew_server = True
    if renew_server or not (paths.server_cert.exists() and paths.server_key.exists()):
        ca_key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
        ca = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
        key = _key()
        sans: list[x509.GeneralName] = [x509.DNSName(h) for h in dict.fromkeys(hostnames) if h]
        for a in dict.fromkeys(addresses):
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(a)))
            except ValueError:
                sans.append(x509.DNSName(a))
        cn = hostnames[0] if hostnames else (addresses[0] if addresses else "ballotroom")
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn[:64])]))
                .issuer_name(ca.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                .sign(ca_key, hashes.SHA256()))
        _write_key(paths.server_key, key)
        paths.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return paths


def ca_fingerprint(paths: CertPaths) -> str:
    cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def names_in(paths: CertPaths) -> list[str]:
    cert = x509.load_pem_x509_certificate(paths.server_cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(n.value) for n in san]
