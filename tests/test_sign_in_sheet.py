"""The sign-in sheet's heading: how many should attend on the left, the date to fill in on the
right on a line of its own, never run together ("应到人数：10 日期：")."""

from __future__ import annotations

import io

import pytest
from conftest import ADMIN_PASSWORD
from pypdf import PdfReader

from kiosk.documents import sign_in_sheet

MM = 72 / 25.4  # PDF points in a millimetre


def _placed(pdf: bytes) -> list[tuple[str, float]]:
    """Each piece of text drawn on the first page, with its x position in points."""
    placed: list[tuple[str, float]] = []

    def visit(text, cm, tm, *_):
        if text.strip():
            placed.append((text.strip(), tm[4] * cm[0] + cm[4]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return placed


def _x(placed, words: str) -> tuple[str, float]:
    return next((text, x) for text, x in placed if words in text)


@pytest.fixture
def staff(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD})
    return client


@pytest.mark.parametrize(("lang", "expected", "date"), [("zh_CN", "应到人数：3", "日期："),
                                                        ("en", "Members who should attend: 3", "Date:")])
def test_the_expected_count_and_the_date_stand_apart(staff, api, lang, expected, date):
    meeting = api.meeting(10, title="全委会")
    api.client.put(f"/api/v1/meetings/{meeting}/roster", headers=api.headers, json={"members": [
        {"name": "张伟", "unit": "城关镇", "post": "党委书记"}, {"name": "王芳", "unit": "县财政局", "post": "局长"},
        {"name": "李娜", "unit": "县财政局", "post": "副局长"}]})  # expected becomes the roster's 3
    staff.get(f"/admin/?lang={lang}")
    r = staff.get(f"/admin/meetings/{meeting}/roster/sheet.pdf")
    assert r.status_code == 200
    placed = _placed(r.data)
    count_text, count_x = _x(placed, expected)
    date_text, date_x = _x(placed, date)
    assert count_text == expected and date_text == date  # two pieces, not one sentence
    assert date_x - count_x > 90 * MM  # the date at the right, well apart


def test_the_date_has_a_line_to_write_on():
    pdf = sign_in_sheet.render("全委会", 10, [("城关镇", [{"name": "张伟", "post": "党委书记"}])],
                               {"sheet": "签到表", "expected": "应到人数：%(expected)s", "date": "日期：",
                                "number": "序号", "name": "姓名", "post": "职务", "signature": "本人签名",
                                "note": "备注", "no_unit": "（未填单位）", "page": "第 %(page)s 页 共 %(pages)s 页"}.get)
    assert "日期：" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
