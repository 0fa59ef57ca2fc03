"""One word for each thing (docs/glossary.md): the catalog's Chinese, the printed slip, the pages a
meeting goes through, the event log and the command line use the glossary's words and none of
those it forbids.

The forbidden words are read from the glossary itself (its table "Words not to use"), so adding a
row there is enough to keep a word out everywhere these tests look.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import ADMIN_PASSWORD, Api, contest, new_instance
from test_messages import english_in_chinese, western_punctuation

from admin import poll_input
from admin import views_results as vr
from kiosk import errors
from kiosk.app import create_app
from kiosk.cli import language
from kiosk.documents import result_sheet
from kiosk.documents.slips import INSTRUCTIONS, TEST_LINE, Slip, cjk_font, render_slips
from kiosk.domain import accounts
from kiosk.domain.evidence import CHECK_NAMES
from tally import kinds as tk
from tally.kind_names import NAMES

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
PO = ROOT / "kiosk/translations/zh_CN/LC_MESSAGES/messages.po"
TAG = re.compile(r"<[^>]+>")


def forbidden_words() -> list[tuple[str, list[str]]]:
    """(word not to use, [words to use instead]) from the glossary's table "Words not to use"."""
    section = GLOSSARY.read_text(encoding="utf-8").split("## Words not to use", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] == "不用" or set(cells[0]) <= set("-: "):
            continue
        rows.append((cells[0], [word.strip() for word in cells[1].split("/")]))
    return rows


FORBIDDEN = forbidden_words()


def offending(text: str) -> list[str]:
    """The forbidden words in ``text``; a word to use that contains one (选票凭条) is not one."""
    found = []
    for word, instead in FORBIDDEN:
        rest = text
        for good in instead:
            if word in good:
                rest = rest.replace(good, "")
        if word in rest:
            found.append(word)
    return found


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", TAG.sub(" ", html))


def test_the_glossary_lists_its_forbidden_words():
    words = {word for word, _ in FORBIDDEN}
    assert {"凭条", "凭证", "数据包", "中途离会", "市委", "结果证书", "指纹", "公示名单", "已投票数"} <= words
    assert offending("投票后请将本凭条投入回收箱。") == ["凭条"]
    assert offending("投票后请将本选票凭条投入回收箱。") == []
    assert offending("下载投票数据包") == ["数据包"]


def test_no_chinese_translation_uses_a_forbidden_word():
    catalog = read_po(PO.open("rb"))
    bad = []
    for message in catalog:
        text = message.string if isinstance(message.string, str) else "".join(message.string)
        if message.id and text and offending(text):
            bad.append(f"{message.id!r} -> {text!r}: {offending(text)}")
    assert not bad, "words docs/glossary.md replaces:\n" + "\n".join(bad)


