"""The one command line, `ballotroom` (README.md, "The command line").

Exit status: 0 success, 2 bad input (with a message naming what is wrong),
1 any other failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from kiosk.cli import language
from kiosk.cli.instances import (
    DEFAULT_PATH,
    UsageError,
    ask_password,
    existing,
    init_instance,
    open_instance,
)
from kiosk.cli.serving import cmd_serve, ensure_certs, workers_count
from kiosk.domain import accounts, bundles, evidence, meetings, polls, witness
from kiosk.errors import Refusal
from kiosk.store import eventlog
from kiosk.store.instance import Instance, InstanceError
from kiosk.web import certs
from tally.cli_score import main as score_main
from tally.rules import load_rules


def _instance_arg(p: argparse.ArgumentParser, default: str = "./var, or ./var/demo (the demo of `make run`) when ./var holds none") -> None:
    p.add_argument("--instance", metavar="DIR", default=None,
                   help=f"instance folder (database, keys, settings); env BALLOTROOM_INSTANCE, default {default}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ballotroom", description="Ballotroom: in-room electronic voting.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create the instance and its first administrator")
    _instance_arg(p, "./var")
    p.add_argument("--admin", default="admin", help="the first administrator's name (default: admin)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help="serve the instance")
    _instance_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    p.add_argument("--rules", default=None, help="rules file overriding the shipped defaults")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--tls", dest="tls", action="store_true", default=None,
                     help="serve https with the instance's certificates (default unless --host is loopback)")
    tls.add_argument("--no-tls", dest="tls", action="store_false",
                     help="plain http (tablet cameras need https on any address but loopback)")
    p.add_argument("--workers", type=workers_count, default=1, metavar="N",
                   help="server processes (default 1); more than one listen on --port and the N-1 "
                        "ports after it, plain http behind the room's proxy, and need Redis "
                        "(redis_url; deploy/large-hall.md)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("backup", help="copy the database while the server runs (sqlite3's online backup)")
    _instance_arg(p)
    p.add_argument("dest", metavar="DEST", help="the file to write, or a folder to write a dated copy in")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("certs", help="create the room's certificate authority and server certificate")
    _instance_arg(p)
    p.add_argument("--name", action="append", default=[], metavar="HOST",
                   help="a host name tablets use (repeatable; default: this machine's name)")
    p.add_argument("--address", action="append", default=[], metavar="ADDR",
                   help="an address tablets use (repeatable; default: every local address)")
    p.add_argument("--renew", action="store_true", help="make a new server certificate (the CA stays)")
    p.set_defaults(func=cmd_certs)

    p = sub.add_parser("user", help="manage people who log in")
    _instance_arg(p)
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    pa = usub.add_parser("add", help="add a user; the password is asked, or generated and printed once")
    _instance_arg(pa)
    pa.add_argument("name")
    pa.add_argument("--role", required=True, choices=accounts.ROLES)
    pa.set_defaults(func=cmd_user_add)

    p = sub.add_parser("apikey", help="API keys")
    _instance_arg(p)
    asub = p.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)
    pa = asub.add_parser("create", help="create an API key (printed once, alone on the last line)")
    _instance_arg(pa)
    pa.add_argument("--role", required=True, choices=accounts.API_ROLES)
    pa.add_argument("--label", default="")
    pa.set_defaults(func=cmd_apikey_create)

    p = sub.add_parser("score", help="score a round file (docs/round-file.md)", add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("demo", help="prepare the demo instance that `make run` serves (replaces it)")
    p.add_argument("--instance", metavar="DIR", default=None, help="where to put it (default ./var/demo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("polls", help="list meetings and their polls (ids, kinds, states) and selection rounds")
    _instance_arg(p)
    p.add_argument("--meeting", metavar="M", default=None, help="only this meeting's polls")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of a listing")
    p.set_defaults(func=cmd_polls)

    p = sub.add_parser("export", help="write the evidence bundle of a closed poll or of a round")
    _instance_arg(p)
    p.add_argument("poll", metavar="POLL|ROUND", help="the id of a closed poll or of a selection round")
    p.add_argument("-o", "--output", default=None, help="file to write (default: ID.bundle.json)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help="check an evidence bundle on any machine")
    p.add_argument("bundle", metavar="BUNDLE")
    p.add_argument("--key", default=None, metavar="FINGERPRINT",
                   help="the signing key's fingerprint as published by the server (recommended)")
    p.add_argument("--poll", default=None, metavar="ID",
                   help="the poll the bundle must be about (a bundle of another poll fails)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("log", help="the event log")
    _instance_arg(p)
    lsub = p.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    pv = lsub.add_parser("verify", help="check the event log's hash chain, every certified close, and "
                                        "the heads the room witnessed")
    _instance_arg(pv)
    pv.add_argument("--head", action="append", metavar="CODE",
                    help="a log head shown in the room (e.g. 7K3Q-M9XD-2FJA-W0PE); may be given again")
    pv.set_defaults(func=cmd_log_verify)
    ph = lsub.add_parser("head", help="the log's head now, in the short form read out in the room")
    _instance_arg(ph)
    ph.set_defaults(func=cmd_log_head)
    return parser


def cmd_init(args) -> int:
    instance = Instance(args.instance)
    if instance.exists():
        print(f"An instance already exists at {instance.path}; nothing was changed.")
        return 0
    password = ask_password(f"Password for administrator {args.admin!r}")
    instance, generated = init_instance(args.instance, args.admin, password)
    print(f"Created instance at {instance.path}")
    if generated:
        print(f"Administrator: {args.admin}\nPassword (shown once, write it down): {generated}")
    return 0


def cmd_user_add(args) -> int:
    _, db = open_instance(args)
    password = ask_password(f"Password for {args.name!r}")
    generated = password is None
    if generated:
        password = accounts.generate_password()
    try:
        accounts.add_user(db, args.name, args.role, password)
    except accounts.AccountError as exc:
        raise UsageError(str(exc)) from exc
    print(f"Added {args.role} {args.name!r}.")
    if generated:
        print(f"Password (shown once): {password}")
    return 0


def cmd_apikey_create(args) -> int:
    _, db = open_instance(args)
    key = accounts.create_api_key(db, args.role, args.label)
    print(f"Created an API key with role {args.role}. It is shown this once:")
    print(key)
    return 0


def cmd_score(args) -> int:
    return score_main(args.args, say=language.sayer())


def cmd_polls(args) -> int:

    _, db = open_instance(args)
    try:
        chosen = [meetings.get(db, args.meeting)] if args.meeting else meetings.all_meetings(db)
    except Refusal:
        raise UsageError(f"no meeting {args.meeting!r}; `ballotroom polls` lists them all") from None
    listing = {
        "meetings": [
            {"id": m["id"], "title": m["title"], "expected": m["expected"], "present": m["present"],
             "polls": [{"id": p["id"], "title": p["title"], "kind": p["kind"], "state": p["state"],
                        "issued": p["issued"], "cast": p["cast_count"]}
                       for p in polls.for_meeting(db, m["id"])]}
            for m in chosen],
        "rounds": [] if args.meeting else [
            {"id": r["id"], "title": r["title"]}
            for r in db.query("SELECT id, title FROM rounds ORDER BY created_at DESC, id")],
    }
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    if not listing["meetings"]:
        print("No meetings yet: create one on the administrator's Meetings page or with POST /api/v1/meetings.")
    for m in listing["meetings"]:
        present = "not recorded" if m["present"] is None else m["present"]
        print(f"meeting {m['id']}  {m['title']}  (expected {m['expected']}, present {present})")
        for p in m["polls"]:
            print(f"  poll {p['id']}  {p['kind']:<26} {p['state']:<6}  issued {p['issued']:>4}, "
                  f"cast {p['cast']:>4}  {p['title']}")
        if not m["polls"]:
            print("  (no polls)")
    for r in listing["rounds"]:
        print(f"round {r['id']}  {r['title']}")
    return 0


def cmd_export(args) -> int:

    instance, db = open_instance(args)
    pem = evidence.public_key_pem(instance.signing_key())
    try:
        if db.one("SELECT 1 FROM rounds WHERE id = ?", (args.poll,)):
            path = instance.settings().rules_path
            text = (Path(path).read_text(encoding="utf-8") if path
                    else resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8"))
            bundle = bundles.round_bundle(db, load_rules(text), text, args.poll, instance.signing_key())
            what = f"round with {len(bundle['round']['candidates'])} candidates, {len(bundle['polls'])} polls"
        else:
            bundle = bundles.poll_bundle(db, args.poll, pem)
            what = f"{len(bundle['ballots'])} ballots"
    except Refusal as refusal:
        raise UsageError(f"{args.poll!r}: {refusal.code}: {refusal.params.get('detail') or 'no such poll or round'}") from None
    target = Path(args.output or f"{args.poll}.bundle.json")
    target.write_text(bundles.dumps(bundle), encoding="utf-8")
    print(f"Wrote {target} ({what}). Signing key {bundle['public_key_fingerprint']}")
    return 0


def cmd_verify(args) -> int:

    try:
        bundle = json.loads(Path(args.bundle).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{args.bundle}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{args.bundle}: not JSON ({exc})") from None
    is_round = isinstance(bundle, dict) and str(bundle.get("format", "")).startswith("ballotroom-round-bundle")
    checks = (evidence.verify_round_bundle if is_round else evidence.verify_bundle)(bundle, args.key)
    cert = bundle.get("certificate") if isinstance(bundle, dict) else None
    if isinstance(cert, dict):
        meeting = cert.get("meeting") if isinstance(cert.get("meeting"), dict) else {}
        print(f"poll {cert.get('poll')}: {cert.get('title')} ({meeting.get('title')}), closed {cert.get('closed_at')}")
        if args.poll:
            checks.append(evidence.Check("poll", cert.get("poll") == args.poll,
                                         f"this bundle is about poll {cert.get('poll')}, not {args.poll}"))
    for c in checks:
        print(f"{'ok  ' if c.ok else 'FAIL'} {c.name}" + (f": {c.detail}" if c.detail else ""))
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"NOT VERIFIED: {len(failed)} check(s) failed: {', '.join(c.name for c in failed)}", file=sys.stderr)
        return 1
    if not args.key:
        print("note: pass --key with the fingerprint published by the server to pin the signing key")
    print("VERIFIED")
    return 0


def cmd_log_verify(args) -> int:
    instance, db = open_instance(args)
    result = witness.check(db, instance.signing_key().public_key(), args.head or [])
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"The event log holds: {result.entries} entries, chain intact; {result.certified} certified "
          f"closes are in it; {result.heads} witnessed heads are in it.")
    return 0


def cmd_log_head(args) -> int:
    _, db = open_instance(args)
    with db.read() as conn:
        head = eventlog.head(conn)
    print(f"{head['code']}  (entry {head['seq']}, {head['hash']})")
    return 0


def cmd_certs(args) -> int:
    instance, _ = open_instance(args)
    paths = ensure_certs(instance, args.name, args.address, args.renew)
    print(f"CA certificate: {paths.ca_cert}")
    print(f"CA fingerprint (SHA-256): {certs.ca_fingerprint(paths)}")
    print(f"Server certificate for: {', '.join(certs.names_in(paths))}")
    return 0


def cmd_backup(args) -> int:
    instance = existing(args.instance)
    # Imported here: only this command copies the database.
    from kiosk.store.backup import backup
    try:
        target, pages = backup(instance.db_path, Path(args.dest))
    except OSError as exc:
        raise UsageError(f"{args.dest}: {exc.strerror or exc}") from None
    print(f"Wrote {target} ({pages} pages), a consistent copy of {instance.db_path}. Copy secret_key, "
          f"signing_key.pem and certs/ once beside it (they do not change).")
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
            return score_main(argv[1:], say=language.sayer())
        except SystemExit as exc:
            return int(exc.code or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"ballotroom: {exc}", file=sys.stderr)
        return 2
    except InstanceError as exc:
        print(f"ballotroom: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 1
    except Exception as exc:  # the last resort: say what failed, exit 1
        print(f"ballotroom: failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
