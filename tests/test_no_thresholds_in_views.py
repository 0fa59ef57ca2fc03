"""Pages and scripts draw what the results document says and decide nothing (issue 8, item 1).

Every rule is decided once, in tally/, and travels in the results document or the turnout
(quorum met, passes, veto per item, chosen, runoff). A template or a browser script that compares
counts against a share or a bar decides a rule a second time, where it can drift from tally's.

This test reads every Jinja expression of templates/** and every line of kiosk/static/js/*.js
(the vendored libraries are not ours) and refuses:

- an ordering comparison (<, <=, >, >=) whose operands name a threshold (bar, share, ratio, line,
  quorum, needed, min, max, fraction, batch...), a count of the rules (votes, agree, raters,
  respondents, cast, present, expected, issued, rate, satisfaction, score, ...), multiply or
  divide (a share times a total is how a bar is applied), or hold a decimal or a number other
  than 0 and 1;
- in a template, a condition that calls a function with such names (a helper deciding on the
  page's behalf, like the over_line(rule, frequent, raters) of the first dashboard).

A comparison that is not a rule (the tablet's input help, a camera's readiness) is listed in
ALLOWED with the reason; adding one there is a review decision, not a way round the test.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SCRIPTS = ROOT / "kiosk" / "static" / "js"

WORDS = {
    # thresholds and what they are made of
    "bar", "bars_at", "threshold", "ratio", "share", "line", "quorum", "needed", "min", "max",
    "fraction", "num", "den", "batch", "percent", "pct", "places", "veto", "pass", "limit",
    # the counts the rules measure
    "votes", "agree", "disagree", "abstain", "frequent", "occasional", "raters", "respondents",
    "satisfied", "cast", "present", "expected", "issued", "rate", "satisfaction", "score",
    "attendance", "counted", "published",
}

# (file relative to the root, the comparison as written): why it is not a rule.
ALLOWED = {
    ("kiosk/static/js/ballot.js", "n >= max"):
        "input help: the tablet stops a voter ticking more boxes than the contest allows; "
        "tally refuses such a ballot anyway (too_many_choices)",
    ("kiosk/static/js/board.js", "v.length < 10"):
        "the board's code lookup waits for a whole tracking code",
    ("kiosk/static/js/scanner.js", "video.readyState >= 2"):
        "the camera has a frame to read",
    ("templates/admin/stages/recommendation.html",
     "lv.initial_list.candidates|length <= lv.plenary_places"):
        "not yet moved: the stage data come from kiosk/stages/recommendation.py (see issue 8)",
}

COMPARISON = re.compile(r"(?<![<>=!-])(<=|>=|<|>)(?![=>])")
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+|\.\d+|\d+)(?![\w.])")
IDENT = re.compile(r"[A-Za-z_][\w]*")
BOUNDARY = re.compile(r"&&|\|\||\band\b|\bor\b|\bif\b|\belse\b|\bnot\b|[(),;?:{}\[\]]|\breturn\b")


def _operand(text: str, start: int, step: int) -> str:
    """The operand next to a comparison: up to the nearest boundary, brackets kept balanced."""
    depth, i = 0, start
    out = []
    while 0 <= i < len(text):
        ch = text[i]
        opening, closing = ("(", "[") if step > 0 else (")", "]"), (")", "]") if step > 0 else ("(", "[")
        if ch in opening:
            depth += 1
        elif ch in closing:
            if depth == 0:
                break
            depth -= 1
        elif depth == 0:
            piece = text[i:] if step > 0 else text[: i + 1]
            match = BOUNDARY.match(piece) if step > 0 else None
            if step < 0:
                match = re.search(r"(&&|\|\||\band|\bor|\b(?:el)?if|\belse|\bnot|\breturn|[,;?:{}]|(?<![=!<>])=)$", piece)
            if match:
                break
        out.append(ch)
        i += step
    operand = "".join(out if step > 0 else reversed(out))
    return operand.strip()


def _suspicious(expression: str) -> bool:
    words = {part for ident in IDENT.findall(expression) for part in ident.lower().split("_")}
    if words & WORDS or "*" in expression or "/" in expression:
        return True
    return any(number not in ("0", "1") for number in NUMBER.findall(expression))


def comparisons(text: str) -> list[str]:
    """Every ordering comparison in ``text`` (code only), as ``left op right``."""
    found = []
    for match in COMPARISON.finditer(text):
        left = _operand(text, match.start() - 1, -1)
        right = _operand(text, match.end(), 1)
        if left and right:
            found.append(f"{left} {match.group(1)} {right}")
    return found


def _script_code(source: str) -> str:
    """A script without its comments and string literals (a sentence may say "<")."""
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    source = re.sub(r"//[^\n]*", " ", source)
    source = re.sub(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", '""', source)
    return re.sub(r"/(?:\\.|[^/\\\n])+/[gimsuy]*(?=[.,;)\s])", '""', source)  # regex literals


def _template_expressions(source: str) -> list[str]:
    """The inside of every {{ }} and {% %} of a template, its strings blanked."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    inside = re.findall(r"\{\{-?(.*?)-?\}\}|\{%-?(.*?)-?%\}", source, flags=re.S)
    blank = r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'"
    return [re.sub(blank, '""', a or b) for a, b in inside]


