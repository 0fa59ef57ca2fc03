"""Faults in a large hall (deploy/large-hall.md): Redis stopped while voting goes on, one server
process killed with SIGKILL under load, the whole server killed under load.

The same real hall as tests/test_hall.py (redis-server, nginx serving the shipped site over TLS,
`ballotroom serve --workers 2`), a hall of its own since these tests break it on purpose. What
must hold: with Redis stopped every dashboard, on either process, is told that the live view is
paused (a dashboard that reconnects meanwhile too), ballots are still acknowledged and stored,
and when Redis returns the dashboards are told so and get the tallies of what was cast; a
process killed under load loses no acknowledged ballot while the other keeps acknowledging
ballots; the whole server killed under load loses none either. Nothing is timed: the bounds
only keep a broken hall from hanging the suite (bench/bench_kill.py runs the kills many times).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from browser_helpers import launch, login, need_browser, shot
from hall_helpers import Load, _answers
from test_hall import LIVENESS, Dashboard, _open_poll, _until, running_hall

from kiosk.store.db import Database

pytestmark = pytest.mark.hall
ANSWERS = {"c1": ["k1"]}  # the contest of _open_poll
CYCLES = 3  # kills of one process here; bench/bench_kill.py runs many more (BENCHMARKS.md)


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    with running_hall(tmp_path_factory.mktemp("hall-faults")) as running:
        yield running


def _said_paused(board: Dashboard) -> bool | None:
    """What the server last told this dashboard: a `paused` event or an answer to `watch`."""
    said = [d["paused"] if n == "paused" else d.get("paused", False) for n, d in board.events if n in ("paused", "watch")]
    return said[-1] if said else None


def _saw_turnout(board: Dashboard, cast: int, after: int = 0) -> bool:
    return any(n == "turnout" and d.get("cast") == cast for n, d in board.events[after:])


def _saw_tally(board: Dashboard, at_least: int, after: int = 0) -> bool:
    return any(n == "tally" and d.get("cast", 0) >= at_least for n, d in board.events[after:])


def test_with_redis_stopped_every_dashboard_says_the_live_view_is_paused_and_catches_up_when_it_returns(hall):
    poll, tokens = _open_poll(hall, 100)

    async def scenario():
        # nginx's ip_hash keys on the first three parts of an address: these land on both processes.
        boards = [Dashboard(hall, f"127.0.{i}.1", "websocket") for i in range(1, 9)]
        for board in boards:
            assert await board.open(poll) == {"ok": True}  # not paused: no flag
        where = {board.address: hall.pid_counting(board.key) for board in boards}
        assert set(where.values()) == set(hall.workers.pids()), f"all on one process: {where}"
        assert await asyncio.to_thread(hall.cast_all, tokens[:10]) == [201] * 10
        await _until(lambda: all(_saw_turnout(b, 10) for b in boards), "every dashboard saw 10 ballots")
        assert all(_said_paused(b) is None for b in boards)

        hall.redis.stop()
        try:
            await _until(lambda: all(_said_paused(b) is True for b in boards),
                         "every dashboard, on either process, was told the live view is paused")
            assert await asyncio.to_thread(hall.cast_all, tokens[10:30]) == [201] * 20
            assert hall.stored(poll) == 30
            # A dashboard that connects meanwhile is told at once, with the turnout as it is.
            late = Dashboard(hall, boards[0].address, "polling", reconnect=True)
            assert await late.open(poll) == {"ok": True, "paused": True}
            await _until(lambda: _saw_turnout(late, 30), "the late dashboard got the turnout of 30")
            # Its process dies: it reconnects by itself (to the other process, or this one started
            # again), watches again and is told again, with the turnout.
            seen = len(late.events)
            os.kill(where[late.address], signal.SIGKILL)
            await _until(lambda: len(late.answers) >= 2 and late.client.connected, "the late dashboard reconnected")
            await _until(lambda: _said_paused(late) is True and _saw_turnout(late, 30, seen),
                         "the reconnected dashboard was told again, with the turnout")
        finally:
            hall.redis.start()  # the same port: the processes find it again by themselves

        alive = [b for b in boards if b.client.connected] + [late]
        assert len(alive) > 1, "every dashboard was on the killed process"
        marks = {id(b): len(b.events) for b in alive}
        await _until(lambda: all(_said_paused(b) is False for b in alive), "every dashboard was told it resumed")
        await _until(lambda: all(_saw_turnout(b, 30, marks[id(b)]) and _saw_tally(b, 25, marks[id(b)]) for b in alive),
                     "every dashboard caught up: the turnout of 30 ballots and a tally of at least 25")
        assert await asyncio.to_thread(hall.cast_all, tokens[30:40]) == [201] * 10
        await _until(lambda: all(_saw_turnout(b, 40) for b in alive), "live updates run again")
        assert all(_said_paused(b) is False for b in alive)
        await asyncio.gather(*(b.close() for b in boards + [late]))

    asyncio.run(scenario())
    assert hall.stored(poll) == 40


@pytest.mark.browser
def test_in_chromium_the_dashboard_and_the_projector_show_the_pause_and_lose_it_when_redis_returns(hall):
    need_browser()
    from playwright.sync_api import sync_playwright  # installed: need_browser() checked

    poll, tokens = _open_poll(hall, 60)
    assert hall.cast_all(tokens[:10]) == [201] * 10
    visible = "el => !el.hidden && el.getBoundingClientRect().height > 0"
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            context = chromium.new_context(ignore_https_errors=True, viewport={"width": 1366, "height": 768})
            projector = context.new_page()
            login(projector, hall.nginx.url, "admin", "hall password")
            projector.goto(f"{hall.nginx.url}/chair/polls/{poll}/projector?lang=en")
            dashboard = context.new_page()  # the room's language: Chinese
            dashboard.goto(f"{hall.nginx.url}/chair/polls/{poll}?lang=zh_CN")
            dashboard.wait_for_selector("#conn.live", timeout=LIVENESS * 1000)
            for page in (dashboard, projector):
                assert page.locator("#live-paused").is_hidden()

            hall.redis.stop()
            try:
                for page in (dashboard, projector):
                    page.wait_for_function(f"({visible})(document.getElementById('live-paused'))",
                                           timeout=LIVENESS * 1000)
                assert hall.cast_all(tokens[10:20]) == [201] * 10
                banner = dashboard.locator("#live-paused").inner_text()
                assert "实时画面已暂停" in banner and "投票照常进行，选票均已保存" in banner, banner
                assert "Redis" in banner  # the chair's dashboard says what to do
                assert dashboard.locator("#conn").inner_text() == "实时画面已暂停"
                english = projector.locator("#live-paused").inner_text()
                assert "Live view paused" in english and "every ballot is stored" in english, english
                assert "Redis" not in english  # the room sees no technicalities
                shot(dashboard, "hall-dashboard-live-paused-1366", full_page=False)
                shot(projector, "hall-projector-live-paused-1366", full_page=False)
            finally:
                hall.redis.start()
            for page in (dashboard, projector):
                page.wait_for_selector("#live-paused", state="hidden", timeout=LIVENESS * 1000)
            # The figures caught up with the ballots cast during the pause.
            dashboard.wait_for_function("document.querySelector('[data-count=returned]').textContent.trim() === '20'",
                                        timeout=LIVENESS * 1000)
            dashboard.wait_for_selector("#conn.live", timeout=LIVENESS * 1000)
            shot(dashboard, "hall-dashboard-live-resumed-1366", full_page=False)
        finally:
            chromium.close()


def _stored_codes(hall, poll_id: str) -> set[str]:
    database = Database(hall.instance / "ballotroom.db")
    try:
        return {row["code"] for row in database.query("SELECT code FROM receipts WHERE poll_id = ?", (poll_id,))}
    finally:
        database.close()


def _recovered(url: str) -> float:
    """When the process at ``url`` answers again (its port queues requests while it restarts)."""
    deadline = time.monotonic() + LIVENESS
    while not _answers(url + "/login"):
        assert time.monotonic() < deadline, f"{url} did not come back"
    return time.monotonic()


def test_a_process_killed_under_load_loses_no_acknowledged_ballot_and_the_other_keeps_serving(hall):
    poll, tokens = _open_poll(hall, 4000)
    load = Load(hall.nginx, tokens, ANSWERS).start()
    try:
        for cycle in range(CYCLES):
            load.until_acknowledged(30)
            port = hall.workers.ports[cycle % 2]
            other = hall.workers.ports[1 - cycle % 2]
            victim = hall.workers.worker_on(port)
            killed = time.monotonic()
            os.kill(victim, signal.SIGKILL)  # gunicorn's master starts another worker on the port
            back = _recovered(f"http://127.0.0.1:{port}")
            assert hall.workers.worker_on(port) != victim
            # While the killed process was away, the other one acknowledged ballots.
            during = [c for c in load.acknowledged() if c.started >= killed and c.ended <= back]
            assert during and {c.port for c in during} == {other}, (cycle, len(during))
            # nginx sends ballots to the new one again once the failure it saw has lapsed
            # (fail_timeout in the site): only then is the next process killed, or none would serve.
            load.until_served_again(port, back)
    finally:
        load.stop()
    acknowledged = load.acknowledged()
    stored = _stored_codes(hall, poll)
    assert {c.code for c in acknowledged} <= stored, "an acknowledged ballot is missing"
    # Every answer was an acknowledgement, or the gateway's for a request the killed process held.
    assert {c.status for c in load.casts} <= {201, 502, None}, {c.status for c in load.casts}


def test_the_whole_server_killed_under_load_loses_no_acknowledged_ballot(hall):
    poll, tokens = _open_poll(hall, 4000)
    load = Load(hall.nginx, tokens, ANSWERS).start()
    try:
        load.until_acknowledged(60)
        hall.workers.kill()  # every process of the server at once
        hall.workers.start()  # the same instance, the same ports, nginx untouched
        load.until_acknowledged(60)
    finally:
        load.stop()
    acknowledged = load.acknowledged()
    assert {c.code for c in acknowledged} <= _stored_codes(hall, poll), "an acknowledged ballot is missing"
    assert {c.status for c in load.casts} <= {201, 502, None}, {c.status for c in load.casts}
