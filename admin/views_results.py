"""What the chair's pages show of a results document: the rule's line, quorum, labels.

The first view of a tally is drawn by the Jinja macros of ``templates/chair/_board.html``; later
views by ``kiosk/static/js/dashboard.js`` from live ``tally`` events. Both read the same two
things made here, so they say the same:

- ``board_rules``: the numbers of the rules file that the page draws (where the line goes, how
  many agreeing votes are needed, the quorum), exact fractions turned into what a page needs,
  each figure computed by tally;
- ``labels``: every sentence the pages need, translated, with ``%(name)s`` placeholders (the
  script has no text of its own).

No rule is decided here: whether a candidate passes, is chosen or vetoed, which items are over
the veto line and whether the quorum is met come from the results document and the turnout
(tally/); the page only draws them. tests/test_no_thresholds_in_views.py keeps it so.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.store import localtime
from tally import kinds as tk
from tally.display import fixed
from tally.kind_names import NAMES
from tally.meetings import committee_votes_needed, needed_for
from tally.outcome_words import AGAINST_A_BAR, WORDS, word_for
from tally.rules import Rules

FAMILY = {
    "democratic_recommendation": "choice",
    "interview_recommendation": "choice",
    "plenary_recommendation": "choice",
    "standing_committee": "committee",
    "character": "character",
    "survey": "survey",
    "leaders": "leaders",
}

# A kind's name has one source (tally.kind_names): the chair's pages say it as every other page does.
KIND_NAMES = {kind: _l(name) for kind, name in NAMES.items()}

STATE_NAMES = {"draft": _l("Not yet open"), "open": _l("Open"), "closed": _l("Closed")}


def share_text(value: Fraction) -> str:
    """A rules-file share as a percentage for people: 3/10 -> "30%", 2/3 -> "66.67%"."""
    text = fixed(value * 100, 2)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def points_text(value: Fraction) -> str:
    """Points of the rules file for people: 20 -> "20", 5/2 -> "2.5"."""
    text = fixed(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def local_time(iso: str | None, settings: object = None) -> str:
    """An event time (UTC, ISO 8601) on the room's clock (the ``timezone`` setting, Asia/Shanghai
    by default: kiosk.store.localtime), to the minute; never the server's own zone."""
    try:
        return localtime.local_text(iso, settings, seconds=False)
    except ValueError:
        return iso or ""


def width(part: object, whole: object = 1) -> str:
    """CSS width in percent of ``part`` / ``whole``, kept within 0..100."""
    try:
        value = Decimal(str(part)) / Decimal(str(whole)) * 100 if Decimal(str(whole)) else Decimal(0)
    except InvalidOperation:
        value = Decimal(0)
    return f"{min(max(value, Decimal(0)), Decimal(100)):.2f}"


def board_rules(poll: dict, expected: int, rules: Rules, lang: str) -> dict:
    """The numbers of the rules the pages draw for this poll, as plain JSON."""
    kind = poll["kind"]
    out: dict = {"family": FAMILY[kind], "kind": kind}
    line = tk.line_share(kind, rules)
    if line is not None:
        out["line"] = float(line * 100)
        out["line_label"] = share_text(line)
        out["line_fraction"] = [line.numerator, line.denominator]
    if kind == "standing_committee":
        out["needed"] = committee_votes_needed(expected, rules)
    if kind == "character":
        out["min"] = rules.character_min_raters
        out["max"] = points_text(rules.points.character)
        out["items"] = [item.zh if lang == "zh_CN" else item.en for item in rules.character_items]
    if kind == "survey":
        out["min"] = rules.survey_min_respondents
    if kind == "leaders":
        out["max"] = points_text(rules.leaders_unit_points + rules.leaders_city_points)
        out["unit_max"] = points_text(rules.leaders_unit_points)
        out["city_max"] = points_text(rules.leaders_city_points)
    quorum = tk.quorum_share(kind, rules)
    if quorum is not None:
        out["quorum"] = [quorum.numerator, quorum.denominator]
        out["quorum_label"] = share_text(quorum)
        out["quorum_needed"] = needed_for(quorum, expected)
    out["places"] = {c["id"]: c["places"] for c in poll["contests"]}
    return out


def outcome_word(kind: str, mark: str, line: str = "") -> str:
    """A mark tally decided (passes, fails, chosen, runoff, veto …) in the kind's one set of
    outcome words (tally.outcome_words: 达到 30% / 未达 30%, 当选 / 落选, 通过 / 未通过)."""
    return _(WORDS[word_for(kind, mark)], line=line)


