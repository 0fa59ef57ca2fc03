"""Deleting a draft poll from its page: one made by mistake or for a test, before any slip.

The route sits on the administrator's blueprint (``clerk.bp``, so the poll page's helpers and
addresses are the same); it lives apart only to keep ``clerk`` short. The rule of what may be
deleted is ``kiosk.domain.lifecycle.delete_draft``'s, the same for the API.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from kiosk.domain import lifecycle, polls
from kiosk.errors import Refusal
from kiosk.web.context import db

from .auth import actor, login_required
from .clerk import _poll_page, bp


@bp.route("/polls/<poll_id>/delete", methods=["GET", "POST"])
@login_required("admin")
def delete_poll(poll_id: str):
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return _poll_page(poll_id, template="admin/poll_delete.html")
    poll = polls.get(db(), poll_id)
    try:
        lifecycle.delete_draft(db(), actor(), poll_id)
    except Refusal as refusal:
        if refusal.status == 404:
            raise
        return _poll_page(poll_id, error=refusal, status=refusal.status)
    flash(_("The draft poll “%(title)s” was deleted.", title=poll["title"]))
    return redirect(url_for(".meeting", meeting_id=poll["meeting_id"]), 303)
