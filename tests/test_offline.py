"""The room has no internet: nothing a page loads may come from outside."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I)
CSS_OUTSIDE = re.compile(r"""(?:@import|url\()\s*["']?(?:https?:)?//""", re.I)


def _files(folder: str, *suffixes: str):
    for path in (ROOT / folder).rglob("*"):
        if path.suffix in suffixes and path.is_file():
            yield path


def test_no_template_loads_anything_from_outside():
    offenders = []
    for path in _files("templates", ".html"):
        text = path.read_text(encoding="utf-8")
        if OUTSIDE.search(text) or CSS_OUTSIDE.search(text) or re.search(r"https?://", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_no_stylesheet_imports_from_outside():
    offenders = [str(p) for p in _files("kiosk/static", ".css") if CSS_OUTSIDE.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def test_the_server_code_opens_no_outbound_connection():
    """No module of the server imports an HTTP client or opens sockets to elsewhere."""
    forbidden = {"requests", "httpx", "urllib.request", "http.client", "aiohttp", "smtplib", "ftplib"}
    offenders = []
    for folder in ("kiosk", "admin", "tally"):
        for path in _files(folder, ".py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                offenders += [f"{path.name}: {n}" for n in names if n in forbidden]
    assert not offenders


def test_pages_as_served_reference_only_this_server(client):
    for path in ("/", "/login", "/board/"):
        html = client.get(path).get_data(as_text=True)
        assert not OUTSIDE.search(html), path
