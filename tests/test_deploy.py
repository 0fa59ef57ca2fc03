"""deploy/: the nginx site keeps the server's own body limits, and the units name what exists."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kiosk.app import create_app
from kiosk.web import ballot_lane
from kiosk.web.api import body

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = {1024: "k", 1024 * 1024: "m"}


def _nginx_size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


def _limits() -> dict[str, int]:
    """client_max_body_size by location ('' for the server's own)."""
    site = (DEPLOY / "nginx-ballotroom.conf").read_text(encoding="utf-8")
    limits, location = {}, ""
    for line in site.splitlines():
        line = line.split("#", 1)[0].strip()
        if m := re.match(r"location\s+(.*?)\s*\{", line):
            location = m.group(1)
        elif line == "}":
            location = ""
        elif m := re.match(r"client_max_body_size\s+(\S+);", line):
            limits[location] = _nginx_size(m.group(1))
    return limits


def test_nginx_refuses_only_what_the_server_would_refuse_itself(instance):
    limits = _limits()
    assert limits[""] == create_app(str(instance)).config["MAX_CONTENT_LENGTH"]
    assert limits["/api/v1/"] == body.MAX_BYTES
    assert limits[f"= {ballot_lane.PATH}"] == ballot_lane.MAX_BODY


def test_both_upstreams_name_the_same_processes_and_live_ones_are_sticky():
    site = (DEPLOY / "nginx-ballotroom.conf").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"upstream (\w+) \{(.*?)\}", site, re.S))
    servers = {name: re.findall(r"server (\S+)", text) for name, text in blocks.items()}
    assert servers["ballotroom_live"] == servers["ballotroom"] and len(servers["ballotroom"]) >= 2
    assert "ip_hash;" in blocks["ballotroom_live"]
    assert re.search(r"location /socket\.io/ \{[^}]*proxy_pass http://ballotroom_live;[^}]*Upgrade", site)


def test_the_hall_unit_serves_the_ports_nginx_proxies_to():
    unit = (DEPLOY / "ballotroom-hall.service").read_text(encoding="utf-8")
    port, workers = map(int, re.search(r"--port (\d+) --workers (\d+)", unit).groups())
    site = (DEPLOY / "nginx-ballotroom.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream ballotroom \{(.*?)\}", site, re.S).group(1)
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", upstream) == [str(p) for p in range(port, port + workers)]


def test_every_location_that_sets_headers_passes_the_clients_address_and_host():
    # nginx: a location with any proxy_set_header of its own inherits none of the server's. The
    # live location once set Upgrade alone, so every dashboard behind nginx counted as 127.0.0.1
    # (fourteen live connections for the whole hall) and lost its Host for the Origin check.
    site = (DEPLOY / "nginx-ballotroom.conf").read_text(encoding="utf-8")
    server = site[site.index("listen 443"):]
    inherited = set(re.findall(r"^    proxy_set_header (\S+)", server, re.M))
    assert {"Host", "X-Real-IP", "X-Forwarded-Proto"} <= inherited
    for location, block in re.findall(r"location ([^{]+)\{(.*?)\n    \}", server, re.S):
        own = set(re.findall(r"proxy_set_header (\S+)", block))
        if own:
            assert {"Host", "X-Real-IP", "X-Forwarded-Proto"} <= own, location


def test_a_tablet_gets_the_rooms_words_when_no_process_answers(tmp_path):
    # nginx itself, serving the shipped site in front of a port nothing listens on: the answer
    # stays a 502 (clients and nginx's own retries read the status) with the page in deploy/.
    from hall_helpers import Nginx, free_port, tool

    from kiosk.web import certs

    if tool("nginx") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt install nginx)")
    paths = certs.create(tmp_path / "certs", ["localhost"], ["127.0.0.1"])
    nginx = Nginx(tmp_path / "nginx", [free_port()], paths.folder).start(servers_up=False)
    try:
        for path, method in (("/", "GET"), ("/api/v1/ballots", "POST")):
            request = urllib.request.Request(nginx.url + path, method=method, data=b"{}" if method == "POST" else None)
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=10, context=nginx.context)
            page = answer.value.read().decode("utf-8")
            assert answer.value.code == 502
            assert "服务器暂时没有应答" in page and "The server did not answer" in page
    finally:
        nginx.stop()
    html = (DEPLOY / "ballotroom-unavailable.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "src=" not in html  # nothing fetched
