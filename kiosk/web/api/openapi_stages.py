"""OpenAPI entries of the four competitive stages (/api/v1/rounds/{round_id}/...), merged into the
document served at /api/v1/openapi.json by ``kiosk.web.api.openapi``."""

from __future__ import annotations

from kiosk.stages.core import MAX_TEXT
from kiosk.stages.deliberation import MAX_ITEMS
from kiosk.stages.inspection import TEXT_LIMITS
from kiosk.stages.recommendation import MAX_NOMINATIONS
from kiosk.web.api.openapi_parts import BEARER, MEMBERS, TITLE, errors, json_body, ok, path_id

STAGES = ["recommendation", "inspection", "deliberation", "vote"]
LOOKS = ["test_results", "personality", "ability", "work_results", "public_standing"]
ROLES = ["mayor", "deputy_secretary", "discipline_secretary", "organisation_head", "leader_in_charge",
         "department_head", "other"]
SHORT = {"type": ["string", "null"], "maxLength": 200}
NOTES = {"type": ["string", "null"], "maxLength": 4000}
DATE = {"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD"}
ERRORS = ("Errors are JSON {error, message, detail}: 400 `invalid` names the field in `detail.field` "
          "(e.g. `nominations[0].participants`, `final_slate.section_chief`, `looks.ability.grade`); 404 an "
          "unknown round, stage or candidate; 409 `state` when the act does not fit the stage's state (not "
          "started, already complete, a poll still open, a runoff pending...), with what to do in `message`.")
MEETING = {
    "description": "the meeting the poll is held at: its id, or a new meeting {title, expected (应到), present? (实到)}",
    "oneOf": [{"type": "string", "minLength": 1}, {
        "type": "object", "required": ["title", "expected"], "additionalProperties": False, "properties": {
            "title": TITLE, "expected": {**MEMBERS, "minimum": 1},
            "present": {**MEMBERS, "minimum": 0, "description": "at most `expected`"}}}]}
RECORD = {"type": ["object", "null"], "description": "a stage record", "properties": {
    "id": {"type": "string"}, "stage": {"type": "string", "enum": STAGES}, "attempt": {"type": "integer"},
    "state": {"type": "string", "enum": ["in_progress", "complete", "superseded"]},
    "started_by": {"type": "string"}, "started_at": {"type": "string"},
    "completed_by": {"type": ["string", "null"]}, "completed_at": {"type": ["string", "null"]},
    "completion_note": {"type": ["string", "null"]}, "superseded_by": {"type": ["string", "null"]},
    "superseded_at": {"type": ["string", "null"]}, "superseded_reason": {"type": ["string", "null"]},
    "superseded_with": {"type": ["string", "null"], "description": "the earlier stage superseded with it"}}}
TIMELINE = {"type": "object", "required": ["round", "stages"], "properties": {
    "round": {"type": "string"}, "title": {"type": "string"},
    "stages": {"type": "array", "items": {"type": "object", "properties": {
        "stage": {"type": "string", "enum": STAGES},
        "state": {"type": "string", "enum": ["not_started", "in_progress", "complete"]},
        "can_start": {"type": "boolean"}, "current": RECORD,
        "superseded": {"type": "array", "items": RECORD}}}}}}
PROGRESS = {"type": "object", "description": (
    "a level's vote after its polls: `status` needs_vote | waiting (a poll not closed) | runoff | settled; "
    "`chosen` so far across the vote and its runoffs; `runoff` the ids to vote on again; `remaining` places"),
    "properties": {"target": {"type": "integer"}, "status": {"type": "string"},
                   "chosen": {"type": "array", "items": {"type": "string"}},
                   "runoff": {"type": "array", "items": {"type": "string"}},
                   "remaining": {"type": "integer"}, "unfilled": {"type": "integer"}}}
POLL_SUMMARY = {"type": "object", "description": (
    "a poll the stage generated, with its meeting and results (`contests` as in GET /polls/{id}/results); "
    "`role` plenary | plenary_runoff | assessment | committee | committee_runoff; `certified` once closed and "
    "signed"), "properties": {"poll": {"type": "string"}, "role": {"type": "string"},
                               "title": {"type": "string"}, "state": {"type": "string"},
                               "cast": {"type": "integer"}, "quorum_met": {"type": "boolean"},
                               "certified": {"type": "boolean"}, "basis": {"type": "object"}}}
