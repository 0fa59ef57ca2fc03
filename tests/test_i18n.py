"""The interface speaks Chinese first: every message has a zh_CN translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "kiosk/translations/zh_CN/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def _ids(catalog) -> set:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_catalog_covers_every_message_in_the_sources(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "--no-location", "--omit-header", "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        sources = _ids(read_po(fh))
    missing = sorted(sources - _ids(_catalog()))
    assert not missing, f"run `make translations` and translate: {missing[:10]}"


def test_every_message_is_translated():
    untranslated = [m.id for m in _catalog() if m.id and (not m.string or m.fuzzy
                    or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated, f"untranslated or fuzzy: {untranslated[:10]}"


def test_placeholders_survive_translation():
    import re
    for m in _catalog():
        if not m.id or isinstance(m.id, tuple):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)s", m.id))
        assert sorted(re.findall(r"%\(\w+\)s", m.string)) == wanted, m.id


def test_the_compiled_catalog_is_current():
    with MO.open("rb") as fh:
        compiled = {(m.context, m.id): m.string for m in read_mo(fh) if m.id}
    for m in _catalog():  # keyed by context too: one msgid may have several (msgctxt)
        if m.id and not isinstance(m.id, tuple):
            assert compiled.get((m.context, m.id)) == m.string, f"run `make translations` to compile: {m.id!r}"


@pytest.mark.parametrize("path", ["/", "/login"])
def test_pages_speak_chinese_by_default_and_english_on_request(client, path):
    zh = client.get(path).get_data(as_text=True)
    assert 'lang="zh-CN"' in zh and "选票" in zh
    en = client.get(path + "?lang=en").get_data(as_text=True)
    assert 'lang="en"' in en and "Ballotroom" in en


def test_api_errors_follow_accept_language(api):
    from kiosk.domain import tokens
    bad = {"token": tokens.display(tokens.generate()), "answers": {}}
    zh = api.client.post("/api/v1/ballots", json=bad).get_json()["message"]
    en = api.client.post("/api/v1/ballots", json=bad, headers={"Accept-Language": "en"}).get_json()["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert en.startswith("This code was never issued")
