"""The event log page: browse the hash-chained record and see whether it holds."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kiosk.store import eventlog
from kiosk.web.context import db

from .auth import login_required

bp = Blueprint("log", __name__)
PAGE = 100


@bp.get("/")
@login_required("admin", "chair", "scrutineer")
def index():
    rows = db().query("SELECT * FROM events ORDER BY seq")
    problems = eventlog.verify(rows)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    kind = request.args.get("type", "")
    shown = [r for r in reversed(rows) if not kind or r["type"].startswith(kind)]
    pages = max(1, -(-len(shown) // PAGE))
    page = min(page, pages)
    return render_template("admin/log.html", entries=shown[(page - 1) * PAGE: page * PAGE],
                           total=len(rows), problems=problems, page=page, pages=pages, kind=kind,
                           types=sorted({r["type"] for r in rows}))
