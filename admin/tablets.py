"""The administrator's Tablets page: enroll by QR code, list, revoke."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for

from kiosk.domain import devices
from kiosk.errors import Refusal
from kiosk.web.context import db, public_base_url
from kiosk.web.trust import qr_svg

from .auth import actor, login_required

bp = Blueprint("tablets", __name__)


def _base() -> str:
    return public_base_url()


@bp.get("/")
@login_required("admin")
def index():
    return render_template("admin/tablets.html", devices=devices.all_devices(db()),
                           enrollment=current_app.config.get("ENROLLMENT"), code=None)


@bp.post("/enroll")
@login_required("admin")
def new_code():
    code = devices.new_enrollment_code(db(), actor())
    url = f"{_base()}{url_for('voter.enroll', code=code)}"
    return render_template("admin/tablets.html", devices=devices.all_devices(db()),
                           enrollment=current_app.config.get("ENROLLMENT"), code=code, url=url,
                           qr=qr_svg(url), minutes=devices.CODE_MINUTES)


@bp.post("/<device_id>/revoke")
@login_required("admin")
def revoke(device_id: str):
    try:
        devices.revoke(db(), actor(), device_id)
    except Refusal as refusal:
        return render_template("admin/tablets.html", devices=devices.all_devices(db()),
                               enrollment=current_app.config.get("ENROLLMENT"), code=None,
                               error=refusal), refusal.status
    return redirect(url_for("tablets.index"), code=303)
