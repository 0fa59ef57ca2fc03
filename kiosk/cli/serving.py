"""`ballotroom serve`: one process, or several behind the room's proxy (kiosk/cli/server.py)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket

from kiosk.cli.instances import UsageError, existing
from kiosk.store.instance import Instance
from kiosk.web import certs

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
        raise argparse.ArgumentTypeError(f"--workers takes a whole number from 1 to 64, not {text!r}")
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
            raise UsageError(f"--workers {args.workers} needs Redis, and none answers at {redis_url} "
                             f"({problem.rstrip('.')}). Start it (systemctl start redis-server, see "
                             f"deploy/large-hall.md), set redis_url in {instance.config_path}, or "
                             f"serve with one process (--workers 1).")
    paths = None
    use_tls = args.tls if args.tls is not None else (args.workers == 1 and not _is_loopback(args.host))
    if use_tls:
        bind = [] if args.host in ("0.0.0.0", "::") else [args.host]
        paths = ensure_certs(instance, [], bind)
        overrides.update(SESSION_COOKIE_SECURE=True, TLS=True)
    try:
        app = create_app(str(instance.path), overrides)
    except RuntimeError as exc:
        raise UsageError(str(exc)) from exc
    scheme = "http" if paths is None else "https"
    shown = f"[{args.host}]" if ":" in args.host else args.host
    if args.workers > 1:
        print(f"Ballotroom is serving {instance.path} with {args.workers} processes at "
              f"{scheme}://{shown}:{args.port} to {args.port + args.workers - 1}, sharing {redis_url}; "
              f"the room reaches them through its proxy (deploy/nginx-ballotroom.conf)", flush=True)
    else:
        print(f"Ballotroom is serving {instance.path} at {scheme}://{shown}:{args.port}/", flush=True)
        print(f"  administrators and chairs: {scheme}://{shown}:{args.port}/login", flush=True)
        print(f"  tablets:                   {scheme}://{shown}:{args.port}/", flush=True)
    if overrides["ENROLLMENT"]:
        print("  tablet enrollment is on: enroll each tablet from the administrator's Tablets page", flush=True)
    if paths is not None:
        print(f"  install the room's CA on tablets from {scheme}://{shown}:{args.port}/ca "
              f"(fingerprint {certs.ca_fingerprint(paths)})", flush=True)
    # gunicorn and gevent load only for the command that serves.
    from kiosk.cli.server import serve
    serve(app, args.host, args.port, access_log=os.environ.get("BALLOTROOM_ACCESS_LOG") == "1",
          certfile=str(paths.server_cert) if paths else None,
          keyfile=str(paths.server_key) if paths else None,
          workers=args.workers, redis_url=redis_url)
    return 0