def _conditions(expression: str) -> list[str]:
    """What follows each ``if``/``elif`` of a Jinja expression, up to its else."""
    return [m.group(1) for m in re.finditer(r"\b(?:el)?if\b(.*?)(?=\belse\b|$)", expression, flags=re.S)]


def findings_in_script(name: str, source: str) -> list[str]:
    return [f"{name}: {c}" for c in comparisons(_script_code(source)) if _suspicious(c)
            and (name, c) not in ALLOWED]


def findings_in_template(name: str, source: str) -> list[str]:
    problems = []
    for expression in _template_expressions(source):
        problems += [f"{name}: {c}" for c in comparisons(expression) if _suspicious(c)
                     and (name, c) not in ALLOWED]
        for condition in _conditions(expression):
            condition = re.sub(r"\bis\s+(not\s+)?(defined|none)\b", "", condition)
            for call in re.finditer(r"(?<![\w.|])([A-Za-z_]\w*)\s*\(([^()]*)\)", condition):
                if _suspicious(call.group(2)):
                    problems.append(f"{name}: a condition calls {call.group(0)}")
    return problems


def _files():
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path, findings_in_template
    for path in sorted(SCRIPTS.glob("*.js")):
        yield path, findings_in_script


def test_no_template_or_script_compares_against_a_threshold():
    problems = []
    for path, find in _files():
        problems += find(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    assert problems == [], "decided outside tally/:\n" + "\n".join(problems)


def test_every_allowed_comparison_still_exists():
    """An entry of ALLOWED that no longer matches anything is removed, so the list stays honest."""
    seen = set()
    for path, _ in _files():
        name = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".js":
            seen |= {(name, c) for c in comparisons(_script_code(text))}
        else:
            seen |= {(name, c) for e in _template_expressions(text) for c in comparisons(e)}
    assert set(ALLOWED) - seen == set()


# The checker itself: today's copies of the rules, as they were, are caught.
def test_the_copies_this_test_was_written_for_are_caught():
    quorum = ("var met = attendance * rule.quorum[1] >= rule.quorum[0] * t.expected;")
    veto = "return raters > 0 && frequent * den > num * raters;  // exact, like tally's veto"
    assert findings_in_script("x.js", quorum) and findings_in_script("x.js", veto)
    assert findings_in_script("x.js", "if (c.rate >= 0.3) mark = 'passes';")
    assert findings_in_script("x.js", "var ok = share > rule.line;")
    helper = ('<span class="fill{{ \' fail\' if over_line(rule, c.frequent[i], c.raters) }}">')
    assert findings_in_template("x.html", helper)
    assert findings_in_template("x.html", "{% if c.votes / doc.cast >= 0.30 %}x{% endif %}")
    assert findings_in_template("x.html", "{% if c.agree > doc.expected // 2 %}x{% endif %}")
    assert findings_in_template("x.html", "{% if t.issued > t.present %}x{% endif %}")


def test_drawing_is_not_caught():
    assert not findings_in_script("x.js", "if (i + 1 === places && i < rows.length - 1) {}")
    assert not findings_in_script("x.js", 'node.className = c.passes ? "pass" : "";')
    assert not findings_in_template("x.html", "{% if pages > 1 %}{% if page < pages %}x{% endif %}{% endif %}")
    assert not findings_in_template("x.html", "{% if rule.line is defined %}x{% endif %}")
    assert not findings_in_template("x.html", "{{ ' fail' if doc.item_veto[c.id][i] }}")
