"""A failed login is one line in the server's log, without a traceback, under the production
server's thread pool too (the person is told on the page, tests/test_admin_pages.py)."""

from __future__ import annotations

import logging

import pytest
from conftest import ADMIN_PASSWORD
from gevent import get_hub

from kiosk import blocking
from kiosk.domain import accounts


@pytest.fixture
def gevent_pool():
    """Blocking work in gevent's native threads, as kiosk/cli/server.py sets it up."""
    pool = get_hub().threadpool
    blocking.use(lambda function, *args: pool.apply(function, args))
    yield
    blocking.use(blocking._here)


@pytest.mark.parametrize("name", ["admin", "nobody"])
def test_a_failed_login_logs_one_line_and_no_traceback(app, client, gevent_pool, caplog, capfd, name):
    app.config["WTF_CSRF_ENABLED"] = False
    capfd.readouterr()
    with caplog.at_level(logging.INFO):
        r = client.post("/login", data={"name": name, "password": "wrong password"})
    assert r.status_code == 401
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "VerifyMismatchError" not in out + err, err
    failed = [rec for rec in caplog.records if "login failed" in rec.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is None and name in failed[0].getMessage()
    assert not any(rec.exc_info for rec in caplog.records)


def test_the_right_password_still_logs_in(app, client, gevent_pool):
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"name": "admin", "password": ADMIN_PASSWORD}).status_code == 302


def test_a_damaged_hash_is_a_failed_login_not_a_fault(database, gevent_pool):
    with database.write() as conn:
        conn.execute("UPDATE users SET password_hash = 'not a hash' WHERE name = 'admin'")
    assert accounts.authenticate(database, "admin", ADMIN_PASSWORD) is None
