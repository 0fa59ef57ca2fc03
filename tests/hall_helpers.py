"""A large hall on this machine: redis-server, `ballotroom serve --workers N` and nginx serving
deploy/nginx-ballotroom.conf, each started from temporary files on free ports and stopped
with its process group (tests/test_hall.py, tests/test_hall_faults.py, bench/bench_hall.py,
bench/bench_kill.py); and :class:`Load`, ballots cast through nginx until stopped.

nginx serves the shipped site file itself, with only its ports and certificate paths
rewritten, so what is tested is what a hall installs. Its wrapper (the ``http`` block, not the
site) adds one header to every answer, ``X-Hall-Upstream``: the process that answered.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-ballotroom.conf"
STARTUP = 60  # seconds a component may take to answer; a bound, never a speed requirement
# How long nginx keeps a process out after it failed (the site's fail_timeout): only this long
# after the last failure is a restarted process back (the upstreams' zone shares the count
# between nginx's workers).
FAIL_TIMEOUT = float(re.search(r"fail_timeout=(\d+)s", SITE.read_text(encoding="utf-8")).group(1))


def tool(name: str) -> str | None:
    """The program's path (nginx lives in /usr/sbin, often not on a user's PATH)."""
    return shutil.which(name) or next((str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name)
                                       if p.exists()), None)


def free_port(consecutive: int = 1) -> int:
    """A port of 127.0.0.1 free now, with the ``consecutive - 1`` after it free too."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + consecutive > 65535:
            continue
        holders = []
        try:
            for port in range(first, first + consecutive):
                h = socket.socket()
                holders.append(h)
                h.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for h in holders:
                h.close()
    raise RuntimeError("no free ports")


def _started(process: subprocess.Popen, log: Path, ready, what: str) -> None:
    deadline = time.monotonic() + STARTUP
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}): {_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer in {STARTUP} s: {_tail(log)}")
        time.sleep(0.1)


def _tail(path: Path) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(errors="replace")[-4000:]
    return ""


def _stop(process: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Redis:
    """redis-server on a free port, nothing saved to disk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        import redis  # the client, only where Redis is started

        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / "redis.log"
        self.process = subprocess.Popen(
            [tool("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def ready() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False
        _started(self.process, log, ready, "redis-server")
        return self

    def client(self):
        import redis  # the client, only where Redis is started
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=10)

    def stop(self) -> None:
        _stop(self.process)


@dataclass
class HallInstance:
    """A new instance for several processes: Redis started and named in its settings (enrollment
    off: these clients are not tablets), an admin API key, the room's certificates."""

    folder: Path
    instance: Path
    db: Path
    redis: Redis
    key: str
    certs: Path


def hall_instance(folder: Path, password: str = "hall password") -> HallInstance:
    # The server's modules load only where an instance is made (the helpers' import stays light).
    from kiosk.cli.instances import init_instance
    from kiosk.domain import accounts
    from kiosk.store.db import Database
    from kiosk.web import certs

    instance = folder / "instance"
    init_instance(str(instance), "admin", password)
    redis_server = Redis(folder / "redis").start()
    (instance / "config.toml").write_text(f'redis_url = "{redis_server.url}"\nenrollment = false\n')
    database = Database(instance / "ballotroom.db")
    try:
        key = accounts.create_api_key(database, "admin")
    finally:
        database.close()
    paths = certs.create(instance / "certs", ["localhost"], ["127.0.0.1"])
    return HallInstance(folder, instance, instance / "ballotroom.db", redis_server, key, paths.folder)


def missing_tools(*names: str) -> bool:
    """For a benchmark: say which programs are not installed (True), or nothing (False)."""
    missing = [name for name in names if tool(name) is None]
    if missing:
        print(f"not installed: {', '.join(missing)} (apt install {' '.join(missing)})", file=sys.stderr)
    return bool(missing)


class Workers:
    """`ballotroom serve --workers N` on N consecutive free ports of 127.0.0.1."""

    def __init__(self, instance: Path, count: int, log: Path):
        self.instance, self.count, self.log = instance, count, log
        self.port = free_port(count)
        self.ports = list(range(self.port, self.port + count))
        self.urls = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.process: subprocess.Popen | None = None

    def start(self) -> Workers:
        """Start the server (again, after :meth:`kill`: the same instance and ports)."""
        env = {k: v for k, v in os.environ.items() if k != "BALLOTROOM_ACCESS_LOG"}
        self._log = open(self.log, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "serve", "--instance", str(self.instance),
             "--workers", str(self.count), "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        _started(self.process, self.log, lambda: all(_answers(u + "/login") for u in self.urls),
                 f"ballotroom serve --workers {self.count}")
        return self

    def pids(self) -> list[int]:
        """The gevent workers' process ids (children of the servers this process supervises)."""
        servers = _children(self.process.pid)
        return [pid for server in servers for pid in _children(server)]

    def worker_on(self, port: int) -> int:
        """The gevent worker serving ``port`` now (it holds the port's listening socket)."""
        inode = _listening_inodes().get(port)
        for pid in self.pids():
            with contextlib.suppress(OSError):
                if any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]" for fd in os.listdir(f"/proc/{pid}/fd")):
                    return pid
        raise LookupError(f"no worker serves port {port}")

    def kill(self) -> None:
        """kill -9 the whole server at once: this supervisor, every gunicorn master and worker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STARTUP)
        self._log.close()

    def stop(self) -> None:
        _stop(self.process)
        self._log.close()


def _listening_inodes() -> dict[int, str]:
    """Listening TCP sockets of 127.0.0.1 on this machine: port -> socket inode."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, port = fields[1].split(":")
        if fields[3] == "0A" and address == "0100007F":  # LISTEN, on 127.0.0.1
            found[int(port, 16)] = fields[9]
    return found


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]
    return []


