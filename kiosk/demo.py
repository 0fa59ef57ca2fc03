"""The demo meeting that `make run` serves: fictional people, fresh passwords."""

from __future__ import annotations

import shutil
from pathlib import Path

from tally.rules import default_rules

from . import accounts, meetings, polls
from .db import Database

MARKER = "DEMO-INSTANCE"
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴霞",
         "徐涛", "孙丽", "马超", "朱琳", "胡斌", "郭婷", "何军", "高远"]
LEVELS = [("section_chief", "正科级", 2), ("deputy_section_chief", "副科级", 2), ("general_cadre", "一般干部", 2)]


def prepare(path: Path) -> str:
    from .cli import UsageError, init_instance

    if path.exists():
        if not (path / MARKER).exists():
            raise UsageError(f"{path} exists and is not a demo instance; choose another --instance")
        shutil.rmtree(path)
    instance, admin_password = init_instance(str(path), "admin")
    (path / MARKER).write_text("This folder is recreated by `ballotroom demo`.\n", encoding="utf-8")
    db = Database(instance.db_path)
    chair_password = accounts.generate_password()
    accounts.add_user(db, "chair", "chair", chair_password, actor="cli:demo")
    rules = default_rules()

    plenary = meetings.create(db, "cli:demo", "市委全会（扩大会）差额推荐", 60)
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

    committee = meetings.create(db, "cli:demo", "市委常委会差额票决", 11)
    polls.create(db, rules, "cli:demo", committee["id"], "正科级职位差额票决", "standing_committee", [{
        "id": "section_chief", "title": "正科级（2 个职位）", "max_choices": 3, "places": 2,
        "candidates": contests[0]["candidates"][:3],
    }])
    return (
        f"Demo instance prepared at {path}\n"
        f"  administrator: admin / {admin_password}\n"
        f"  chair:         chair / {chair_password}\n"
        "  (new passwords each time; the demo instance is recreated by `make run`)"
    )
