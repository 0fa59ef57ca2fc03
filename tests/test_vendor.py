"""Vendored browser code: the pinned file is the one recorded, and nothing loads from outside."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "kiosk" / "static"
VENDOR = STATIC / "vendor"
JSQR = VENDOR / "jsQR.js"
SCANNER = STATIC / "js" / "scanner.js"

# Files whose text may name outside URLs because they are quoted verbatim: the licence itself.
LICENCE_FILES = {VENDOR / "jsQR.LICENSE"}
# Strings of upstream code that look like addresses and load nothing (vendor/SOCKETIO.md): the
# scheme put before a host given without one, and a documentation link in an error message.
VENDORED_URL_STRINGS = {
    VENDOR / "socket.io.min.js": ('"https://"', "https://socket.io/docs/v3/migrating-from-2-x-to-3-0/"),
}
TEXT_SUFFIXES = {".js", ".mjs", ".css", ".html", ".htm", ".svg", ".json", ".map", ".md", ".txt"}

URL = re.compile(r"https?://", re.IGNORECASE)
# Ways a page or script would pull something in from elsewhere, including protocol-relative //host.
EXTERNAL_LOAD = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//"""
    r"""|\bimport\s*(?:\(|[^;'"]*\bfrom)?\s*["'](?:https?:)?//"""
    r"""|\b(?:fetch|importScripts|EventSource|WebSocket|open)\s*\(\s*["'`](?:https?:|wss?:)?//""",
    re.IGNORECASE,
)


def _static_text_files() -> list[Path]:
    return sorted(p for p in STATIC.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def test_vendored_jsqr_matches_the_recorded_sha256():
    assert JSQR.is_file(), "kiosk/static/vendor/jsQR.js is missing (see vendor/README.md)"
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    recorded = re.search(r"^\| sha256 \| `([0-9a-f]{64})` \|", readme, re.MULTILINE)
    assert recorded, "vendor/README.md must record the sha256 of jsQR.js in its table"
    assert hashlib.sha256(JSQR.read_bytes()).hexdigest() == recorded.group(1)
    version = re.search(r"^\| version \| (\S+) \|", readme, re.MULTILINE)
    assert version and version.group(1) in readme.split("tarball", 1)[1]


def test_vendored_jsqr_carries_its_licence():
    licence = (VENDOR / "jsQR.LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0" in licence


def test_nothing_under_static_loads_from_outside():
    offenders = []
    for path in _static_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if EXTERNAL_LOAD.search(line):
                offenders.append(f"{path.relative_to(STATIC)}:{number}: {line.strip()[:120]}")
    assert not offenders, "pages must load nothing from outside:\n" + "\n".join(offenders)


def test_no_outside_urls_except_in_licence_text_and_vendored_comments():
    offenders = []
    for path in _static_text_files():
        if path in LICENCE_FILES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            checked = line
            for allowed in VENDORED_URL_STRINGS.get(path, ()):
                checked = checked.replace(allowed, "")
            if not URL.search(checked):
                continue
            # upstream code is kept byte-identical; a URL in one of its comments loads nothing
            if path.parent == VENDOR and path.suffix == ".js" and line.lstrip().startswith("//"):
                continue
            offenders.append(f"{path.relative_to(STATIC)}:{number}: {line.strip()[:120]}")
    assert not offenders, "no http(s) URLs in served files:\n" + "\n".join(offenders)


def test_scanner_exposes_its_api_and_asks_for_the_rear_camera():
    source = SCANNER.read_text(encoding="utf-8")
    assert "window.BallotroomScanner = { start: start, stop: stop }" in source
    assert 'facingMode: "environment"' in source
    for reason in ("insecure", "denied", "no_camera"):
        assert f'"{reason}"' in source
    # no text for people: the page owns the messages (no CJK in the script)
    assert not re.search(r"[\u3400-\u9fff]", source)


# --- the script itself, run under Node with stand-ins for the browser ---------------------------

NODE_HARNESS = r"""
const fs = require("fs");
const [jsqrPath, scannerPath, pixelsPath, width, height] = process.argv.slice(2);
const pixels = new Uint8ClampedArray(fs.readFileSync(pixelsPath));

function makeWindow(mediaDevices) {
  const w = { setTimeout, clearTimeout, isSecureContext: !!mediaDevices,
              navigator: mediaDevices ? { mediaDevices } : {},
              document: { createElement: () => fakeCanvas() } };
  new Function("window", "self", "module", "exports", "define",
               fs.readFileSync(jsqrPath, "utf8"))(w, w, undefined, undefined, undefined);
  new Function("window", fs.readFileSync(scannerPath, "utf8"))(w);
  return w;
}
function fakeCanvas() {
  return { width: 0, height: 0, getContext: () => ({
    drawImage() {},
    getImageData: () => ({ data: pixels, width: +width, height: +height }) }) };
}
function fakeVideo() {
  return { readyState: 4, videoWidth: +width, videoHeight: +height, srcObject: null,
           muted: false, attrs: {}, setAttribute(k, v) { this.attrs[k] = v; },
           play: () => Promise.resolve(), pause() {} };
}
function run(mediaDevices) {
  return new Promise((resolve) => {
    const w = makeWindow(mediaDevices);
    const codes = [], errors = [];
    const video = fakeVideo();
    w.BallotroomScanner.start(video, null, (t) => codes.push(t), (r) => errors.push(r));
    setTimeout(() => resolve({ codes, errors, video }), 600);
  });
}
function refusing(name) {
  return { getUserMedia: () => Promise.reject(Object.assign(new Error(name), { name })) };
}
(async () => {
  const out = {};
  out.insecure = (await run(null)).errors;
  out.denied = (await run(refusing("NotAllowedError"))).errors;
  out.missing = (await run(refusing("NotFoundError"))).errors;
  let stopped = 0, constraints = null;
  const stream = { getTracks: () => [{ stop: () => stopped++ }],
                   getVideoTracks: () => [{}] };
  const ok = await run({ getUserMedia: (c) => { constraints = c; return Promise.resolve(stream); } });
  out.codes = ok.codes; out.errors = ok.errors; out.stopped = stopped;
  out.constraints = constraints; out.srcObject = ok.video.srcObject;
  out.playsinline = "playsinline" in ok.video.attrs;
  console.log(JSON.stringify(out));
})();
"""


def test_scanner_decodes_a_slip_and_reports_camera_problems(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the scanner script is not executed")
    qrcode = pytest.importorskip("qrcode")
    text = "http://10.0.0.5:5000/t/ABCD-EFGH-JKMN-PQRS-TVWX-YZ01"
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    qr.add_data(text)
    image = qr.make_image().get_image().convert("RGBA")
    pixels = tmp_path / "frame.rgba"
    pixels.write_bytes(image.tobytes())
    harness = tmp_path / "harness.js"
    harness.write_text(NODE_HARNESS, encoding="utf-8")

    done = subprocess.run(
        [node, str(harness), str(JSQR), str(SCANNER), str(pixels), *map(str, image.size)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["insecure"] == ["insecure"]
    assert out["denied"] == ["denied"]
    assert out["missing"] == ["no_camera"]
    assert out["codes"] == [text], "onCode is called exactly once with the decoded text"
    assert out["errors"] == []
    assert out["stopped"] == 1 and out["srcObject"] is None, "the camera is released after a read"
    assert out["constraints"]["video"] == {"facingMode": "environment"}
    assert out["playsinline"]
