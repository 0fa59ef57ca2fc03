"""A round file's ballot parts from the results document of the closed poll that feeds them.

Pure: a results document's row in, the round file's part out, as ``tally.roundfile`` reads it.
The server's round document (kiosk/domain/round_doc.py) and the evidence check of an exported bundle
(kiosk/domain/evidence.py) both call this, so a part is read from a result in one way.
"""

from __future__ import annotations

from tally.kind_leaders import ANSWERS as LEADER_GRADES


def ballots_cast(result: dict) -> int:
    """The ballots a rate is measured against: every ballot cast, blank ones included (docs/rules.md:
    blank ballots count as cast), so the poll's ``cast``, not the number of those who chose
    someone in the contest."""
    return result["cast"]


def expand_grades(counts: dict[str, int]) -> list[str]:
    """{"good": 2, "poor": 1} -> ["good", "good", "poor"]: the round file lists every grade."""
    return [grade for grade in LEADER_GRADES for _ in range(counts.get(grade, 0))]


def part_from_result(part: str, row: dict, result: dict) -> dict:
    """One candidate's part of the round file from its row in a closed poll's results."""
    if part == "character":
        return {"raters": row["raters"], "occasional": list(row["occasional"]),
                "frequent": list(row["frequent"])}
    if part == "democratic":
        return {"votes": row["votes"], "cast": ballots_cast(result)}
    if part == "interview":
        return {"named": row["votes"], "interviewed": ballots_cast(result)}
    if part == "survey":
        return {key: row[key] for key in ("respondents", "satisfied", "basically_satisfied", "dissatisfied")}
    if part == "leaders":
        return {"unit": expand_grades(row["unit_grades"]), "city": expand_grades(row["city_grades"])}
    raise ValueError(f"no poll gives the part {part!r}")
