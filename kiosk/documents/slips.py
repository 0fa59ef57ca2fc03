"""Printable token slips: an A4 PDF of cut-out slips, each with a QR code and a typed code.

The clerk prints the sheet, cuts along the dashed lines and hands the slips out at random. Each slip
carries the URL its QR encodes (scanned by a tablet's camera), the same token as a typed fallback
code, the poll's title, two lines of instructions in Chinese and, for named polls only, the voter.

Nothing here touches the database or the disk: slips in, PDF bytes out. The caller decides where
the bytes go (they hold live tokens, so normally straight to the browser and nowhere else).
"""

from __future__ import annotations

import glob
import io
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["Slip", "render_slips", "find_cjk_font", "CJK_FONT_ENV", "INSTRUCTIONS"]


@dataclass(frozen=True)
class Slip:
    url: str  # what the QR encodes, e.g. "http://10.0.0.5:5000/t/ABCD-EFGH-..."
    code: str  # the typed fallback code, e.g. "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01"
    voter: str | None = None  # named polls only: "name (group)"


# The two instruction lines printed on every slip, in the words of docs/glossary.md: the slip is a
# 选票凭条 (never 凭条 alone), the code on it its 投票码, the device a 投票终端. In English:
#   1. "Scan the QR code on a voting tablet, or type the code below on the tablet."
#   2. "Each slip can be used only once; after voting, put this slip into the collection box."
INSTRUCTIONS = (
    "请在投票终端上扫描二维码，或在投票终端上输入下方的投票码。",
    "每张选票凭条只能使用一次，投票后请将本选票凭条投入回收箱。",
)
VOTER_LABEL = "投票人："  # "Voter: "
# A rehearsal's slips are test slips: marked 测试 ("test") across the text and in words,
# "Test slip, for the rehearsal only: not counted in a real vote".
TEST_MARK = "测试"
TEST_LINE = "测试选票凭条，仅供演练，不计入正式投票"

# --- fonts ---------------------------------------------------------------------------------------

CJK_FONT_ENV = "BALLOTROOM_CJK_FONT"

# reportlab embeds TrueType outlines (glyf) only; the Noto/Source Han CJK fonts most systems carry
# are CFF (OpenType/PostScript outlines) and are refused. These are TrueType CJK fonts, best first,
# with the Debian package that ships each. The project depends on fonts-wqy-microhei.
_CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/arphic/ukai.ttc",  # fonts-arphic-ukai
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",  # fonts-arphic-gbsn00lp
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",  # Fedora / Arch layouts
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",  # macOS
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",  # Windows
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
)
# Looked for under the usual font folders when none of the paths above exists.
_CJK_FONT_GLOBS = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "DroidSansFallback*.ttf", "uming.ttc")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

# Last resort: one of the Adobe CID fonts every PDF reader is expected to supply. It is NOT embedded,
# so a reader without the Adobe Asian font pack prints boxes or substitutes; hence the warning.
_FALLBACK_CID_FONT = "STSong-Light"
_PROBE_CHARS = "票请码"  # a font that lacks these cannot print the slip


def _split_index(spec: str) -> tuple[str, int]:
    """'/path/font.ttc#1' -> ('/path/font.ttc', 1); the index picks a face inside a collection."""
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec, 0


def find_cjk_font() -> str | None:
    """Path of a TrueType CJK font reportlab can embed, or None.

    BALLOTROOM_CJK_FONT (a path, optionally followed by '#N' for the Nth face of a .ttc) wins over
    the search; it is returned as given even if missing, so that a wrong setting fails loudly when
    the font is loaded instead of silently printing with another font.
    """
    override = os.environ.get(CJK_FONT_ENV, "").strip()
    if override:
        return override
    for candidate in _CJK_FONT_CANDIDATES:
        if os.path.isfile(candidate):
            return candidate
    for folder in _FONT_DIRS:
        root = os.path.expanduser(folder)
        if not os.path.isdir(root):
            continue
        for pattern in _CJK_FONT_GLOBS:
            found = sorted(glob.glob(os.path.join(root, "**", pattern), recursive=True))
            if found:
                return found[0]
    return None


