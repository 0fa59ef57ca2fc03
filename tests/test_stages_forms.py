"""The stage pages' forms refuse what does not make sense beside the field it is about, in the
page's language, and keep what was typed: the inspection's notice date and texts, the units'
nominations (admin/stages.py through Flask's test client)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import Api
from test_stages_api import LOOKS, NOMINATIONS, Run, recommended
from test_stages_pages import PASSWORD, admin_app  # noqa: F401  (the fixture, shared)

from kiosk.domain import accounts


def _api(app) -> Api:
    return Api(app.test_client(), accounts.create_api_key(app.extensions["ballotroom_db"], "admin"))


def _login(app):
    """A clerk whose pages speak Chinese, as the department's do."""
    client = app.test_client()
    client.get("/login?lang=zh_CN")
    assert client.post("/login", data={"name": "admin", "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def inspecting(admin_app):  # noqa: F811
    run = recommended(_api(admin_app), admin_app.extensions["ballotroom_db"])
    run.start("inspection")
    return run


def _form(**changes) -> dict:
    form = {"notice_date": date.today().isoformat(), "assessment": "民主测评良好", "talks": "12",
            "verification": "经核实无问题", "judgement": "政治坚定，实绩突出",
            **{f"grade_{look}": "good" for look in LOOKS}, **{f"note_{look}": "说明" for look in LOOKS}}
    return {**form, **changes}


def _beside(page: str, field: str) -> str:
    m = re.search(rf'data-field-error="{field}"[^>]*>(.*?)</span>', page, re.S)
    return m.group(1) if m else ""


FAR = (date.today() + timedelta(days=800)).isoformat()


@pytest.mark.parametrize("typed", ["abc", "2026-02-30", "1900-01-01", FAR, "2026/03/02"])
def test_a_bad_notice_date_is_refused_beside_the_field_and_nothing_is_stored(admin_app, inspecting, typed):  # noqa: F811
    client = _login(admin_app)
    url = f"/admin/rounds/{inspecting.rid}/stages/inspection/candidates/s1"
    r = client.post(url, data=_form(notice_date=typed))
    page = r.get_data(as_text=True)
    assert r.status_code == 400, page[:300]
    assert "考察预告" in _beside(page, "notice_date")
    assert f'value="{typed}"' in page and "政治坚定，实绩突出" in page
    assert inspecting.get("/inspection")["levels"][0]["candidates"][0]["record"] is None


def test_a_good_notice_date_is_kept_and_a_long_text_refused_beside_its_field(admin_app, inspecting):  # noqa: F811
    client = _login(admin_app)
    url = f"/admin/rounds/{inspecting.rid}/stages/inspection/candidates/s1"
    r = client.post(url, data=_form(assessment="优" * 20000))
    assert r.status_code == 400 and "民主测评" in _beside(r.get_data(as_text=True), "assessment")
    assert inspecting.get("/inspection")["levels"][0]["candidates"][0]["record"] is None
    r = client.post(url, data=_form(note_ability="说" * 1001))
    assert r.status_code == 400 and _beside(r.get_data(as_text=True), "note_ability")
    assert client.post(url, data=_form()).status_code == 303
    record = inspecting.get("/inspection")["levels"][0]["candidates"][0]["record"]
    assert record["notice_date"] == date.today().isoformat()


@pytest.fixture
def nominating(admin_app):  # noqa: F811
    run = Run(_api(admin_app))
    run.start("recommendation")
    return run


def _nomination(**changes) -> dict:
    return {"unit": "财政局", "level": "section_chief", "participants": "35", "candidates": ["s1", "s2"], **changes}


def test_a_unit_nominates_once_per_level_with_someone_taking_part(admin_app, nominating):  # noqa: F811
    client = _login(admin_app)
    url = f"/admin/rounds/{nominating.rid}/stages/recommendation/nominations"
    assert client.post(url, data=_nomination()).status_code == 303
    r = client.post(url, data=_nomination(unit=" 财政局 "))
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "已录入" in _beside(page, "unit") and 'value="s2" checked' in page
    r = client.post(url, data=_nomination(unit="审计局", participants="0"))
    assert r.status_code == 400 and "参加" in _beside(r.get_data(as_text=True), "participants")
    # The same unit for another level is a nomination of its own.
    assert client.post(url, data=_nomination(level="general_cadre", candidates=["g1"])).status_code == 303
    view = nominating.get("/recommendation")
    assert len(view["nominations"]) == 2 and view["participants"] == 70


def test_the_api_refuses_a_repeated_nomination_and_no_participants(nominating):
    twice = [NOMINATIONS[0], dict(NOMINATIONS[0])]
    r = nominating.post("/recommendation/nominations", {"nominations": twice}, 400)
    assert r.get_json()["detail"]["field"] == "nominations[1].unit"
    nominating.post("/recommendation/nominations", {"nominations": NOMINATIONS[:1]}, 201)
    r = nominating.post("/recommendation/nominations", {"nominations": NOMINATIONS[:1]}, 400)
    assert r.get_json()["detail"]["field"] == "nominations[0].unit"
    r = nominating.post("/recommendation/nominations", {"nominations": [{**NOMINATIONS[1], "participants": 0}]}, 400)
    assert r.get_json()["detail"]["field"] == "nominations[0].participants"
    assert len(nominating.get("/recommendation")["nominations"]) == 1


def test_the_nomination_form_names_its_fields_as_the_form_does(admin_app, nominating):  # noqa: F811
    # The form sends one record of the API's list; its refusal names 单位, not 第 1 个提名记录的单位.
    client = _login(admin_app)
    client.get("/?lang=zh_CN")
    url = f"/admin/rounds/{nominating.rid}/stages/recommendation/nominations"
    for changes, field in (({"unit": ""}, "unit"), ({"unit": "审计局", "participants": "abc"}, "participants")):
        page = client.post(url, data=_nomination(**changes)).get_data(as_text=True)
        said = _beside(page, field)
        assert re.search(r"[\u4e00-\u9fff]", said) and "第 1 个" not in said and "提名记录" not in said, said
