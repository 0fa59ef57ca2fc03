"""The page tablets use to install the room's certificate authority."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from kiosk.errors import Refusal
from kiosk.web import certs

bp = Blueprint("trust", __name__)


def _paths() -> certs.CertPaths:
    paths = certs.CertPaths(current_app.config["INSTANCE"].path / "certs")
    if not paths.ca_cert.exists():
        raise Refusal(404, "not_found")
    return paths


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code: drawn by the server, nothing fetched."""
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode("utf-8")
    return Markup(svg[svg.index("<svg"):])


@bp.get("/ca")
def ca_page():
    paths = _paths()
    url = request.host_url.rstrip("/") + url_for("trust.ca_file")
    return render_template("trust/ca.html", fingerprint=certs.ca_fingerprint(paths), url=url,
                           qr=qr_svg(url), names=certs.names_in(paths) if paths.server_cert.exists() else [])


@bp.get("/ca.crt")
def ca_file():
    return Response(_paths().ca_cert.read_bytes(), mimetype="application/x-x509-ca-cert",
                    headers={"Content-Disposition": 'attachment; filename="ballotroom-room-ca.crt"'})