@lru_cache(maxsize=4)
def _register_cjk_font(spec: str | None) -> tuple[str, bool]:
    """Register the CJK font with reportlab once per process; returns (font name, embedded)."""
    if spec is None:
        warnings.warn("No TrueType CJK font found: slips use the non-embedded PDF font "
                      f"{_FALLBACK_CID_FONT}, which may not print on every machine. Install "
                      f"fonts-wqy-microhei or set {CJK_FONT_ENV} to a .ttf/.ttc file.", RuntimeWarning, stacklevel=3)
        pdfmetrics.registerFont(UnicodeCIDFont(_FALLBACK_CID_FONT))
        return _FALLBACK_CID_FONT, False
    path, index = _split_index(spec)
    name = f"BallotroomCJK-{Path(path).stem}-{index}"
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (OSError, TTFError) as exc:
        raise RuntimeError(f"Cannot use {spec!r} as the CJK font for token slips ({exc}). It must be a TrueType "
                           "font (.ttf/.ttc with glyf outlines, e.g. from fonts-wqy-microhei); fix or unset "
                           f"{CJK_FONT_ENV}.") from exc
    missing = [c for c in _PROBE_CHARS if ord(c) not in font.face.charToGlyph]
    if missing:
        raise RuntimeError(f"The font {spec!r} has no Chinese glyphs (missing {''.join(missing)!r}); "
                           f"install fonts-wqy-microhei or point {CJK_FONT_ENV} at a Chinese TrueType font.")
    pdfmetrics.registerFont(font)
    return name, True


# --- layout (points; origin at the bottom left, as in PDF) ---------------------------------------

PAGE_W, PAGE_H = A4
COLS, ROWS = 2, 5
PER_PAGE = COLS * ROWS
MARGIN_X = 10 * mm
MARGIN_TOP = 8 * mm
MARGIN_BOTTOM = 14 * mm  # the footer lives here
SLIP_W = (PAGE_W - 2 * MARGIN_X) / COLS  # 95 mm
SLIP_H = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) / ROWS  # 55 mm
GRID_TOP = PAGE_H - MARGIN_TOP

PAD = 4.5 * mm  # also the QR's quiet zone: at least the 4 modules the standard asks for
QR_SIZE = 34 * mm  # the symbol itself, quiet zone excluded: tablets read it from arm's length
QR_TOP = SLIP_H - 4.5 * mm
CODE_BASELINE = 6 * mm
CODE_FONT = "Courier-Bold"  # one of the 14 standard PDF fonts: present in every reader
CODE_MAX_SIZE = 14.0
TEXT_X = PAD + QR_SIZE + 4 * mm
TEXT_W = SLIP_W - TEXT_X - PAD
TITLE_SIZE = 10.5
TEXT_SIZE = 8.5
VOTER_SIZE = 9.5
FOOTER_SIZE = 8.0

# Characters that must not begin a line (kinsoku): they stay with the previous character.
_NO_LINE_START = set("，。、；：！？）」』》〉”’,.;:!?)]}")

# One fixed QR mask. Choosing the "best" of the 8 masks makes qrcode evaluate all of them, which is
# 5x slower (about 5 ms per slip here) and only nudges a penalty score; any mask is valid and the
# format information tells the decoder which one was used. The tests decode every slip.
_QR_MASK = 0


