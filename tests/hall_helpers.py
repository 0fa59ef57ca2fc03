"""A large hall on this machine: redis-server, `ballotroom serve --workers N` and nginx serving
deploy/nginx-ballotroom.conf, each started from temporary files on free ports and stopped
with its process group (tests/test_hall.py, bench/bench_hall.py).

nginx serves the shipped site file itself, with only its ports and certificate paths
rewritten, so what is tested is what a hall installs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-ballotroom.conf"
STARTUP = 60  # seconds a component may take to answer; a bound, never a speed requirement


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


class Workers:
    """`ballotroom serve --workers N` on N consecutive free ports of 127.0.0.1."""

    def __init__(self, instance: Path, count: int, log: Path):
        self.instance, self.count, self.log = instance, count, log
        self.port = free_port(count)
        self.ports = list(range(self.port, self.port + count))
        self.urls = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.process: subprocess.Popen | None = None

    def start(self) -> Workers:
        env = {k: v for k, v in os.environ.items() if k != "BALLOTROOM_ACCESS_LOG"}
        self._log = open(self.log, "wb")  # noqa: SIM115 (closed in stop)
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

    def stop(self) -> None:
        _stop(self.process)
        self._log.close()


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]
    return []


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

    def start(self) -> Nginx:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "site.conf").write_text(self.site, encoding="utf-8")
        temp = "\n".join(f"    {name}_temp_path {self.folder / name};"
                         for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # its workers must read the instance's key
        (self.folder / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 2;\npid {self.folder / 'nginx.pid'};\n"
            f"error_log {self.folder / 'error.log'} warn;\n"
            "events { worker_connections 8192; }\n"
            f"http {{\n{temp}\n    include {self.folder / 'site.conf'};\n}}\n", encoding="utf-8")
        log = self.folder / "error.log"
        self.process = subprocess.Popen(
            [tool("nginx"), "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder), "-e", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        _started(self.process, log, lambda: _answers(self.url + "/login", self.context), "nginx")
        return self

    def stop(self) -> None:
        _stop(self.process, signal.SIGQUIT)
