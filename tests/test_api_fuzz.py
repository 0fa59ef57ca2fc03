"""schemathesis against /api/v1/openapi.json: whatever it sends, no 5xx."""

from __future__ import annotations

import pytest
from conftest import contest
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")


def test_no_server_errors_whatever_is_sent(app, admin_key, api):
    # Something to find: a meeting with an open poll, so generated ids may hit real rows.
    meeting = api.meeting(10, present=8)
    poll = api.poll(meeting, "democratic_recommendation", [contest()])
    api.tokens(poll, 3)
    api.open(poll)

    def from_the_room(environ, start_response):
        # schemathesis' WSGI client sends no REMOTE_ADDR; the room's guard needs one.
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        return app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", from_the_room)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = []
    seen: set[int] = set()
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case):
            headers = {"Authorization": f"Bearer {admin_key}"}
            response = case.call(headers=headers)
            seen.add(response.status_code)
            if response.status_code >= 500:
                failures.append((case.operation.label, response.status_code, response.text[:200]))
            assert response.status_code < 500

        try:
            run()
        except AssertionError:
            pass
    assert not failures, failures[:5]
    # The fuzzing reached the handlers: both acceptance and refusals were seen.
    assert {200, 201} & seen and {400, 404} <= seen, seen