GENERATED = {"type": "object", "required": ["poll"], "properties": {
    "poll": {"$ref": "#/components/schemas/Poll",
             "description": "the poll created (a draft: issue its tokens, open it, vote, close it)"}}}
STAGE_VIEW = {"round": {"type": "string"}, "stage": {"type": "string", "enum": STAGES}, "state": {"type": "string"},
              "record": RECORD, "outcome": {"type": ["object", "null"]}}
RECOMMENDATION = {"type": "object", "required": ["round", "stage", "state", "levels"], "properties": {
    **STAGE_VIEW, "participants": {"type": ["integer", "null"]},
    "nominations": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "unit": {"type": "string"}, "level": {"type": "string"},
        "participants": {"type": "integer"}, "candidates": {"type": "array", "items": {"type": "string"}}}}},
    "levels": {"type": "array", "items": {"type": "object", "properties": {"progress": PROGRESS}}},
    "polls": {"type": "array", "items": POLL_SUMMARY}, "next": {"type": "string"},
    "inspection_candidates": {"type": ["object", "null"]}}}
INSPECTION_CANDIDATE = {"type": "object", "required": ["id", "name", "record", "missing"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": ["string", "null"]},
    "level": {"type": "string"}, "level_name": {"type": ["string", "null"]}, "state": {"type": "string"},
    "record": {"type": ["object", "null"]}, "assessment_polls": {"type": "array", "items": POLL_SUMMARY},
    "missing": {"type": "array", "items": {"type": "string"}, "description": "what the record still lacks"}}}
INSPECTION = {"type": "object", "required": ["round", "stage", "state", "levels"], "properties": {
    **STAGE_VIEW, "talks": {"type": ["integer", "null"]},
    "levels": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "posts": {"type": "integer"},
        "candidates": {"type": "array", "items": {"type": "object"}}}}}}}
DELIBERATION = {"type": "object", "required": ["round", "stage", "state", "levels"], "properties": {
    **STAGE_VIEW, "department_meeting": {"type": ["object", "null"]},
    "secretaries_meeting": {"type": ["object", "null"]},
    "important_levels": {"type": "array", "items": {"type": "string"}},
    "levels": {"type": "array", "items": {"type": "object"}},
    "consultations": {"type": "array", "items": {"type": "object"}},
    "written_opinions": {"type": "array", "items": {"type": "object"}},
    "written_people": {"type": ["integer", "null"]}, "inspection_talks": {"type": ["integer", "null"]},
    "entered_by": {"type": ["string", "null"]}, "entered_at": {"type": ["string", "null"]}}}


