"""The demo meeting that `make run` serves: fictional people, fresh passwords."""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from kiosk.cli.instances import DEFAULT_PATH, MARKER, UsageError, init_instance
from kiosk.cli.language import say as _
from kiosk.domain import accounts, evidence, intake, issuing, lifecycle, meetings, polls
from kiosk.store.db import Database
from tally.rules import default_rules

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴霞",
         "徐涛", "孙丽", "马超", "朱琳", "胡斌", "郭婷", "何军", "高远"]
LEVELS = [("section_chief", "正科级", 2), ("deputy_section_chief", "副科级", 2), ("general_cadre", "一般干部", 2)]


def prepare(path: Path) -> str:
    if path.exists():
        if not (path / MARKER).exists():
            raise UsageError(_("%(path)s exists and is not a demo instance; choose another --instance",
                               path=path))
        shutil.rmtree(path)
    instance, admin_password = init_instance(str(path), "admin")
    (path / MARKER).write_text("This folder is recreated by `ballotroom demo`.\n", encoding="utf-8")
    db = Database(instance.db_path)
    chair_password = accounts.generate_password()
    accounts.add_user(db, "chair", "chair", chair_password, actor="cli:demo")
    rules = default_rules()

    plenary = meetings.create(db, "cli:demo", "县委全会（扩大会）差额推荐", 60)
    names = iter(NAMES)
    contests = []
    for level, title, posts in LEVELS:
        places = -(-posts * 3 // 2)  # ceil(posts x 1.5), the plenary ratio's default
        contests.append({
            "id": level, "title": f"{title}（{posts} 个职位）", "max_choices": places, "places": places,
            "candidates": [{"id": f"{level}-{i}", "name": next(names)} for i in range(1, 7)],
        })
    polls.create(db, rules, "cli:demo", plenary["id"], "考察对象差额推荐", "plenary_recommendation", contests)
    polls.create(db, rules, "cli:demo", plenary["id"], "正科级干部民主推荐", "democratic_recommendation", [{
        "id": "section_chief", "title": "正科级", "max_choices": 2, "places": 2,
        "candidates": contests[0]["candidates"],
    }])

    committee = meetings.create(db, "cli:demo", "县委常委会差额票决", 11)
    polls.create(db, rules, "cli:demo", committee["id"], "正科级职位差额票决", "standing_committee", [{
        "id": "section_chief", "title": "正科级（2 个职位）", "max_choices": 3, "places": 2,
        "candidates": contests[0]["candidates"][:3],
    }])
    closed = _closed_example(db, instance, rules, contests[0]["candidates"][:4])
    fingerprint = evidence.fingerprint(evidence.public_key_pem(instance.signing_key()))
    # Without --instance the command line finds the demo only where `make run` puts it, and only
    # while ./var is not an instance of its own.
    found_alone = path == Path(DEFAULT_PATH).resolve() and not (Path("var") / "ballotroom.db").exists()
    me = _command_name()
    flag = "" if found_alone else f" --instance {_shown(path)}"
    tries = [
        (f"{me} polls{flag}", _("meetings, polls and rounds with their ids")),
        (f"{me} export {closed}{flag}", _("the closed poll's evidence bundle")),
        (f"{me} verify {closed}.bundle.json --key {fingerprint}", _("checks it as anyone could")),
        (f"{me} log verify{flag}", _("the event log's hash chain")),
    ]
    return "\n".join([
        _("Demo instance prepared at %(path)s", path=path),
        _("  administrator: %(login)s", login=f"admin / {admin_password}"),
        _("  chair:         %(login)s", login=f"chair / {chair_password}"),
        _("  (new passwords each time; the demo instance is recreated by %(command)s)", command="`make run`"),
        _("Poll %(id)s is closed already, with 10 ballots: its result is on the bulletin board.", id=closed),
        _("Try, from this folder in another terminal:"),
        *(f"  {command}\n      " + _("(%(why)s)", why=why) for command, why in tries),
    ])


def _closed_example(db: Database, instance, rules, candidates: list[dict]) -> str:
    """A small democratic recommendation already voted and closed, so that the board, export and
    verify have something to show. The ballots are a fixed example, not random."""

    meeting = meetings.create(db, "cli:demo", "示例：已结束的民主推荐", 12)
    meetings.set_attendance(db, "cli:demo", meeting["id"], 10)
    poll = polls.create(db, rules, "cli:demo", meeting["id"], "正科级干部民主推荐（示例，已结束）",
                        "democratic_recommendation", [{
                            "id": "section_chief", "title": "正科级", "max_choices": 2, "places": 2,
                            "candidates": candidates}])
    slips = issuing.issue_tokens(db, instance.secret_key(), "cli:demo", poll["id"], count=10)
    rules_text = resources.files("tally").joinpath("rules.toml").read_text(encoding="utf-8")
    lifecycle.open_poll(db, "cli:demo", poll["id"], rules_text)
    ids = [c["id"] for c in candidates]
    choices = [ids[:2]] * 4 + [ids[1:3]] * 3 + [[ids[0], ids[3]]] * 2 + [[]]
    for slip, chosen in zip(slips, choices, strict=True):
        intake.submit(db, rules, instance.secret_key(), slip["token"], {"section_chief": chosen})
    lifecycle.close_poll(db, rules, "cli:demo", poll["id"], evidence.Signer(instance.signing_key(), rules_text))
    return poll["id"]


def _command_name() -> str:
    """How this command was called (`.venv/bin/ballotroom` under `make run`), for the hints."""
    called = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    return str(called) if called is not None and called.name == "ballotroom" else "ballotroom"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
