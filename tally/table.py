"""The score sheet as a fixed-width table for people (``ballotroom score`` without ``--json``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from tally.messages import N_

COLUMNS = (
    ("rank", N_("Rank"), ">"),
    ("id", N_("ID"), "<"),
    ("name", N_("Name"), "<"),
    ("character", N_("Character"), ">"),
    ("public", N_("Public"), ">"),
    ("performance", N_("Perform."), ">"),
    ("leaders", N_("Leaders"), ">"),
    ("organisation", N_("Organis."), ">"),
    ("total", N_("Total"), ">"),
    ("status", N_("Status"), "<"),
)

# Why a candidate is not eligible, in words (the score document keeps the codes).
REASONS = {
    "character_veto": N_("character veto"),
    "character_incomplete": N_("character assessment incomplete"),
    "democratic_below_bar": N_("democratic recommendation below the bar"),
    "interview_below_bar": N_("interview recommendation below the bar"),
    "survey_below_bar": N_("opinion survey below the bar"),
    "survey_incomplete": N_("opinion survey incomplete"),
    "grades_below_competent": N_("a year-end grade below competent"),
}
PARTS = {
    "character": N_("character assessment"), "public": N_("public appraisal"),
    "democratic": N_("democratic recommendation"), "interview": N_("interview recommendation"),
    "survey": N_("opinion survey"), "performance": N_("performance"), "leaders": N_("leadership evaluation"),
    "organisation": N_("organisational appraisal"),
}

Say = Callable[..., str]


def english(template: str, **params: object) -> str:
    """The table's words as written here; the command line passes one that translates them."""
    return template % params if params else template


def reason_words(code: str, say: Say = english) -> str:
    if code.endswith("_missing"):
        part = code.removesuffix("_missing")
        return say(N_("%(part)s missing"), part=say(PARTS.get(part, part)))
    return say(REASONS[code]) if code in REASONS else code


def _width(text: str) -> int:
    # Chinese names take two columns each on a terminal; padding by len() would skew the table.
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * (width - _width(text))
    return gap + text if align == ">" else text + gap


def render_table(score_doc: dict, round_doc: dict, say: Say = english) -> str:
    """One block per level, candidates by rank (ineligible last, in input order); ``say`` gives
    the words in the reader's language."""
    by_id = {c["id"]: c for c in round_doc["candidates"]}
    columns = [(key, say(title), align) for key, title, align in COLUMNS]
    lines = [str(round_doc.get("title") or say(N_("Score sheet"))), ""]
    for level in round_doc["levels"]:
        lid = level["id"]
        scores = [s for s in score_doc["candidates"] if by_id[s["id"]]["level"] == lid]
        eligible = sorted((s for s in scores if s["rank"] is not None), key=lambda s: s["rank"])
        ineligible = [s for s in scores if s["rank"] is None]
        shortlist = set(score_doc["shortlist"].get(lid, []))
        ties = set(score_doc["ties_at_cut"].get(lid, []))
        rows = [_row(s, by_id[s["id"]], shortlist, ties, say) for s in eligible + ineligible]
        widths = {
            key: max([_width(title)] + [_width(r[key]) for r in rows]) for key, title, _ in columns
        }
        lines.append(say(N_("%(level)s: %(posts)s post(s), shortlist %(shortlist)s"),
                         level=level.get("name") or lid, posts=level["posts"], shortlist=len(shortlist)))
        lines.append(
            "  ".join(_pad(title, widths[key], align) for key, title, align in columns).rstrip()
        )
        lines.append("  ".join("-" * widths[key] for key, _, _ in columns))
        for row in rows:
            lines.append(
                "  ".join(_pad(row[key], widths[key], align) for key, _, align in columns).rstrip()
            )
        if not rows:
            lines.append(say(N_("(no candidates)")))
        lines.append("")
    lines.append(say(N_(
        "Status: * on the shortlist (the top posts × the initial ratio, rounded up, of the eligible "
        "by total); = tied at the cut line (all tied go through, flagged for decision)")))
    return "\n".join(lines) + "\n"


def _row(score: dict, candidate: dict, shortlist: set[str], ties: set[str], say: Say) -> dict[str, str]:
    if score["eligible"]:
        status = say(N_("* shortlisted")) if score["id"] in shortlist else ""
        if score["id"] in ties:
            status = say(N_("= tied at cut"))
    else:
        status = say(N_("not eligible: %(reasons)s"),
                     reasons=say(N_(", ")).join(reason_words(code, say) for code in score["reasons"]))
    row: dict[str, Any] = {
        "rank": str(score["rank"]) if score["rank"] is not None else "-",
        "id": score["id"],
        "name": candidate.get("name", ""),
        "total": score["total"] or "-",
        "status": status,
    }
    for part, value in score["parts"].items():
        row[part] = value or "-"
    return row
