"""Token slips: every printed QR scans back to its URL, the Chinese text prints, the font travels."""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings

import pytest

from kiosk.documents import slips as slips_mod
from kiosk.documents.slips import INSTRUCTIONS, Slip, find_cjk_font, render_slips

pypdf = pytest.importorskip("pypdf")

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
POLL = "2026年度科级干部民主推荐"
MEETING = "全县干部大会"


def _code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(24))
    return "-".join(chars[i : i + 4] for i in range(0, 24, 4))


def _slips(n: int) -> list[Slip]:
    out = []
    for _ in range(n):
        code = _code()
        out.append(Slip(url=f"http://10.0.0.5:5000/t/{code}", code=code))
    return out


def _text(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


def _squash(text: str) -> str:
    """Page text without whitespace: wrapped lines join back into sentences."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def batch() -> tuple[list[Slip], bytes]:
    slips = _slips(25)
    return slips, render_slips(POLL, slips, meeting_title=MEETING)


def test_every_qr_decodes_to_its_url_exactly_once(batch):
    zxingcpp = pytest.importorskip("zxingcpp")
    pdfium = pytest.importorskip("pypdfium2")
    slips, pdf = batch
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 3  # 10 a page: 10 + 10 + 5
    decoded = []
    for page in document:
        image = page.render(scale=200 / 72, grayscale=True).to_pil()
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        decoded.extend(result.text for result in found)
    assert len(decoded) == len(slips)
    assert sorted(decoded) == sorted(slip.url for slip in slips)


def test_typed_codes_title_and_chinese_instructions_are_printed(batch):
    slips, pdf = batch
    pages = [_squash(t) for t in _text(pdf)]
    everything = "".join(pages)
    for slip in slips:
        assert everything.count(slip.code) == 1
    for page in pages:
        for sentence in INSTRUCTIONS:
            assert sentence in page
        assert POLL in page
    # English: "page n / N", "25 slips in all"
    assert "第1/3页" in pages[0] and "第3/3页" in pages[2]
    assert all("共25张" in page and MEETING in page for page in pages)


def _fonts(reader) -> list:
    """Every font dictionary used by the pages, including those inside form XObjects."""
    fonts, seen = [], set()

    def walk(resources):
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                fonts.append(font)
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return fonts


def test_cjk_font_is_embedded(batch):
    if find_cjk_font() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no TrueType CJK font on the CI machine: install fonts-wqy-microhei")
        pytest.skip(
            "no TrueType CJK font installed (apt-get install fonts-wqy-microhei): slips fall back "
            "to the non-embedded STSong-Light"
        )
    _, pdf = batch
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    embedded = [
        font
        for font in _fonts(reader)
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    ]
    assert embedded, "the CJK font must be embedded (FontFile2) so the sheet prints anywhere"
    # the embedded font is the one that draws the Chinese text
    assert any("+" in str(font["/BaseFont"]) for font in embedded)  # a subset, e.g. AAAAAA+Wqy…


def test_named_slip_prints_the_voter_line():
    slips = [
        Slip(url="http://10.0.0.5:5000/t/AAAA", code="AAAA-BBBB", voter="张三 (unit)"),
        Slip(url="http://10.0.0.5:5000/t/CCCC", code="CCCC-DDDD", voter="李四 (city)"),
    ]
    text = _squash(_text(render_slips(POLL, slips))[0])
    # "Voter: name (group)"
    assert "投票人：张三(unit)" in text
    assert "投票人：李四(city)" in text


def test_secret_slip_has_no_voter_line(batch):
    _, pdf = batch
    assert all("投票人" not in text for text in _text(pdf))


def test_long_title_is_cut_not_overflowing():
    title = "县直机关" * 40
    text = _squash(_text(render_slips(title, _slips(1)))[0])
    assert "…" in text and title not in text


def test_no_slips_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="no slips"):
        render_slips(POLL, [])


def test_same_input_gives_same_bytes():
    slips = _slips(3)
    assert render_slips(POLL, slips) == render_slips(POLL, slips)


def test_font_override_must_be_a_truetype_cjk_font(monkeypatch, tmp_path):
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"root:x:0:0")
    monkeypatch.setenv(slips_mod.CJK_FONT_ENV, str(bogus))
    assert find_cjk_font() == str(bogus)
    with pytest.raises(RuntimeError, match="TrueType"):
        render_slips(POLL, _slips(1))


def test_override_wins_over_the_search(monkeypatch):
    found = find_cjk_font()
    if found is None:
        pytest.skip("no TrueType CJK font installed")
    monkeypatch.setenv(slips_mod.CJK_FONT_ENV, found + "#0")
    assert find_cjk_font() == found + "#0"
    assert render_slips(POLL, _slips(1)).startswith(b"%PDF")


def test_without_a_truetype_font_falls_back_with_a_warning(monkeypatch):
    monkeypatch.setattr(slips_mod, "find_cjk_font", lambda: None)
    slips_mod._register_cjk_font.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pdf = render_slips(POLL, _slips(1))
        assert any("STSong-Light" in str(w.message) for w in caught)
        assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    finally:
        slips_mod._register_cjk_font.cache_clear()
