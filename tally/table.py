"""The score sheet as a fixed-width table for people (``ballotroom score`` without ``--json``)."""

from __future__ import annotations

import unicodedata
from typing import Any

COLUMNS = (
    ("rank", "Rank", ">"),
    ("id", "ID", "<"),
    ("name", "Name", "<"),
    ("character", "Character", ">"),
    ("public", "Public", ">"),
    ("performance", "Perform.", ">"),
    ("leaders", "Leaders", ">"),
    ("organisation", "Organis.", ">"),
    ("total", "Total", ">"),
    ("status", "Status", "<"),
)


def _width(text: str) -> int:
    # Chinese names take two columns each on a terminal; padding by len() would skew the table.
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * (width - _width(text))
    return gap + text if align == ">" else text + gap


def render_table(score_doc: dict, round_doc: dict) -> str:
    """One block per level, candidates by rank (ineligible last, in input order)."""
    by_id = {c["id"]: c for c in round_doc["candidates"]}
    lines = [str(round_doc.get("title") or "Score sheet"), ""]
    for level in round_doc["levels"]:
        lid = level["id"]
        scores = [s for s in score_doc["candidates"] if by_id[s["id"]]["level"] == lid]
        eligible = sorted((s for s in scores if s["rank"] is not None), key=lambda s: s["rank"])
        ineligible = [s for s in scores if s["rank"] is None]
        shortlist = set(score_doc["shortlist"].get(lid, []))
        ties = set(score_doc["ties_at_cut"].get(lid, []))
        rows = [_row(s, by_id[s["id"]], shortlist, ties) for s in eligible + ineligible]
        widths = {
            key: max([_width(title)] + [_width(r[key]) for r in rows]) for key, title, _ in COLUMNS
        }
        lines.append(
            f"{level.get('name') or lid}: {level['posts']} post(s), shortlist {len(shortlist)}"
        )
        lines.append(
            "  ".join(_pad(title, widths[key], align) for key, title, align in COLUMNS).rstrip()
        )
        lines.append("  ".join("-" * widths[key] for key, _, _ in COLUMNS))
        for row in rows:
            lines.append(
                "  ".join(_pad(row[key], widths[key], align) for key, _, align in COLUMNS).rstrip()
            )
        if not rows:
            lines.append("(no candidates)")
        lines.append("")
    lines.append(
        "Status: * on the shortlist (top ceil(posts × initial ratio) eligible by total); "
        "= tied at the cut line (all tied go through, flagged for decision)"
    )
    return "\n".join(lines) + "\n"


def _row(score: dict, candidate: dict, shortlist: set[str], ties: set[str]) -> dict[str, str]:
    if score["eligible"]:
        status = "* shortlisted" if score["id"] in shortlist else ""
        if score["id"] in ties:
            status = "= tied at cut"
    else:
        status = "not eligible: " + ", ".join(score["reasons"])
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
