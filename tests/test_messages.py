"""Every refusal in the user's language, with the user's words for fields (issue: "no internal id
or English field name inside a Chinese sentence; Chinese punctuation in Chinese text").

Three nets:
1. the sources: no refusal is built from a sentence that cannot be translated (a plain or
   f-string where a message goes);
2. the catalog: every Chinese translation is free of English words and identifiers (beyond an
   allowlist of names that are not English: CSV, PDF, https …) and of Western punctuation
   next to Chinese;
3. the server: refusals rendered in zh_CN (errors.MESSAGES, body.py's problems, every field of
   the API's request bodies, refusals provoked through the API) read as Chinese sentences.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import contest

from kiosk.errors import FIELD_WORDS, MESSAGES, Refusal, field_words

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "kiosk/translations/zh_CN/LC_MESSAGES/messages.po"
HAN = re.compile(r"[\u4e00-\u9fff]")
# Not English words: formats, protocols, products, commands, placeholders, a signature line.
ALLOWED = re.compile(
    r"%\(\w+\)[sr]|\{\w+\}|https?(://\S+)?|ballotroom-round/\d|ballotroom( [a-z][\w\-]*)*|\s--?[a-z][\w\-]*"
    r"|\.json|\.csv|\.pdf|POST|[KM]B"
    r"|Content-Type: application/json|application/json|UTF-8|GB18030|GBK|Excel|CSV|JSON|PDF|HTML|API|QR|"
    r"NaN|Infinity|YYYY-MM-DD|Ed25519|SHA-256|Socket\.IO|Ballotroom|Android|iPad|iPhone|iOS|Chromium|"
    r"Chrome|Wi-Fi|LAN|CA|zw|_+|\b[A-Z]\b")
ENGLISH = re.compile(r"[A-Za-z][A-Za-z]+")
# Western punctuation touching Chinese (a comma inside “…” quoting what to type is allowed).
WESTERN = re.compile(r"[\u4e00-\u9fff][,.:;?!()]|[,:;(][\u4e00-\u9fff]|[\u4e00-\u9fff] [,.:;()]")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def english_in_chinese(text: str) -> list[str]:
    if not HAN.search(text):
        return []
    return ENGLISH.findall(ALLOWED.sub(" ", text))


def western_punctuation(text: str) -> list[str]:
    if not HAN.search(text):
        return []
    return WESTERN.findall(QUOTED.sub("“”", ALLOWED.sub("x", text)))


# --- 1. the sources ---------------------------------------------------------------------------

MESSAGE_ARGS = {"Refusal": {"detail", "problem", "reason"}, "invalid": {1}, "state_refusal": {0},
                "malformed": {0}}


def _untranslatable(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(ENGLISH.search(node.value))
    # str(exc) of a tally error: its English text, not its sentence (use kiosk.errors.explained)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Name))


def untranslatable_refusals() -> list[str]:
    found = []
    for top in ("kiosk", "admin"):
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                wanted = MESSAGE_ARGS.get(name)
                if wanted is None:
                    continue
                args = [kw.value for kw in node.keywords if kw.arg in wanted]
                args += [a for i, a in enumerate(node.args) if i in wanted]
                owner = getattr(node.func, "value", None)
                if name == "invalid" and (path.name == "poll_input.py" or getattr(owner, "id", "") == "poll_input"):
                    args = node.args[:1]  # admin/poll_input.invalid(message, field)
                if any(_untranslatable(a) for a in args):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_refusal_is_built_from_a_translatable_sentence():
    found = untranslatable_refusals()
    assert not found, f"refusals in English only (use _l(...) or explained(exc)): {found}"


# --- 2. the catalog ---------------------------------------------------------------------------

def _catalog():
    with PO.open("rb") as fh:
        return [m for m in read_po(fh, locale="zh_CN") if m.id and isinstance(m.id, str) and m.string]


def test_chinese_translations_hold_no_english_words():
    bad = [(m.id, m.string, english_in_chinese(m.string)) for m in _catalog() if english_in_chinese(m.string)]
    assert not bad, "English words inside Chinese sentences:\n" + "\n".join(f"{w}: {s}" for _, s, w in bad[:20])


def test_chinese_translations_use_chinese_punctuation():
    bad = [m.string for m in _catalog() if western_punctuation(m.string)]
    assert not bad, "Western punctuation in Chinese text:\n" + "\n".join(bad[:20])


def test_the_checks_catch_what_they_should():
    assert english_in_chinese("部分内容填写有误：expected 须为整数")
    assert english_in_chinese("第 1 行： max_choices须为整数")
    assert western_punctuation("通过：张伟, 王芳, 李娜.")
    assert not english_in_chinese("请上传 CSV 文件（UTF-8），或运行 ballotroom log verify")
    assert not western_punctuation("每行一人：“姓名,分组”")


# --- 3. the server ----------------------------------------------------------------------------

@pytest.fixture
def zh(app):
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        yield


SAMPLE = {"reason": "原因", "limit": 1024, "field": "contests[0].max_choices", "problem": "须为整数",
          "max": 2, "contest": "正科级", "detail": "须为整数"}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_refusal_reads_as_chinese(zh, key):
    text = Refusal(400, key, **SAMPLE).message
    assert HAN.search(text) and not english_in_chinese(text) and not western_punctuation(text), text


def test_every_field_of_the_api_has_words(app, zh):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    names: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    for operations in doc["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                walk(operation.get("requestBody"))
    walk(doc.get("components", {}).get("schemas", {}))
    missing = sorted(n for n in names if n not in FIELD_WORDS
                     and n not in {"error", "message", "detail", "secret", "digest"} and not n.endswith("_at"))
    assert not missing, f"give these fields words in kiosk/errors.py FIELD_WORDS: {missing}"
    for name in names & set(FIELD_WORDS):
        assert not english_in_chinese(field_words(name)), name


@pytest.mark.parametrize("path, words", [
    ("contests[0].max_choices", "第 1 个职位的限选人数"),
    ("expected", "应到人数"),
    ("levels[1].posts", "第 2 个职级的职数"),
    ("contests[2].candidates[0].name", "第 3 个职位的第 1 个候选人的姓名"),
])
def test_paths_in_the_users_words(zh, path, words):
    assert field_words(path) == words


def _problems_of_body():
    """Every problem fragment of kiosk/web/api/body.py, as the catalog translates it."""
    from kiosk.web.api import body
    tree = ast.parse(Path(body.__file__).read_text(encoding="utf-8"))
    found = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "id", "") == "_l" and n.args and isinstance(n.args[0], ast.Constant)}
    words = {str(w._args[0]) for w in body.TYPE_WORDS.values()}  # parts of "must be %(type)s", not sentences
    return sorted(found - words - {", "})


@pytest.mark.parametrize("problem", _problems_of_body())
def test_body_problems_read_as_chinese(zh, problem):
    from flask_babel import gettext
    fragment = gettext(problem, **dict.fromkeys(re.findall(r"%\((\w+)\)s", problem), 3))
    if problem.startswith("it "):  # why a body could not be read at all
        text = Refusal(400, "malformed", "malformed_because", reason=fragment).message
    else:
        text = Refusal(400, "invalid", "field", field="contests[0].title", problem=fragment).message
    assert not english_in_chinese(text) and not western_punctuation(text), text


BAD_BODIES = [
    ("/meetings", {"title": "全委会", "expected": -5}, "应到人数"),
    ("/meetings", {"title": "全委会", "expected": "五十"}, "应到人数"),
    ("/meetings", {"title": "", "expected": 5}, "名称"),
    ("POLL", {"title": "t", "kind": "democratic_recommendation",
              "contests": [{**contest(max_choices=5), "title": "正科级"}]}, "第 1 个职位的限选人数"),
    ("POLL", {"title": "t", "kind": "democratic_recommendation",
              "contests": [contest(names=("甲", "乙")), contest(cid="c2", names=("丙", "丁"))]}, "编号"),
    ("POLL", {"title": "t", "kind": "referendum", "contests": [contest()]}, "投票类型"),
    ("POLL", {"title": "t", "kind": "democratic_recommendation", "contests": [contest(names=("甲", "甲"))]}, "甲"),
    ("/rounds", {"title": "2025", "levels": [{"id": "section_chief", "posts": 0}]}, "职数"),
    ("/rounds", {"title": "2025", "levels": [{"id": "a", "posts": 1}, {"id": "a", "posts": 1}]}, "职级"),
]


@pytest.mark.parametrize("path, body, words", BAD_BODIES)
def test_refusals_through_the_api_speak_chinese(api, path, body, words):
    if path == "POLL":
        path = f"/meetings/{api.meeting(5)}/polls"
    answer = api.client.post(f"/api/v1{path}", json=body, headers={**api.headers, "Accept-Language": "zh-CN"})
    assert answer.status_code == 400
    message = answer.get_json()["message"]
    assert words in message and not english_in_chinese(message) and not western_punctuation(message), message
    field = answer.get_json().get("detail", {}).get("field")
    assert field is None or not HAN.search(field)  # the machine path stays as it was


def in_words(field: str, language: str = "zh_CN") -> str:
    """How a refusal's sentence names ``field`` (an API path) in ``language``: for other tests."""
    from flask import Flask
    from flask_babel import Babel
    app = Flask(__name__)
    Babel(app, default_translation_directories=str(ROOT / "kiosk/translations"),
          locale_selector=lambda: language)
    with app.test_request_context():
        return field_words(field)