def _qr_matrix(data: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=_QR_MASK)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def _qr_path(matrix: list[list[bool]]) -> str:
    """PDF path operators for the dark modules, in module units with y pointing up.

    Each horizontal run of dark modules is one rectangle and all of them are filled as one path, so
    renderers show no hairline seams between neighbouring modules.
    """
    n = len(matrix)
    ops = []
    for r, row in enumerate(matrix):
        y = n - 1 - r
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{start} {y} {c - start} 1 re")
            else:
                c += 1
    ops.append("f")
    return "\n".join(ops)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width, character by character (CJK has no spaces).

    Latin words are kept whole where they fit on a line of their own.
    """
    lines: list[str] = []
    line = ""
    i = 0
    while i < len(text):
        ch = text[i]
        # take a whole Latin word at a time so that it is not split mid-word
        j = i + 1
        if ch.isascii() and ch.isalnum():
            while j < len(text) and text[j].isascii() and text[j].isalnum():
                j += 1
        piece = text[i:j]
        if line and pdfmetrics.stringWidth(line + piece, font, size) > width and piece not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = piece.lstrip()
            # a word longer than a whole line: cut it by character
            while line and pdfmetrics.stringWidth(line, font, size) > width:
                k = len(line)
                while k > 1 and pdfmetrics.stringWidth(line[:k], font, size) > width:
                    k -= 1
                lines.append(line[:k])
                line = line[k:]
        else:
            line += piece
        i = j
    if line:
        lines.append(line)
    return lines


def _clip_lines(lines: list[str], keep: int, font: str, size: float, width: float) -> list[str]:
    """At most `keep` lines; a cut last line ends with an ellipsis."""
    if len(lines) <= keep:
        return lines
    last = lines[keep - 1]
    while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
        last = last[:-1]
    return lines[: keep - 1] + [last + "…"]


def _fit_size(text: str, font: str, max_size: float, width: float, min_size: float = 6.0) -> float:
    natural = pdfmetrics.stringWidth(text, font, max_size)
    if natural <= width:
        return max_size
    return max(min_size, max_size * width / natural)


def _draw_test_mark(c: Canvas, font: str) -> None:
    """测试 large and pale across the text beside the QR code (never over the code itself, which
    must still scan), and in words in red above the typed code."""
    c.saveState()
    c.setFillColorRGB(0.97, 0.80, 0.80)
    c.setFont(font, 40)
    c.translate(TEXT_X + TEXT_W / 2, SLIP_H / 2 - 4 * mm)
    c.rotate(18)
    c.drawCentredString(0, -14, TEST_MARK)
    c.restoreState()
    c.setFillColorRGB(0.75, 0.1, 0.1)
    c.setFont(font, _fit_size(TEST_LINE, font, TEXT_SIZE, TEXT_W))
    c.drawString(TEXT_X, CODE_BASELINE + CODE_MAX_SIZE + 1.5 * mm, TEST_LINE)
    c.setFillColorRGB(0, 0, 0)


def _draw_slip_static(c: Canvas, font: str, poll_title: str, rehearsal: bool = False) -> None:
    """What every slip shares (title, instructions, a test slip's mark), drawn once as a form XObject."""
    if rehearsal:
        _draw_test_mark(c, font)
        poll_title = f"【{TEST_MARK}】{poll_title}"
    y = QR_TOP - TITLE_SIZE
    c.setFont(font, TITLE_SIZE)
    title_lines = _clip_lines(_wrap(poll_title, font, TITLE_SIZE, TEXT_W), 2, font, TITLE_SIZE, TEXT_W)
    for line in title_lines:
        c.drawString(TEXT_X, y, line)
        y -= TITLE_SIZE * 1.3
    y -= 2 * mm
    c.setFont(font, TEXT_SIZE)
    for sentence in INSTRUCTIONS:
        for line in _wrap(sentence, font, TEXT_SIZE, TEXT_W):
            c.drawString(TEXT_X, y, line)
            y -= TEXT_SIZE * 1.35
        y -= 1 * mm


def _draw_slip(c: Canvas, font: str, slip: Slip, x: float, y: float) -> None:
    """One slip whose bottom-left corner is (x, y)."""
    c.saveState()
    c.translate(x, y)
    c.doForm("slip_static")

    matrix = _qr_matrix(slip.url)
    module = QR_SIZE / len(matrix)
    # one path in a scaled coordinate system: integers only, which keeps the stream short
    c.addLiteral(f"q {module:.4f} 0 0 {module:.4f} {PAD:.3f} {QR_TOP - QR_SIZE:.3f} cm\n{_qr_path(matrix)}\nQ")

    code_width = SLIP_W - 2 * PAD
    size = _fit_size(slip.code, CODE_FONT, CODE_MAX_SIZE, code_width)
    c.setFont(CODE_FONT, size)
    c.drawString(PAD, CODE_BASELINE, slip.code)

    if slip.voter:
        label = VOTER_LABEL + slip.voter
        vsize = _fit_size(label, font, VOTER_SIZE, TEXT_W)
        c.setFont(font, vsize)
        c.drawString(TEXT_X, QR_TOP - QR_SIZE + 1 * mm, label)
    c.restoreState()


def _draw_cut_lines(c: Canvas, used: int) -> None:
    """Dashed lines around the `used` cells of this page (filled row by row, left to right)."""
    per_row = [max(0, min(COLS, used - r * COLS)) for r in range(ROWS)]
    rows = sum(1 for n in per_row if n)
    c.saveState()
    c.setDash(3, 2)
    c.setLineWidth(0.4)
    c.setStrokeGray(0.45)
    for r in range(rows + 1):  # horizontal boundaries, top of row r
        above = per_row[r - 1] if r > 0 else 0
        below = per_row[r] if r < rows else 0
        cols = max(above, below)
        y = GRID_TOP - r * SLIP_H
        c.line(MARGIN_X, y, MARGIN_X + cols * SLIP_W, y)
    for col in range(COLS + 1):  # vertical boundaries, left of column col
        depth = sum(1 for n in per_row if n >= max(col, 1))
        if depth:
            x = MARGIN_X + col * SLIP_W
            c.line(x, GRID_TOP, x, GRID_TOP - depth * SLIP_H)
    c.restoreState()


def _draw_footer(c: Canvas, font: str, meeting_title: str, page: int, pages: int, count: int,
                 rehearsal: bool = False) -> None:
    c.saveState()
    c.setFillGray(0.25)
    c.setFont(font, FOOTER_SIZE)
    y = MARGIN_BOTTOM / 2 - FOOTER_SIZE / 3
    if meeting_title:
        width = PAGE_W / 2 - MARGIN_X - 15 * mm  # clear of the centred page number
        lines = _wrap(meeting_title, font, FOOTER_SIZE, width)
        c.drawString(MARGIN_X, y, _clip_lines(lines, 1, font, FOOTER_SIZE, width)[0])
    c.drawCentredString(PAGE_W / 2, y, f"第 {page} / {pages} 页")  # "page n / N"
    # "N slips in all" (test slips: "N test slips in all")
    c.drawRightString(PAGE_W - MARGIN_X, y, f"共 {count} 张{TEST_MARK if rehearsal else ''}选票凭条")
    c.restoreState()


def render_slips(poll_title: str, slips: Sequence[Slip], *, meeting_title: str = "",
                 rehearsal: bool = False) -> bytes:
    """An A4 portrait PDF with 10 slips a page (2 x 5, dashed cut lines) for the given slips;
    ``rehearsal``: test slips, each marked 测试 (and the title and footer say so).

    Slips appear in the order given; shuffle them first if the order could reveal anything.
    Raises ValueError when there is nothing to print.
    """
    if not slips:
        raise ValueError("There are no slips to print: issue tokens for the poll first.")
    font, _embedded = _register_cjk_font(find_cjk_font())

    buf = io.BytesIO()
    # invariant: no creation date or random document id, so equal input gives equal bytes
    c = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1)
    c.setTitle(f"{poll_title} - {TEST_MARK + '选票凭条' if rehearsal else '选票凭条'}")  # "(test) voting slips"
    c.setSubject(meeting_title or poll_title)
    c.setCreator("Ballotroom")
    c.setAuthor("Ballotroom")

    c.beginForm("slip_static", 0, 0, SLIP_W, SLIP_H)
    _draw_slip_static(c, font, poll_title, rehearsal)
    c.endForm()

    pages = math.ceil(len(slips) / PER_PAGE)
    for page in range(pages):
        chunk = slips[page * PER_PAGE : (page + 1) * PER_PAGE]
        _draw_cut_lines(c, len(chunk))
        for i, slip in enumerate(chunk):
            row, col = divmod(i, COLS)
            _draw_slip(c, font, slip, MARGIN_X + col * SLIP_W, GRID_TOP - (row + 1) * SLIP_H)
        _draw_footer(c, font, meeting_title, page + 1, pages, len(slips), rehearsal)
        c.showPage()
    c.save()
    return buf.getvalue()


def cjk_font() -> str:
    """The registered CJK font's name, for every PDF the server makes."""
    return _register_cjk_font(find_cjk_font())[0]
