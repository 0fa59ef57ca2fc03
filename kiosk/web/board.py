"""The bulletin board: what anyone in the room may check after a poll closes.

Each closed poll shows its certificate, the tracking codes (sorted) and the
ballots' contents (sorted, without codes): anyone can recount, every voter
can find their code, and no code maps to a choice.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from kiosk.domain import bundles, evidence, polls
from kiosk.errors import Refusal
from kiosk.web.context import db, signer

bp = Blueprint("board", __name__)


def _public_key() -> str:
    return evidence.public_key_pem(signer().key)


@bp.get("/")
def index():
    closed = db().query(
        "SELECT p.id, p.title, p.kind, p.closed_at, p.cast_count, m.title AS meeting FROM polls p"
        " JOIN meetings m ON m.id = p.meeting_id WHERE p.state = 'closed' AND p.certificate IS NOT NULL"
        " ORDER BY p.closed_at DESC")
    return render_template("board/index.html", polls=closed, fingerprint=evidence.fingerprint(_public_key()))


@bp.get("/polls/<poll_id>")
def poll(poll_id: str):
    bundle = bundles.poll_bundle(db(), poll_id, _public_key())
    spec = polls.spec(db(), poll_id)
    names = {k.id: k.name for c in spec.contests for k in c.candidates}
    return render_template("board/poll.html", bundle=bundle, cert=bundle["certificate"], spec=spec,
                           names=names, checks=evidence.verify_bundle(bundle))


@bp.get("/polls/<poll_id>/bundle.json")
def bundle_file(poll_id: str):
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
