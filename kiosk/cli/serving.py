"""`ballotroom serve`: one process, or several behind the room's proxy (kiosk/cli/server.py)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket

from kiosk.cli.instances import UsageError, existing
from kiosk.cli.language import in_english, os_reason
from kiosk.cli.language import say as _
from kiosk.store.instance import Instance, InstanceError
from kiosk.web import certs
from tally.rules import RulesError

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def ensure_certs(instance: Instance, names: list[str], addresses: list[str], renew: bool = False):
    """The room's CA and a server certificate naming these hosts and every local address."""
    hostnames = names or [socket.gethostname()]
    known = certs.local_addresses()
    wanted = list(dict.fromkeys(addresses + known))
    paths = certs.CertPaths(instance.path / "certs")
    if paths.exist() and not renew:
        missing = [a for a in addresses + names if a not in certs.names_in(paths)]
        renew = bool(missing)
    return certs.create(paths.folder, hostnames, wanted, renew_server=renew)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def workers_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(_("%(option)s takes a whole number from 1 to 64, not %(value)s",
                                           option="--workers", value=repr(text)))
    return value


def cmd_serve(args) -> int:
    # Flask and the whole web stack load only for the command that serves.
    from kiosk.app import create_app
    instance = existing(args.instance)
    overrides: dict = {"RULES_PATH": args.rules} if args.rules else {}
    setting = instance.settings().enrollment
    # Several processes serve a real hall behind its proxy, on loopback: enrollment stays on.
    overrides["ENROLLMENT"] = setting if setting is not None else (
        args.workers > 1 or not _is_loopback(args.host))
    redis_url = None
    if args.workers > 1:
        redis_url = instance.settings().redis_url or DEFAULT_REDIS
        # Imported here: only several processes need Redis.
        from kiosk.web.cluster import check
        problem = check(redis_url)
        if problem:
            raise UsageError(_("%(option)s needs %(redis)s, and none answers at %(url)s. Start it (%(start)s, see "
                               "%(doc)s), set %(setting)s in %(config)s, or serve with one process (%(one)s).",
                               option=f"--workers {args.workers}", redis="Redis", url=redis_url,
                               start="systemctl start redis-server", doc="deploy/large-hall.md",
                               setting="redis_url", config=instance.config_path, one="--workers 1")
                             # The client library's own words (an exception), for English readers.
                             + (f" ({problem.rstrip('.')})" if in_english() else ""))
    paths = None
    use_tls = args.tls if args.tls is not None else (args.workers == 1 and not _is_loopback(args.host))
    if use_tls:
        bind = [] if args.host in ("0.0.0.0", "::") else [args.host]
        paths = ensure_certs(instance, [], bind)
        overrides.update(SESSION_COOKIE_SECURE=True, TLS=True)
    try:
        app = create_app(str(instance.path), overrides)
    except InstanceError:  # its settings cannot be used: said as such by the command line
        raise
    except RuntimeError as exc:  # the rules file cannot be used (kiosk.app)
        raise UsageError(_rules_refusal(exc, args.rules or instance.settings().rules_path)) from exc
    scheme = "http" if paths is None else "https"
    shown = f"[{args.host}]" if ":" in args.host else args.host
    if args.workers > 1:
        print(_("Ballotroom is serving %(path)s with %(n)s processes at %(address)s to %(last)s, sharing "
                "%(redis)s; the room reaches them through its proxy (%(proxy)s)",
                path=instance.path, n=args.workers, address=f"{scheme}://{shown}:{args.port}",
                last=args.port + args.workers - 1, redis=redis_url, proxy="deploy/nginx-ballotroom.conf"), flush=True)
    else:
        print(_("Ballotroom is serving %(path)s at %(address)s", path=instance.path,
                address=f"{scheme}://{shown}:{args.port}/"), flush=True)
        print(_("  administrators and chairs: %(address)s", address=f"{scheme}://{shown}:{args.port}/login"),
              flush=True)
        print(_("  tablets:                   %(address)s", address=f"{scheme}://{shown}:{args.port}/"), flush=True)
    if overrides["ENROLLMENT"]:
        print(_("  tablet enrollment is on: enroll each tablet from the administrator's Tablets page"), flush=True)
    if paths is not None:
        print(_("  install the room's CA on tablets from %(address)s (fingerprint %(fingerprint)s)",
                address=f"{scheme}://{shown}:{args.port}/ca", fingerprint=certs.ca_fingerprint(paths)), flush=True)
    print(_("  stop with %(keys)s", keys="Ctrl-C"), flush=True)
    # gunicorn and gevent load only for the command that serves.
    from kiosk.cli.server import serve
    serve(app, args.host, args.port, access_log=os.environ.get("BALLOTROOM_ACCESS_LOG") == "1",
          certfile=str(paths.server_cert) if paths else None,
          keyfile=str(paths.server_key) if paths else None,
          workers=args.workers, redis_url=redis_url)
    return 0


def _rules_refusal(error: RuntimeError, path: str | None) -> str:
    """Why the rules file was refused: in English tally.rules' own words; otherwise the key."""
    cause = error.__cause__
    if in_english() or not isinstance(cause, (RulesError, OSError)):
        return _("the server was not started: %(why)s", why=error)
    if isinstance(cause, OSError):
        return _("the server was not started: the rules file %(file)s cannot be read: %(why)s", file=path,
                 why=os_reason(cause))
    return _("the server was not started: in the rules file %(file)s, %(key)s is not valid", file=path,
             key=cause.key)