def _pdf_text(pdf: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def test_the_printed_slip_says_the_glossary_words():
    assert not offending(TEST_LINE) and not any(offending(sentence) for sentence in INSTRUCTIONS)
    assert "选票凭条" in INSTRUCTIONS[1] and "投票码" in INSTRUCTIONS[0] and "投票终端" in INSTRUCTIONS[0]
    slips = [Slip(f"http://10.0.0.5:5000/t/ABCD-EFGH-JKMN-PQRS-TVWX-YZ0{n}", f"ABCD-EFGH-JKMN-PQRS-TVWX-YZ0{n}")
             for n in range(3)]
    for rehearsal in (False, True):
        text = _pdf_text(render_slips("正科级干部民主推荐", slips, meeting_title="县委全会", rehearsal=rehearsal))
        assert "本选票凭条投入回收箱" in text
        assert not offending(text), offending(text)


def test_a_kind_has_one_name_from_one_source():
    assert set(NAMES) == set(tk.KINDS)
    assert language.KINDS is NAMES
    for kind, name in NAMES.items():
        assert poll_input.KIND_LABELS[kind]._args[0] == name  # the same catalog template, said on the page
        assert vr.KIND_NAMES[kind]._args[0] == name
        assert errors.VALUE_WORDS[kind]._args[0] == name
    catalog = {m.id: m.string for m in read_po(PO.open("rb"))}
    assert catalog[NAMES["plenary_recommendation"]] == "全会差额推荐"
    assert catalog[NAMES["standing_committee"]] == "常委会差额票决"


# --- a meeting driven through the pages ------------------------------------------------------

@pytest.fixture
def room(tmp_path):
    app = create_app(str(new_instance(tmp_path / "instance")), {"TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    database = app.extensions["ballotroom_db"]
    key = accounts.create_api_key(database, "admin")
    api = Api(client, key)
    meeting = api.meeting(5, present=4, title="县委全会")
    poll = api.poll(meeting, "democratic_recommendation", [contest(names=("孙建国", "王芳", "李娜"))],
                    title="正科级干部民主推荐")
    tokens = api.tokens(poll, 4)
    api.open(poll)
    api.vote(tokens[0], {"c1": ["k1"]})
    api.vote(tokens[1], {"c1": []})
    form = client.post("/ballot/submit", data={"token": tokens[2], "answers": '{"c1": ["k2"]}'})
    api.close(poll)
    roster = api.meeting(3, title="县委常委会")
    members = api.client.put(f"/api/v1/meetings/{roster}/roster", headers=api.headers, json={"members": [
        {"name": "赵一", "unit": "县委办", "post": "主任"}, {"name": "钱二", "unit": "县政府办", "post": "主任"}]})
    first = members.get_json()["members"][0]["id"]
    for action in ("sign-in", "leave"):
        assert api.post(f"/meetings/{roster}/roster/{first}/{action}").status_code == 200
    assert client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD}).status_code == 302
    assert client.post("/admin/meetings", data={"title": "部务会", "expected": "7"}).status_code in (302, 303)
    return client, {"meeting": meeting, "poll": poll, "roster": roster, "receipt": form.get_data(as_text=True),
                    "prefix": key[:7]}


PAGES = ["/admin/", "/admin/meetings/{meeting}", "/admin/polls/{poll}", "/admin/meetings/{roster}/roster",
         "/admin/meetings/{roster}/roster/door", "/board/", "/board/key", "/board/polls/{poll}", "/log/"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_of_the_meeting_says_the_glossary_words(room, path):
    client, ids = room
    r = client.get(path.format(**ids))
    assert r.status_code == 200, path
    text = visible(r.get_data(as_text=True))
    assert not offending(text), (path, offending(text))


def test_the_tablet_receipt_names_the_bulletin_board(room):
    _, ids = room
    text = visible(ids["receipt"])
    assert "公示栏" in text and not offending(text)


def test_counts_carry_the_glossary_names(room):
    client, ids = room
    poll = client.get(f"/admin/polls/{ids['poll']}").get_data(as_text=True)
    counts = visible(re.search(r"<ul class=\"counts[^>]*>.*?</ul>", poll, re.S).group(0))
    for word in ("应到", "实到", "发出", "收回", "空白", "废票"):
        assert word in counts, counts
    batches = visible(re.search(r"<table class=\"list\" data-batches>.*?</thead>", poll, re.S).group(0))
    assert all(word in batches for word in ("发出", "收回", "未投", "作废")), batches
    meeting = client.get(f"/admin/meetings/{ids['meeting']}").get_data(as_text=True)
    head = visible(re.search(r"<thead>.*?</thead>", meeting, re.S).group(0))
    assert all(word in head for word in ("应到", "实到", "发出", "收回", "空白", "废票")), head
    board = visible(client.get(f"/board/polls/{ids['poll']}").get_data(as_text=True))
    assert all(word in board for word in ("发出", "收回", "空白", "废票"))
    roster = visible(client.get(f"/admin/meetings/{ids['roster']}/roster").get_data(as_text=True))
    assert "提前离场" in roster


def test_the_board_says_its_checks_in_words_and_commands_as_code(room):
    client, ids = room
    page = client.get(f"/board/polls/{ids['poll']}").get_data(as_text=True)
    badges = [visible(b) for b in re.findall(r'<span class="badge (?:pass|fail)".*?</span>', page, re.S)]
    assert len(badges) >= len({"format", "signature", "digest", "recount", "spoiled", "log bounds"})
    for badge in badges:
        assert not re.search(r"[A-Za-z]", badge), badge
    assert "废票 ✓" in " ".join(badges) and "日志范围 ✓" in " ".join(badges)
    assert "下载核验材料" in visible(page)
    index = client.get("/board/").get_data(as_text=True)
    assert "`" not in index and "<code>ballotroom verify</code>" in index
    key = client.get("/board/key").get_data(as_text=True)
    assert "签名核对码" in visible(key) and "证书核对码" not in visible(key) and "`" not in key
    english = client.get("/board/key?lang=en").get_data(as_text=True)
    assert "signed result" in english and "result certificate" not in english
    assert "<code>ballotroom verify --key</code>" in english
    for name in CHECK_NAMES:
        assert CHECK_NAMES[name] in {m.id for m in read_po(PO.open("rb"))}, name


def test_the_log_names_people_by_name_and_role(room):
    client, ids = room
    sentences = [visible(s) for s in re.findall(r'<p class="sentence">(.*?)</p>', client.get("/log/").get_data(
        as_text=True), re.S)]
    joined = "\n".join(sentences)
    assert "user:" not in joined and "apikey:" not in joined and "cli:" not in joined
    assert "管理员 admin 创建了会议" in joined or any(s.startswith("管理员 admin") for s in sentences), joined
    assert f"API 密钥 {ids['prefix']}…（管理员）" in joined
    assert "命令行" in joined  # the instance's first administrator was added by the command line
    for text in sentences:
        assert not western_punctuation(text.replace("...", "")), text
        assert not english_in_chinese(text.replace(ids["prefix"], "").replace("admin", "")), text
    english = client.get("/log/?lang=en").get_data(as_text=True)
    assert f"API key {ids['prefix']}… (administrator)" in english and "admin (administrator)" not in english


def _contest(title, **candidates):
    return {"id": title, "title": title, "candidates": [{"id": n, "name": n, **flags} for n, flags in candidates.items()]}


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_result_summary_is_punctuated_in_the_readers_language(room, lang):
    client, _ = room
    app = client.application
    committee = {"kind": "standing_committee"}
    passing = _contest("正科级（职数 2 名）", 孙建国={"passes": True}, 王芳={"passes": False})
    nobody = _contest("副科级", 李娜={"passes": False})
    plenary = {**_contest("正科级", 甲={}, 乙={}, 丙={}), "chosen": ["甲"], "runoff": ["乙", "丙"]}
    with app.test_request_context(f"/?lang={lang}"):
        said = [vr.outcome_sentence(committee, passing), vr.outcome_sentence(committee, nobody),
                vr.outcome_sentence({"kind": "plenary_recommendation"}, plenary)]
    if lang == "zh_CN":
        assert said[:2] == ["正科级（职数 2 名）——通过：孙建国。", "副科级——无人通过。"]
        assert said[2] == "正科级——当选：甲；进入再次投票：乙、丙。"
        assert not any(western_punctuation(s) for s in said), said
    else:
        assert said[:2] == ["正科级（职数 2 名）: passing: 孙建国.", "副科级: nobody passes."]
        assert said[2] == "正科级: chosen: 甲; a runoff is needed among: 乙, 丙."


EVIDENCE_NOTE = ("These two are for checking: the digest fixes every ballot in the box at the close, and the "
                 "fingerprint names the key that signed this result. Anyone can download the poll's evidence "
                 "bundle from the bulletin board and check with ballotroom verify that no ballot was changed "
                 "and that this server signed the result.")


@pytest.mark.parametrize("width_mm", [60, 95, 120, 150, 170])
def test_the_result_sheet_footer_breaks_english_between_words(width_mm):
    font = cjk_font()
    lines = result_sheet._wrap(EVIDENCE_NOTE, font, 7, width_mm * 72 / 25.4)
    assert " ".join(lines) == EVIDENCE_NOTE  # whole words, nothing lost
    for line in lines:
        assert line == line.strip() and not re.match(r"[.,;:!?)]", line), line


def test_the_result_sheet_footer_never_starts_a_line_with_chinese_punctuation():
    font = cjk_font()
    note = ("以上两项用于核对：票箱校验码在投票结束时固定了票箱中的每一张选票，签名核对码表明是哪一把密钥签署了本结果。"
            "任何人都可以从公示栏下载本次投票的核验材料，用 ballotroom verify 核验。")
    for width_mm in range(40, 160, 7):
        lines = result_sheet._wrap(note, font, 7, width_mm * 72 / 25.4)
        assert "".join(lines).replace(" ", "") == note.replace(" ", "")
        assert not any(re.match(r"[，。、；：）”]", line) for line in lines), lines
