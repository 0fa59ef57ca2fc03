"""The one command line, `ballotroom` (README.md, "The command line").

Exit status: 0 success, 2 bad input (with a message naming what is wrong),
1 any other failure. Every word it prints is in the locale's language, Chinese by default
(kiosk/cli/language.py; ``_`` is its ``say``, so that the catalog's extraction finds the sentences).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.cli import checks as checks_words
from kiosk.cli import language, listing_words
from kiosk.cli.instances import (
    DEFAULT_PATH,
    UsageError,
    ask_password,
    existing,
    init_instance,
    open_instance,
)
from kiosk.cli.language import KINDS, ROLES, STATES, os_reason, padded, quoted
from kiosk.cli.language import say as _
from kiosk.cli.serving import cmd_serve, ensure_certs, workers_count
from kiosk.domain import accounts, bundles, counting, evidence, meetings, polls, rounds, witness
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.instance import Instance, InstanceError
from kiosk.web import certs
from tally.cli_score import main as score_main
from tally.messages import N_
from tally.rules import load_rules


def _instance_arg(p: argparse.ArgumentParser, default: str | None = None) -> None:
    default = default or _("%(var)s, or %(demo)s (the demo of %(command)s) when %(var)s holds none",
                           var="./var", demo="./var/demo", command="`make run`")
    p.add_argument("--instance", metavar="DIR", default=None,
                   help=_("instance folder (database, keys, settings); env %(env)s, default %(default)s",
                          env="BALLOTROOM_INSTANCE", default=default).replace("%", "%%"))


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the locale's language (build and use it inside
    language.argparse_in_language(), so that argparse's own words follow)."""
    parser = language.Parser(prog="ballotroom", description=_("Ballotroom: in-room electronic voting."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help=_("create the instance and its first administrator"))
    _instance_arg(p, "./var")
    p.add_argument("--admin", default="admin", help=_("the first administrator's name (default: %(name)s)", name="admin"))
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help=_("serve the instance"))
    _instance_arg(p)
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=5000, help=_("port (default 5000)"))
    p.add_argument("--rules", default=None, help=_("rules file overriding the shipped defaults"))
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--tls", dest="tls", action="store_true", default=None,
                     help=_("serve https with the instance's certificates (default unless --host is loopback)"))
    tls.add_argument("--no-tls", dest="tls", action="store_false",
                     help=_("plain http (tablet cameras need https on any address but loopback)"))
    p.add_argument("--workers", type=workers_count, default=1, metavar="N",
                   help=_("server processes (default 1); more than one listen on --port and the N-1 "
                          "ports after it, plain http behind the room's proxy, and need %(redis)s "
                          "(%(setting)s; %(doc)s)", redis="Redis", setting="redis_url", doc="deploy/large-hall.md"))
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("backup", help=_("copy the database while the server runs (sqlite3's online backup)"))
    _instance_arg(p)
    p.add_argument("dest", metavar="DEST", help=_("the file to write, or a folder to write a dated copy in"))
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("certs", help=_("create the room's certificate authority and server certificate"))
    _instance_arg(p)
    p.add_argument("--name", action="append", default=[], metavar="HOST",
                   help=_("a host name tablets use (repeatable; default: this machine's name)"))
    p.add_argument("--address", action="append", default=[], metavar="ADDR",
                   help=_("an address tablets use (repeatable; default: every local address)"))
    p.add_argument("--renew", action="store_true", help=_("make a new server certificate (the CA stays)"))
    p.set_defaults(func=cmd_certs)

    p = sub.add_parser("user", help=_("manage people who log in"))
    _instance_arg(p)
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    pa = usub.add_parser("add", help=_("add a user; the password is asked, or generated and printed once"))
    _instance_arg(pa)
    pa.add_argument("name", metavar="NAME", help=_("the name the person logs in with"))
    pa.add_argument("--role", required=True, choices=accounts.ROLES)
    pa.set_defaults(func=cmd_user_add)

    p = sub.add_parser("apikey", help=_("API keys"))
    _instance_arg(p)
    asub = p.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)
    pa = asub.add_parser("create", help=_("create an API key (printed once, alone on the last line)"))
    _instance_arg(pa)
    pa.add_argument("--role", required=True, choices=accounts.API_ROLES)
    pa.add_argument("--label", default="", help=_("a label to tell keys apart"))
    pa.set_defaults(func=cmd_apikey_create)

    p = sub.add_parser("score", help=_("score a round file (%(doc)s)", doc="docs/round-file.md"), add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("demo", help=_("prepare the demo instance that %(command)s serves (replaces it)",
                                      command="`make run`"))
    p.add_argument("--instance", metavar="DIR", default=None, help=_("where to put it (default %(path)s)",
                                                                        path="./var/demo"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("polls", help=_("list meetings and their polls (ids, kinds, states) and selection rounds"))
    _instance_arg(p)
    p.add_argument("--meeting", metavar="M", default=None, help=_("only this meeting's polls"))
    p.add_argument("--json", action="store_true", help=_("print a JSON document instead of a listing"))
    p.set_defaults(func=cmd_polls)

    p = sub.add_parser("export", help=_("write the evidence bundle of a closed poll or of a round"))
    _instance_arg(p)
    p.add_argument("poll", metavar="POLL|ROUND", help=_("the id of a closed poll or of a selection round"))
    p.add_argument("-o", "--output", default=None, help=_("file to write (default: %(file)s)", file="ID.bundle.json"))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help=_("check an evidence bundle on any machine"))
    p.add_argument("bundle", metavar="BUNDLE", help=_("the evidence bundle (a .json file)"))
    p.add_argument("--key", default=None, metavar="FINGERPRINT",
                   help=_("the signing key's fingerprint as published by the server (recommended)"))
    p.add_argument("--poll", default=None, metavar="ID",
                   help=_("the poll the bundle must be about (a bundle of another poll fails)"))
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("log", help=_("the event log"))
    _instance_arg(p)
    lsub = p.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    pv = lsub.add_parser("verify", help=_("check the event log's hash chain, every certified close, and "
                                          "the heads the room witnessed"))
    _instance_arg(pv)
    pv.add_argument("--head", action="append", metavar="CODE",
                    help=_("a log head shown in the room (e.g. %(example)s); may be given again",
                           example="7K3Q-M9XD-2FJA-W0PE"))
    pv.set_defaults(func=cmd_log_verify)
    ph = lsub.add_parser("head", help=_("the log's head now, in the short form read out in the room"))
    _instance_arg(ph)
    ph.set_defaults(func=cmd_log_head)
    return parser


def cmd_init(args) -> int:
    instance = Instance(args.instance)
    if instance.exists():
        print(_("An instance already exists at %(path)s; nothing was changed.", path=instance.path))
        return 0
    password = ask_password(_("Password for administrator %(name)s", name=quoted(args.admin)))
    instance, generated = init_instance(args.instance, args.admin, password)
    print(_("Created instance at %(path)s", path=instance.path))
    if generated:
        print(_("Administrator: %(name)s", name=args.admin))
        print(_("Password (shown once, write it down): %(password)s", password=generated))
    return 0


def cmd_user_add(args) -> int:
    _db = open_instance(args)[1]
    password = ask_password(_("Password for %(name)s", name=quoted(args.name)))
    generated = password is None
    if generated:
        password = accounts.generate_password()
    try:
        accounts.add_user(_db, args.name, args.role, password)
    except accounts.AccountError as exc:
        raise UsageError(_(exc.template, **exc.params)) from exc
    print(_("Added %(role)s %(name)s.", role=_(ROLES[args.role]), name=quoted(args.name)))
    if generated:
        print(_("Password (shown once): %(password)s", password=password))
    return 0


def cmd_apikey_create(args) -> int:
    _db = open_instance(args)[1]
    key = accounts.create_api_key(_db, args.role, args.label)
    print(_("Created an API key with role %(role)s. It is shown this once:", role=_(ROLES[args.role])))
    print(key)  # alone on the last line: scripts take it with `tail -n 1`
    return 0


def cmd_score(args) -> int:
    return score_main(args.args, say=language.sayer())


def cmd_polls(args) -> int:

    instance, _db = open_instance(args)
    rules = load_rules(listing_words.rules_text(instance))
    try:
        chosen = [meetings.get(_db, args.meeting)] if args.meeting else meetings.all_meetings(_db)
    except Refusal:
        raise UsageError(_("no meeting %(id)s; `ballotroom polls` lists them all", id=quoted(args.meeting))) from None
    listing = {
        "meetings": [
            {"id": m["id"], "title": m["title"], "expected": m["expected"], "present": m["present"],
             "polls": [{"id": p["id"], "title": p["title"], "kind": p["kind"], "state": p["state"],
                        "issued": p["issued"], "cast": p["cast_count"],
                        # the counts that reconcile, as every page shows them (tally.counts)
                        "counts": counting.results(_db, rules, p["id"])["counts"]}
                       for p in polls.for_meeting(_db, m["id"])]}
            for m in chosen],
        "rounds": [] if args.meeting else [
            {"id": r["id"], "title": r["title"]}
            for r in _db.query("SELECT id, title FROM rounds ORDER BY created_at DESC, id")],
    }
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    if not listing["meetings"]:
        print(_("No meetings yet: create one on the administrator's Meetings page or with %(call)s.",
                call="POST /api/v1/meetings"))
    # English keeps the codes the API and --json use; Chinese says them in words.
    kind, state = ((lambda k: k), (lambda s: s)) if language.in_english() else (
        (lambda k: _(KINDS.get(k, k))), (lambda s: _(STATES.get(s, s))))
    for m in listing["meetings"]:
        present = _("not recorded") if m["present"] is None else m["present"]
        print(_("meeting %(id)s  %(title)s  (expected %(expected)s, present %(present)s)",
                id=m["id"], title=m["title"], expected=m["expected"], present=present))
        for p in m["polls"]:
            print(_("  poll %(id)s  %(kind)s %(state)s  %(counts)s  %(title)s",
                    id=p["id"], kind=padded(kind(p["kind"]), 26), state=padded(state(p["state"]), 6),
                    counts=listing_words.counts_text(p["counts"], p["state"] == "closed"), title=p["title"]))
        if not m["polls"]:
            print(_("  (no polls)"))
    for r in listing["rounds"]:
        print(_("round %(id)s  %(title)s", id=r["id"], title=r["title"]))
    return 0


def cmd_export(args) -> int:

    instance, _db = open_instance(args)
    pem = evidence.public_key_pem(instance.signing_key())
    try:
        if _db.one("SELECT 1 FROM rounds WHERE id = ?", (args.poll,)):
            text = listing_words.rules_text(instance)
            bundle = bundles.round_bundle(_db, load_rules(text), text, args.poll, instance.signing_key())
            what = _("round with %(candidates)s candidates, %(polls)s polls",
                     candidates=len(bundle["round"]["candidates"]), polls=len(bundle["polls"]))
        else:
            bundle = bundles.poll_bundle(_db, args.poll, pem)
            what = _("%(n)s ballots", n=len(bundle["ballots"]))
    except Refusal as refusal:
        if refusal.code == "not_found":
            raise UsageError(_("no poll or round %(id)s; `ballotroom polls` lists them", id=quoted(args.poll))) from None
        raise UsageError(_("poll %(id)s cannot be exported: only a closed poll with its signed result can be",
                           id=quoted(args.poll))) from None
    target = Path(args.output or f"{args.poll}.bundle.json")
    target.write_text(bundles.dumps(bundle), encoding="utf-8")
    print(_("Wrote %(file)s (%(what)s). Signing key %(fingerprint)s", file=target, what=what,
            fingerprint=bundle["public_key_fingerprint"]))
    if bundle.get("format") == bundles.ROUND_BUNDLE_FORMAT:
        # A round's bundle holds the polls behind its score sheet; the stages' own polls (plenary,
        # runoff, committee vote) are certified apart, and the reader should know where they are.
        stage_polls = [p for p in rounds.feeding_polls(_db, args.poll)
                       if p["state"] == "closed" and p["id"] not in bundle["polls"]]
        if stage_polls:
            print(_("The round's stage polls are not in it (they do not feed the score sheet); each has "
                    "its own bundle:"))
            for p in stage_polls:
                print(_("  %(command)s   (%(title)s)", command=f"ballotroom export {p['id']}", title=p["title"]))
    return 0


def cmd_verify(args) -> int:

    try:
        bundle = json.loads(Path(args.bundle).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(_("cannot read %(file)s: %(why)s", file=args.bundle, why=os_reason(exc))) from None
    except ValueError:
        raise UsageError(_("%(file)s is not an evidence bundle: it is not a JSON file", file=args.bundle)) from None
    is_round = isinstance(bundle, dict) and str(bundle.get("format", "")).startswith("ballotroom-round-bundle")
    checks = (evidence.verify_round_bundle if is_round else evidence.verify_bundle)(bundle, args.key)
    cert = bundle.get("certificate") if isinstance(bundle, dict) else None
    if isinstance(cert, dict):
        meeting = cert.get("meeting") if isinstance(cert.get("meeting"), dict) else {}
        print(_("poll %(poll)s: %(title)s (%(meeting)s), closed %(closed)s", poll=cert.get("poll"),
                title=cert.get("title"), meeting=meeting.get("title"), closed=listing_words.closed_text(cert.get("closed_at"))))
        if args.poll:
            checks.append(evidence.Check(
                "poll", cert.get("poll") == args.poll, f"this bundle is about poll {cert.get('poll')}, not {args.poll}",
                N_("this bundle is about poll %(poll)s, not %(wanted)s"), {"poll": cert.get("poll"), "wanted": args.poll}))
    for c in checks:
        print(checks_words.line(c))
    failed = [c for c in checks if not c.ok]
    if failed:
        print(_("NOT VERIFIED: %(n)s check(s) failed: %(names)s", n=len(failed),
                names=_(", ").join(checks_words.name(c.name) for c in failed)), file=sys.stderr)
        return 1
    if not args.key:
        print(_("note: pass --key with the fingerprint published by the server to pin the signing key"))
    print(_("VERIFIED"))
    return 0


def cmd_log_verify(args) -> int:
    instance, _db = open_instance(args)
    result = witness.check(_db, instance.signing_key().public_key(), args.head or [])
    if not result.ok:
        for problem in result.problems:
            print(_(problem.template, **problem.params), file=sys.stderr)
        return 1
    print(_("The event log holds: %(entries)s entries, chain intact; %(certified)s certified closes are in it; "
            "%(heads)s witnessed heads are in it.", entries=result.entries, certified=result.certified,
            heads=result.heads))
    return 0


def cmd_log_head(args) -> int:
    _db = open_instance(args)[1]
    with _db.read() as conn:
        head = eventlog.head(conn)
    # The code first, as the room reads it out: scripts take the first word.
    print(head["code"] + "  " + _("(entry %(seq)s, %(hash)s)", seq=head["seq"], hash=head["hash"]))
    return 0


def cmd_certs(args) -> int:
    instance = open_instance(args)[0]
    paths = ensure_certs(instance, args.name, args.address, args.renew)
    print(_("CA certificate: %(path)s", path=paths.ca_cert))
    print(_("CA fingerprint (SHA-256): %(fingerprint)s", fingerprint=certs.ca_fingerprint(paths)))
    print(_("Server certificate for: %(names)s", names=_(", ").join(certs.names_in(paths))))
    return 0


def cmd_backup(args) -> int:
    instance = existing(args.instance)
    # Imported here: only this command copies the database.
    from kiosk.store.backup import backup
    dest = Path(args.dest)
    if not dest.is_dir() and not dest.parent.is_dir():
        raise UsageError(_("cannot write %(file)s: its folder does not exist", file=args.dest))
    try:
        target, pages = backup(instance.db_path, dest)
    except OSError as exc:
        why = os_reason(exc) if exc.errno else _("the copy could not be made or failed its check; the previous "
                                                 "copy is kept")
        raise UsageError(_("cannot write %(file)s: %(why)s", file=args.dest, why=why)) from None
    print(_("Wrote %(file)s (%(pages)s pages), a consistent copy of %(database)s. Copy %(keys)s once beside "
            "it (they do not change).", file=target, pages=pages, database=instance.db_path,
            keys=_(", ").join(("secret_key", "signing_key.pem", "certs/"))))
    return 0


def cmd_demo(args) -> int:
    # The demo's fictional meeting is loaded only for this command.
    from kiosk.cli.demo import prepare
    path = Path(args.instance or DEFAULT_PATH).resolve()
    info = prepare(path)
    print(info)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["score"]:
        # `score` has its own parser (tally.cli_score), --help included.
        try:
            with language.argparse_in_language():
                return score_main(argv[1:], say=language.sayer(), parser_class=language.Parser)
        except SystemExit as exc:
            return int(exc.code or 0)
    with language.argparse_in_language():
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InstanceError as exc:
        print("ballotroom: " + _(exc.template, **exc.params), file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"ballotroom: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 1
    except Exception as exc:  # the last resort: say what failed, exit 1
        print("ballotroom: " + _("failed: %(why)s", why=exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