def stage_paths() -> dict:
    rid = [path_id("round_id")]
    stage = {"name": "stage", "in": "path", "required": True, "schema": {"type": "string", "enum": STAGES}}
    cid = path_id("candidate_id")

    def read(summary: str, description: str, schema: dict, *extra) -> dict:
        return {"get": {"summary": summary, "description": description + " Admin or chair key.",
                        "security": BEARER, "parameters": [*rid, *extra],
                        "responses": {**ok(summary, schema), **errors(401, 403, 404, 409)}}}

    def write(method: str, summary: str, description: str, body: dict | None, answer: dict, status: int = 200,
              params: list | None = None) -> dict:
        op = {"summary": summary, "description": description + " Admin key. " + ERRORS, "security": BEARER,
              "parameters": params if params is not None else rid,
              "responses": {**ok(summary, answer, status), **errors(400, 401, 403, 404, 409)}}
        if body is not None:  # the stage modules refuse a key they do not know (stages.body_keys)
            op["requestBody"] = json_body({**body, "additionalProperties": False})
        return {method: op}

    return {
        "/api/v1/rounds/{round_id}/stages": read(
            "The round as a timeline of the four stages",
            "Each stage's state (not_started, in_progress, complete), who completed it and when, whether it may "
            "start now, and every superseded record with its reason.", TIMELINE),
        "/api/v1/rounds/{round_id}/stages/{stage}/start": write(
            "post", "Start a stage",
            "A stage starts only when the one before it is complete (409 otherwise). A stage superseded together "
            "with an earlier one starts with a copy of what its last attempt held (entries and inspection "
            "assessments; not the plenary or committee polls, which are generated again).",
            None, TIMELINE, 201, [*rid, stage]),
        "/api/v1/rounds/{round_id}/stages/{stage}/complete": write(
            "post", "Complete a stage: its outcome is fixed",
            "409 says what is missing: recommendation: nominations for every level, the plenary vote held "
            "validly, no runoff pending; inspection: every inspection candidate's record complete (notice date, "
            "democratic assessment as notes or a closed assessment poll, talks, verification, overall judgement, "
            "the five looks graded), no assessment poll open; deliberation: the department meeting's notes, both "
            "slates of every level valid, and for important levels the five fixed roles of \"5+X\" consulted; "
            "vote: the committee's vote held validly, no runoff pending. Places left unfilled (nobody else "
            "chosen, or a runoff the meeting will not hold) need `leave_unfilled: true` and a `note`: nobody is "
            "ever picked silently.",
            {"type": "object", "properties": {"note": {"type": "string", "maxLength": 1000},
                                              "leave_unfilled": {"type": "boolean"}},
             # Places left unfilled need a note saying why.
             "if": {"required": ["leave_unfilled"], "properties": {"leave_unfilled": {"const": True}}},
             "then": {"required": ["note"], "properties": {"note": {"minLength": 1, "pattern": "\\S"}}}},
            TIMELINE, 200, [*rid, stage]),
        "/api/v1/rounds/{round_id}/stages/{stage}/supersede": write(
            "post", "Supersede a completed stage, with a reason",
            "A completed stage is never edited. Superseding keeps its record as it was (shown in the timeline "
            "with the reason, and logged) and opens a new attempt carrying a copy of its data and polls. Later "
            "stages that have begun are superseded with it, with the same reason.",
            {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1,
                                                                                  "maxLength": 1000}}},
            TIMELINE, 201, [*rid, stage]),
        "/api/v1/rounds/{round_id}/recommendation": read(
            "Competitive recommendation: nominations, initial list, plenary polls, inspection candidates",
            "`levels[].initial_list`: the score sheet's shortlist at ceil(posts × initial ratio) with `tied` "
            "(ties at the cut, all through and flagged), from the live score sheet until the plenary poll is "
            "generated, then as the poll was made from it. `levels[].progress`: the plenary vote and its runoffs. "
            "`next`: start | nominate | plenary | vote | runoff | complete | done. `inspection_candidates` per "
            "level once complete.", RECOMMENDATION),
        "/api/v1/rounds/{round_id}/recommendation/nominations": write(
            "post", "Record units' nominations",
            "Per level: the nominating unit, how many people took part in its initial nomination (the report "
            "adds them up), and optionally the candidates it nominated (ids of that level).",
            {"type": "object", "required": ["nominations"], "properties": {"nominations": {
                "type": "array", "minItems": 1, "maxItems": MAX_NOMINATIONS, "items": {"type": "object", "required": ["unit", "level",
                                                                                        "participants"],
                                                          "properties": {
                    "unit": {"type": "string", "maxLength": 200}, "level": {"type": "string"},
                    "participants": {**MEMBERS, "minimum": 1},
                    "candidates": {"type": "array", "items": {"type": "string"}},
                    "note": {"type": "string", "maxLength": 1000}}}}}},
            RECOMMENDATION, 201),
        "/api/v1/rounds/{round_id}/recommendation/nominations/{nomination_id}": {
            **write("delete", "Remove a nomination entered by mistake", "Only while the stage is in progress.",
                    None, RECOMMENDATION, 200, [*rid, path_id("nomination_id")])},
        "/api/v1/rounds/{round_id}/recommendation/plenary": write(
            "post", "Generate the plenary session's poll from the initial list",
            "A `plenary_recommendation` poll, one contest per level: the initial list's candidates, "
            "max_choices = places = ceil(posts × plenary ratio) (all of them when the list is shorter). It names "
            "the round and feeds no part. Needs nominations for every level; 409 while a poll of the stage is "
            "not closed. A vote that missed its quorum is held again with this call; a valid vote is held again "
            "whole only with `revote_reason`.",
            {"type": "object", "required": ["meeting"], "properties": {
                "meeting": MEETING, "title": {"type": "string", "maxLength": 200},
                "revote_reason": {"type": "string", "maxLength": 1000}}}, GENERATED, 201),
        "/api/v1/rounds/{round_id}/recommendation/runoff": write(
            "post", "Generate a plenary runoff among the tied",
            "For each level whose cut fell in a tie: a contest among the tied, places = max_choices = the places "
            "left. As many runoffs as it takes, each kept and shown; a runoff that fills fewer places than it had "
            "(too few names chosen) is held again among its candidates not chosen. `meeting` defaults to the last "
            "poll's.",
            {"type": "object", "properties": {"meeting": MEETING, "title": SHORT}}, GENERATED, 201),
        "/api/v1/rounds/{round_id}/inspection": read(
            "Competitive inspection: the inspection candidates and their records",
            "Per level, each inspection candidate with its record, its assessment polls (and their figures) and "
            "`missing`: what the record still lacks before the stage can be completed. `talks`: individual talks "
            "in all.", INSPECTION),
        "/api/v1/rounds/{round_id}/inspection/{candidate_id}": write(
            "put", "Record (replace) an inspection candidate's inspection",
            "The five looks and comparisons (五看五比) are `test_results` (测评结果 ↔ 群众基础), `personality` "
            "(个性特长 ↔ 适岗能力), `ability` (素质能力 ↔ 发展潜力), `work_results` (工作实绩 ↔ 政绩优劣) and "
            "`public_standing` (社会评价 ↔ 品德状况), each graded good | fair | weak with a note. 409 for a "
            "candidate the recommendation did not send to inspection.",
            {"type": "object", "properties": {
                "notice_date": DATE, "assessment": {"type": ["string", "null"], "maxLength": TEXT_LIMITS["assessment"]},
                "talks": {"type": ["integer", "null"], "minimum": 0, "maximum": MEMBERS["maximum"]},
                "verification": {"type": ["string", "null"], "maxLength": TEXT_LIMITS["verification"]},
                "judgement": {"type": ["string", "null"], "maxLength": TEXT_LIMITS["judgement"]},
                "looks": {"type": "object", "propertyNames": {"enum": LOOKS}, "additionalProperties": {
                    "type": "object", "properties": {"grade": {"type": ["string", "null"],
                                                               "enum": ["good", "fair", "weak", None]},
                                                     "note": {"type": ["string", "null"], "maxLength": MAX_TEXT}}}}}},
            INSPECTION_CANDIDATE, 200, [*rid, cid]),
        "/api/v1/rounds/{round_id}/inspection/{candidate_id}/assessment": write(
            "post", "Generate a democratic-assessment poll about one inspection candidate",
            "Kind `survey` or `character`, one candidate. It belongs to the stage and does not name the round, so "
            "it feeds no part of the score sheet; a survey's answers count in the report's satisfaction with "
            "those chosen. One poll of each kind per candidate (409).",
            {"type": "object", "required": ["kind", "meeting"], "properties": {
                "kind": {"type": "string", "enum": ["survey", "character"]}, "meeting": MEETING,
                "title": SHORT}}, GENERATED, 201, [*rid, cid]),
        "/api/v1/rounds/{round_id}/deliberation": {
            **read("Competitive deliberation: meetings, slates, important levels, \"5+X\" consultations",
                   "Per level: the pool (inspection candidates), the secretaries' slate (size ceil(posts × "
                   "deliberation ratio), or the whole pool when smaller), the final slate (posts + "
                   "final_extra_min .. final_extra_max), any problem with either, and for important levels the "
                   "five fixed roles not yet consulted.", DELIBERATION),
            **write("put", "Record the department meeting, the secretaries' meeting, important levels and slates",
                    "Each key given replaces its value; a slate given replaces that level's slate and is checked "
                    "at once against the rules file's ratios (400 naming `secretaries_slate.<level>` or "
                    "`final_slate.<level>`, e.g. too many or too few candidates, or one not in the pool). The "
                    "final slate is chosen from the secretaries' slate.",
                    {"type": "object", "properties": {
                        "department_meeting": {"type": "object", "properties": {"date": DATE, "notes": NOTES}},
                        "secretaries_meeting": {"type": "object", "properties": {"date": DATE, "notes": NOTES}},
                        "important_levels": {"type": "array", "items": {"type": "string"}},
                        "secretaries_slate": {"type": "object", "additionalProperties": {
                            "type": "array", "items": {"type": "string"}}},
                        "final_slate": {"type": "object", "additionalProperties": {
                            "type": "array", "items": {"type": "string"}}}}},
                    DELIBERATION)},
        "/api/v1/rounds/{round_id}/deliberation/consultations": write(
            "put", "Record the \"5+X\" consultations and the opinions asked for in writing",
            "Each list given replaces its own. A consultation: the level whose post it concerns, who (`role` "
            "one of " + ", ".join(ROLES) + "; the first five are required for each important level before the "
            "stage completes), their name, when, and a summary of the opinion. A written opinion: from whom "
            "(`source`), how many people, when, a summary. The report counts both as \"consulted in writing\".",
            {"type": "object", "properties": {
                "consultations": {"type": "array", "maxItems": MAX_ITEMS, "items": {"type": "object", "required": ["level", "role", "date",
                                                                                          "summary"],
                                                             "properties": {
                    "level": {"type": "string"}, "role": {"type": "string", "enum": ROLES},
                    "name": {"type": ["string", "null"], "maxLength": 100}, "date": DATE,
                    "summary": {"type": ["string", "null"], "maxLength": 2000}}}},
                "written_opinions": {"type": "array", "maxItems": MAX_ITEMS, "items": {"type": "object", "required": ["source", "people",
                                                                                             "date"],
                                                                "properties": {
                    "source": {"type": "string", "maxLength": 200}, "people": {**MEMBERS, "minimum": 1},
                    "date": DATE, "summary": {"type": ["string", "null"], "maxLength": 2000}}}}}},
            DELIBERATION),
        "/api/v1/rounds/{round_id}/vote": read(
            "Competitive vote: the final slate, the committee's polls and each level's progress",
            "`next`: start | committee | vote | runoff | complete | done.", {"type": "object", "properties": {
                "levels": {"type": "array", "items": {"type": "object", "properties": {"progress": PROGRESS}}},
                "polls": {"type": "array", "items": POLL_SUMMARY}}}),
        "/api/v1/rounds/{round_id}/vote/committee": write(
            "post", "Generate the standing committee's poll from the final slate",
            "A `standing_committee` poll, one contest per level, places = the level's posts. The quorum is "
            "measured against the meeting's recorded attendance: give `present` (or a new meeting with it), 409 "
            "without. A candidate passes with agreeing votes from more than half of the members expected; the "
            "best passing are chosen. A valid vote is held again whole only with `revote_reason`.",
            {"type": "object", "required": ["meeting"], "properties": {
                "meeting": MEETING, "present": {**MEMBERS, "minimum": 0}, "title": SHORT,
                "revote_reason": {"type": "string", "maxLength": MAX_TEXT}}}, GENERATED, 201),
        "/api/v1/rounds/{round_id}/vote/runoff": write(
            "post", "Generate a committee runoff",
            "For each level with a tie for the last place (among the tied) or too few passing (among those not "
            "passing): a new poll for the places left. `meeting` defaults to the last poll's.",
            {"type": "object", "properties": {"meeting": MEETING, "title": SHORT}}, GENERATED, 201),
        "/api/v1/rounds/{round_id}/decision": read(
            "The round's decision: who is chosen per level",
            "Everyone chosen across the committee's vote and its runoffs; `final` once the vote stage is "
            "complete (provisional before), with the polls and whether their results are certified.",
            {"type": "object", "properties": {"final": {"type": "boolean"}, "levels": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "string"}, "posts": {"type": "integer"},
                                                 "chosen": {"type": "array", "items": {"type": "object"}},
                                                 "unfilled": {"type": "integer"}}}}}}),
        "/api/v1/rounds/{round_id}/report": read(
            "The round report (JSON; the administrator's pages give it as HTML and PDF)",
            "Every stage with its figures and decisions, and `figures`, the closing figures computed from the "
            "data: `nomination_participants` (sum of the nominations' participants), `plenary_voters` (ballots "
            "cast at the last valid plenary vote), `interviewed` (cast of the round's closed interview "
            "recommendation polls), `consulted_in_writing` (\"5+X\" consultations + people who gave written "
            "opinions) and `satisfaction` with those chosen (every survey answer about them, from the round's "
            "survey part and the inspection's survey polls, pooled: (satisfied + w × basically satisfied) / "
            "respondents, w from the rules file).", {"type": "object", "properties": {
                "figures": {"type": "object"}, "timeline": {"type": "array"}, "decision": {"type": "object"}}}),
    }
