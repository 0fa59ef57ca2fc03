"""The bulletin board: what anyone in the room may check after a poll closes.

Each closed poll shows its signed result, the tracking codes (sorted) and the
ballots' contents (sorted, without codes): anyone can recount, every voter
can find their code, and no code maps to a choice. Each prints the log head at the close (the
short form of the certified close's entry), which ``ballotroom log verify --head`` checks.
A rehearsal is never a result: the board neither lists nor shows one.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from kiosk.domain import bundles, counting, evidence, polls
from kiosk.errors import Refusal, explained
from kiosk.store import eventlog
from kiosk.store.localtime import local_text
from kiosk.store.localtime import zone as localzone
from kiosk.web import count_words
from kiosk.web.context import current_rules, db, settings, signer
from tally import kinds as tally_kinds

bp = Blueprint("board", __name__)


@bp.app_context_processor
def _count_words():
    # On every page (the staff's too): the counts' boxes in one set of words (kiosk.web.count_words).
    return {**count_words.helpers(),
            # Times for people on the room's clock (the timezone setting), to the minute, and its name.
            "room_time": lambda at: local_text(at, settings(), seconds=False),
            "room_zone": lambda: str(localzone(settings()))}


def _public_key() -> str:
    return evidence.public_key_pem(signer().key)


@bp.get("/")
def index():
    closed = db().query(
        "SELECT p.id, p.title, p.kind, p.closed_at, p.cast_count, m.title AS meeting,"
        " json_extract(p.certificate, '$.log_entry') AS log_entry,"
        " json_extract(p.certificate, '$.reconciled') AS reconciled FROM polls p"
        " JOIN meetings m ON m.id = p.meeting_id WHERE p.state = 'closed' AND p.certificate IS NOT NULL"
        " AND p.rehearsal = 0"
        " ORDER BY p.closed_at DESC")
    # The log head at the close: the short form of the certified close's entry.
    listed = [{**dict(p), "head": eventlog.head_code(p["log_entry"]), "closed": local_text(p["closed_at"], settings()),
               "counts": _counts(p["reconciled"] and json.loads(p["reconciled"]), p["id"])} for p in closed]
    return render_template("board/index.html", polls=listed, fingerprint=evidence.fingerprint(_public_key()))


def _counts(reconciled: dict | None, poll_id: str) -> dict:
    """The counts that reconcile (发出 / 收回 / 作废 …) as the signed result carries them; for a
    result signed before it did, the fixed result's, as the chair's pages show them."""
    return reconciled or counting.results(db(), current_rules(), poll_id)["counts"]


def check_name(code: str) -> str:
    """A check of kiosk.domain.evidence in the reader's words (its name is a catalog template, as
    the command line's ``verify`` says it), never the English code on a Chinese page."""
    name = evidence.CHECK_NAMES.get(code)
    return _(name) if name else code


def _real_poll(poll_id: str) -> None:
    """404 for a rehearsal, as for a poll that does not exist: the board holds results only."""
    if polls.get(db(), poll_id)["rehearsal"]:
        raise Refusal(404, "not_found")


@bp.get("/polls/<poll_id>")
def poll(poll_id: str):
    _real_poll(poll_id)
    bundle = bundles.poll_bundle(db(), poll_id, _public_key())
    spec = polls.spec(db(), poll_id)
    names = {k.id: k.name for c in spec.contests for k in c.candidates}
    return render_template("board/poll.html", bundle=bundle, cert=bundle["certificate"], spec=spec,
                           counts=_counts(bundle["certificate"].get("reconciled"), poll_id),
                           names=names, checks=evidence.verify_bundle(bundle), explained=explained, check_name=check_name,
                           blank=lambda answers: tally_kinds.is_blank(spec.kind, answers),
                           close_head=eventlog.head_code(bundle["certificate"]["log_entry"]),
                           closed=local_text(bundle["certificate"]["closed_at"], settings()))


@bp.get("/polls/<poll_id>/bundle.json")
def bundle_file(poll_id: str):
    _real_poll(poll_id)
    bundle = bundles.poll_bundle(db(), poll_id, _public_key())
    return Response(bundles.dumps(bundle), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{poll_id}.bundle.json"'})


@bp.get("/key")
def key():
    pem = _public_key()
    return render_template("board/key.html", pem=pem, fingerprint=evidence.fingerprint(pem))


@bp.get("/key.pem")
def key_pem():
    return Response(_public_key(), mimetype="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="ballotroom-signing-key.pem"'})


@bp.errorhandler(Refusal)
def _refused(refusal: Refusal):
    return render_template("error.html", refusal=refusal), refusal.status