def _accepts(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def _answers(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def site_for(ports: list[int], listen: int, cert: Path, key: str | Path) -> str:
    """deploy/nginx-ballotroom.conf for these processes, this port and these certificate files."""
    text = SITE.read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in ports)
    text = re.sub(r"(?:    server 127\.0\.0\.1:\d+[^\n]*\n)+", servers, text)
    # The port-80 redirect needs root's port; the test serves https only, on its own port.
    text = re.sub(r"# Tablets that typed http://.*?\n}\n", "", text, flags=re.S)
    text = text.replace("    listen 443 ssl;\n    listen [::]:443 ssl;\n", f"    listen 127.0.0.1:{listen} ssl;\n")
    text = text.replace("/var/lib/ballotroom/certs/server.crt", str(cert))
    text = text.replace("/var/lib/ballotroom/certs/server.key", str(key))
    text = text.replace("root /opt/ballotroom/deploy;", f"root {ROOT / 'deploy'};")
    return text


class Nginx:
    """nginx in front of the workers, serving the shipped site on a free port over TLS."""

    def __init__(self, folder: Path, ports: list[int], certs_folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.ca = certs_folder / "ca.crt"
        self.context = ssl.create_default_context(cafile=str(self.ca))
        self.site = site_for(ports, self.port, certs_folder / "server.crt", certs_folder / "server.key")
        self.process: subprocess.Popen | None = None

    def start(self, servers_up: bool = True) -> Nginx:
        """Start nginx; wait until the servers answer through it (``servers_up``), or else
        until nginx itself accepts connections."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "site.conf").write_text(self.site, encoding="utf-8")
        temp = "\n".join(f"    {name}_temp_path {self.folder / name};"
                         for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # its workers must read the instance's key
        (self.folder / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 2;\npid {self.folder / 'nginx.pid'};\n"
            f"error_log {self.folder / 'error.log'} warn;\n"
            "events { worker_connections 8192; }\n"
            f"http {{\n{temp}\n    add_header X-Hall-Upstream $upstream_addr always;\n"
            f"    include {self.folder / 'site.conf'};\n}}\n", encoding="utf-8")
        log = self.folder / "error.log"
        self.process = subprocess.Popen(
            [tool("nginx"), "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder), "-e", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        ready = ((lambda: _answers(self.url + "/login", self.context)) if servers_up
                 else (lambda: _accepts("127.0.0.1", self.port)))
        _started(self.process, log, ready, "nginx")
        return self

    def stop(self) -> None:
        _stop(self.process, signal.SIGQUIT)


@dataclass
class Cast:
    """One ballot sent by :class:`Load`: when, the answer's status (None: no answer) and, for a
    201, its tracking code and the process that answered (its port)."""

    token: str
    started: float
    ended: float
    status: int | None
    code: str | None = None
    port: int | None = None


class Load:
    """Ballots cast through nginx from ``threads`` threads, each on its own keep-alive connection
    from its own address, one after another (``think`` seconds between), each slip once, until
    :meth:`stop` or the slips run out. A request that gets no answer (or the gateway's 502) is
    not sent again: the ballot may be stored, but it was never acknowledged; the thread waits
    ``backoff`` seconds then, as a tablet would, rather than spend slips on a server that is down."""

    def __init__(self, nginx: Nginx, tokens: list[str], answers: dict, threads: int = 6, think: float = 0.02,
                 backoff: float = 0.2):
        self.nginx, self.answers, self.think, self.backoff = nginx, answers, think, backoff
        self.casts: list[Cast] = []
        self._tokens = iter(tokens)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(f"127.0.{40 + i}.1",), daemon=True)
                         for i in range(threads)]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(STARTUP)

    def acknowledged(self) -> list[Cast]:
        with self._lock:
            return [c for c in self.casts if c.status == 201]

    def until_acknowledged(self, count: int) -> None:
        """Until ``count`` more ballots are acknowledged than now."""
        target = len(self.acknowledged()) + count
        self.until(lambda acknowledged: len(acknowledged) >= target, f"{count} more ballots acknowledged")

    def until(self, condition, what: str) -> None:
        """Until ``condition(acknowledged casts)`` holds while the load goes on."""
        deadline = time.monotonic() + STARTUP
        while not condition(self.acknowledged()):
            if time.monotonic() > deadline or not any(t.is_alive() for t in self._threads):
                raise RuntimeError(f"the load did not get {what}")
            time.sleep(0.02)

    def until_served_again(self, port: int, since: float) -> None:
        """Until nginx sends ballots to the process on ``port`` again, from each of its workers:
        one acknowledged by it after ``since``, and nginx's fail_timeout past since the last failure."""
        def back(acknowledged) -> bool:
            with self._lock:
                failed = [c.ended for c in self.casts if c.status != 201]
            return (any(c.port == port and c.started > since for c in acknowledged)
                    and time.monotonic() - max(failed, default=0.0) > FAIL_TIMEOUT + 0.5)
        self.until(back, f"ballots acknowledged by the process on port {port} again")

    def _next(self) -> str | None:
        with self._lock:
            return next(self._tokens, None)

    def _run(self, source: str) -> None:
        conn = None
        while not self._stopping.is_set():
            token = self._next()
            if token is None:
                return
            if conn is None:
                conn = http.client.HTTPSConnection("127.0.0.1", self.nginx.port, timeout=STARTUP,
                                                   context=self.nginx.context, source_address=(source, 0))
            cast = Cast(token, time.monotonic(), 0.0, None)
            try:
                conn.request("POST", "/api/v1/ballots", json.dumps({"token": token, "answers": self.answers}),
                             {"Content-Type": "application/json"})
                answer = conn.getresponse()
                body = answer.read()
                cast.status = answer.status
                if cast.status == 201:
                    cast.code = json.loads(body)["tracking_code"]
                    cast.port = int((answer.getheader("X-Hall-Upstream") or ":0").rsplit(":", 1)[1])
                if answer.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
            cast.ended = time.monotonic()
            with self._lock:
                self.casts.append(cast)
            time.sleep(self.think if cast.status == 201 else self.backoff)
        if conn is not None:
            conn.close()
