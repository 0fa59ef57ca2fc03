"""schemathesis over every operation of the served /api/v1/openapi.json, on a seeded room.

The room holds real objects for the fuzz to reach: a meeting with attendance, one with a sign-in
roster (members in, gone and absent), one with neither, a draft poll of each
kind, an open poll with slips, a closed poll, and rounds at several stages (not started, the
recommendation under way with its plenary poll drafted, the inspection under way, the deliberation
under way). Each operation is fuzzed with generated values (positive: they fit the document;
negative: they do not) and with the seeded ids in its path, and every answer is checked:

- never a 5xx;
- its status is one the document lists for the operation, its content type and body fit the
  document's response schema;
- a body that does not fit the document is refused (negative data rejection).

A stateful run then follows the document's links from 201 answers to the next calls.

``BALLOTROOM_FUZZ_EXAMPLES`` sets the examples per operation and mode (default 12); ``make fuzz``
runs a longer pass.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
from conftest import contest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_stages_api import (
    IDS,
    LEVELS,
    NOMINATIONS,
    Run,
    inspection_record,
    interview_poll,
    recommended,
)

from kiosk.web.api.openapi import document

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("BALLOTROOM_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
# Answers that do not show the operation's own code at work: the key, the id or the body's framing.
GATE_STATUSES = {401, 403, 404, 405, 413, 415}
KINDS = ["democratic_recommendation", "plenary_recommendation", "interview_recommendation",
         "standing_committee", "character", "survey", "leaders"]


def seed(api, database) -> dict[str, list[str]]:
    """Real objects, by the path parameter that names them."""
    meeting = api.meeting(60, present=55)
    polls = {kind: api.poll(meeting, kind, [contest(max_choices=1)], title=f"草稿 {kind}") for kind in KINDS}
    open_poll = api.poll(meeting, "democratic_recommendation", [contest()], title="进行中")
    batch = api.post(f"/polls/{open_poll}/tokens", {"count": 5}, 201).get_json()["batch"]
    api.open(open_poll)
    closed = api.poll(meeting, "survey", [contest()], title="已结束")
    token = api.tokens(closed, 2)[0]
    api.open(closed)
    assert api.vote(token, {"k1": "satisfied", "k2": "satisfied", "k3": "dissatisfied"}).status_code == 201
    api.close(closed)
    # Paper ballots: an open poll with paper handed out and a first entry waiting (number 1), and a
    # closed one whose paper box was closed before it.
    paper = api.poll(meeting, "democratic_recommendation", [contest(max_choices=2)], title="纸质票")
    api.tokens(paper, 3)
    api.post(f"/polls/{paper}/paper/handed-out", {"count": 3}, 200)
    api.open(paper)
    api.post(f"/polls/{paper}/paper/entries", {"choices": {"c1": ["k1"]}}, 201)
    paper_closed = api.poll(meeting, "plenary_recommendation", [contest(max_choices=1)], title="纸质票已结束")
    api.post(f"/polls/{paper_closed}/paper/handed-out", {"count": 1}, 200)
    api.open(paper_closed)
    api.post(f"/polls/{paper_closed}/paper/close", None, 200)
    api.close(paper_closed)
    # A meeting with a sign-in roster: some members in, one gone, the rest absent.
    with_roster = api.meeting(5)
    members = api.client.put(f"/api/v1/meetings/{with_roster}/roster", headers=api.headers, json={"members": [
        {"name": "张伟", "unit": "城关镇", "post": "党委书记"}, {"name": "王芳", "unit": "县财政局"},
        {"name": "李娜"}]}).get_json()["members"]
    member_ids = [m["id"] for m in members]
    api.post(f"/meetings/{with_roster}/roster/{member_ids[0]}/sign-in", None, 200)
    api.post(f"/meetings/{with_roster}/roster/{member_ids[1]}/sign-in", None, 200)
    api.post(f"/meetings/{with_roster}/roster/{member_ids[1]}/leave", None, 200)

    fresh = Run(api)
    recommending = Run(api)
    interview_poll(recommending, api.meeting(10, present=10))
    recommending.start("recommendation")
    nominations = recommending.post("/recommendation/nominations", {"nominations": NOMINATIONS}, 201)
    nomination_ids = [n["id"] for n in nominations.get_json()["nominations"]]
    recommending.post("/recommendation/plenary", {"meeting": {"title": "全会", "expected": 10, "present": 10}}, 201)
    inspecting = recommended(api, database)
    inspecting.start("inspection")
    deliberating = recommended(api, database)
    deliberating.start("inspection")
    chosen = deliberating.get("/recommendation")["inspection_candidates"]
    for level in LEVELS:
        for cid in chosen[level]:
            deliberating.put(f"/inspection/{cid}", inspection_record(cid, 12), 200)
    deliberating.complete("inspection")
    deliberating.start("deliberation")
    return {
        "meeting_id": [meeting, with_roster, api.meeting(8)],
        "member_id": member_ids,
        "poll_id": [*polls.values(), open_poll, closed, paper, paper_closed],
        "number": [1],
        "batch_id": [batch],
        "round_id": [fresh.rid, recommending.rid, inspecting.rid, deliberating.rid],
        "candidate_id": [IDS["section_chief"][0], IDS["deputy_section_chief"][3], IDS["general_cadre"][1]],
        "nomination_id": nomination_ids[:2],
    }


def _with_ids(operation, mode, ids: dict[str, list[str]]):
    """Cases for ``operation`` whose path names seeded objects (and, now and then, generated ones)."""
    names = [p.name for p in operation.path_parameters]
    seeded = [n for n in names if n in ids]
    if not seeded:
        return operation.as_strategy(mode)
    choice = st.fixed_dictionaries({n: st.sampled_from(ids[n]) for n in seeded})
    return st.one_of(
        choice.flatmap(lambda chosen: operation.as_strategy(mode, path_parameters=chosen)),
        operation.as_strategy(mode),
    )


def _schema(app):
    def from_the_room(environ, start_response):
        # schemathesis' WSGI client sends no REMOTE_ADDR; the room's guard needs one.
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return app(environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", from_the_room)


def test_every_operation_is_fuzzed_on_real_objects_without_a_fault(app, admin_key, api, database):
    ids = seed(api, database)
    schema = _schema(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {f"{m.upper()} {p}" for p, item in document()["paths"].items() for m in item}
    # schemathesis leaves out the document's own address; it is read above, by loading the schema.
    documented.discard("GET /api/v1/openapi.json")
    assert {op.label for op in operations} == documented

    failures: list[tuple] = []
    statuses: dict[str, set[int]] = defaultdict(set)
    headers = {"Authorization": f"Bearer {admin_key}"}
    def fuzz(operation, mode):
        @given(case=_with_ids(operation, mode, ids))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            statuses[case.operation.label].add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as failure:  # every check failure is collected, then reported
                failures.append((case.operation.label, mode.value, response.status_code,
                                 str(failure)[:400], case.body if case.body is not None else None))

        run()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode)
    assert not failures, failures[:8]
    # Every operation was reached past the key, the id and the body's framing: its own code answered.
    unreached = sorted(label for label in documented if not statuses[label] - GATE_STATUSES)
    assert not unreached, {label: sorted(statuses[label]) for label in unreached}
    accepted = {label for label, seen in statuses.items() if any(200 <= s < 300 for s in seen)}
    # Every read succeeded on a seeded object (writes may need a body the fuzz is unlikely to guess).
    reads = {label for label in documented if label.startswith("GET ")}
    assert reads <= accepted, sorted(reads - accepted)


def test_links_from_created_objects_are_followed_without_a_fault(app, admin_key):
    schema = _schema(app)
    machine = schema.as_state_machine()
    headers = {"Authorization": f"Bearer {admin_key}"}

    class Room(machine):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                     response_schema_conformance], headers=headers)

    Room.run(settings=settings(max_examples=max(4, EXAMPLES // 2), stateful_step_count=8, deadline=None,
                               database=None, derandomize=True, suppress_health_check=list(HealthCheck)))