def labels(kind: str = "", line: str = "", quorum_met: bool = True) -> dict[str, str]:
    """Every sentence the live script may need, translated now, placeholders kept; the marks in
    the outcome words of ``kind`` (``line``: the bar's label, e.g. 30%). Without the quorum a
    candidate fails whatever the votes: the mark says so, as the result sheet does."""
    void = {} if quorum_met or kind == "interview_recommendation" else {"fails": _("Void (no quorum)")}
    return {
        "votes": _("%(votes)s of %(cast)s · %(percent)s"),
        "agree": _("agree"),
        "disagree": _("disagree"),
        "abstain": _("abstain"),
        **{mark: outcome_word(kind, mark, line) for mark in ("chosen", "runoff", "passes", "fails", "veto", "not_chosen")},
        "incomplete": _("Incomplete"),
        "cut": _("Cut: %(places)s places"),
        "needed": _("%(needed)s needed"),
        "raters": _("%(raters)s / %(min)s raters"),
        "respondents": _("%(respondents)s / %(min)s respondents"),
        "score": _("Score %(score)s / %(max)s"),
        "survey_counts": _("%(satisfied)s satisfied · %(basically_satisfied)s basically satisfied · %(dissatisfied)s dissatisfied"),
        "item_value": _("%(frequent)s frequent · %(percent)s"),
        "unit": _("Unit leaders %(points)s / %(max)s (%(count)s graded)"),
        "city": _("City leaders %(points)s / %(max)s (%(count)s graded)"),
        "missing": _("No grades yet from: %(groups)s"),
        "unit_group": _("unit leaders"),
        "city_group": _("city leaders"),
        "rule_democratic_recommendation": _("The line is %(line)s of ballots cast: below it a candidate is not recommended."),
        "rule_interview_recommendation": _("The line is %(line)s of those interviewed: below it a candidate is not recommended."),
        "rule_plenary_recommendation": _("The %(places)s most-voted are chosen; a tie across the cut goes to a runoff."),
        "rule_standing_committee": _("A candidate passes only with more than half of the %(expected)s members expected agreeing: at least %(needed)s votes. The %(places)s best passing are chosen."),
        "rule_character": _("The line is %(line)s: more “frequent” answers than that on any item is a veto. Fewer than %(min)s raters: incomplete."),
        "rule_survey": _("The line is %(line)s satisfaction: below it the candidate fails. Fewer than %(min)s respondents: incomplete."),
        "rule_leaders": _("Score out of %(max)s: unit leaders %(unit_max)s, city leaders %(city_max)s."),
        "tally_of": _("The tally counts %(counted)s of %(cast)s ballots cast."),
        "page_of": _("Page %(page)s of %(pages)s"),
        "quorum_met": _("Quorum met: %(present)s present of %(expected)s expected (%(needed)s needed)."),
        "quorum_not_met": _("Quorum not met: %(present)s present of %(expected)s expected (%(needed)s needed). Nothing passes and nobody is chosen."),
        "quorum_unrecorded": _("Attendance is not recorded: the ballots cast stand for those present."),
        "live": _("Live"),
        "reconnecting": _("Reconnecting…"),
        "unauthorized": _("Live updates are not available: log in again."),
        "confirm_close": _("Close the poll now? Unused slips become void and the result is fixed. This cannot be undone."),
        **void,
    }


def fmt(template: str, **params: object) -> str:
    """Fill a label's placeholders, as dashboard.js does."""
    return template % params


def outcome_sentence(doc: dict, contest: dict, line: str = "") -> str:
    """One contest's outcome as a sentence of the reader's language, its punctuation included
    ("正科级——通过：孙建国。", "副科级——无人通过。"; "Level 1: passing: A, B."): the result summary
    under the chair's results and on the projector. Only draws what tally decided (``chosen``,
    ``runoff``, ``veto``, ``passes``)."""
    def names(ids: object = None, flag: str = "") -> str:
        chosen = [c["name"] for c in contest["candidates"] if (c["id"] in ids if ids is not None else c.get(flag))]
        return _(", ").join(chosen)

    if "chosen" in contest:
        chosen = names(contest["chosen"])
        outcome = _("chosen: %(names)s", names=chosen) if chosen else _("nobody is chosen")
        runoff = names(contest.get("runoff") or [])
        if runoff:
            outcome += _("; ") + _("a runoff is needed among: %(names)s", names=runoff)
    elif doc["kind"] == "character":
        vetoed = names(flag="veto")
        outcome = _("veto: %(names)s", names=vetoed) if vetoed else _("no veto")
    elif doc["kind"] in AGAINST_A_BAR and doc.get("quorum_met", True):  # the glossary's 达到 / 未达 a bar
        passing = names(flag="passes")
        outcome = (_("%(reached)s: %(names)s", reached=outcome_word(doc["kind"], "passes", line), names=passing)
                   if passing else _("nobody reaches %(line)s", line=line))
    elif doc["kind"] != "leaders":
        passing = names(flag="passes")
        outcome = _("passing: %(names)s", names=passing) if passing else _("nobody passes")
    else:
        outcome = names(flag="name")
    return _("%(contest)s: %(outcome)s.", contest=contest["title"], outcome=outcome)
