"""Time the five-evaluation score sheet: `python bench/bench_score.py [--candidates N] [--raters R]`.

1. ``tally.score.score_round`` on a synthetic round file of N candidates (1,000) with R raters
   each (200): 200 character raters, 200 democratic ballots, 200 interviewees, 200 survey
   respondents, 200 leaders' grades (120 unit, 80 city). Reading the file
   (``parse_round_file``) is timed apart.
2. The administrator's score sheet page, ``GET /admin/rounds/<id>/scores`` through Flask's test
   client, for a round of P candidates (300): once with every ballot part imported from a round
   file, once with the ballot parts fed by five closed polls voted through the API.

Prints best and median of --repeat runs after a warm-up. Method and figures: BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tally.roundfile import parse_round_file  # noqa: E402
from tally.rules import default_rules  # noqa: E402
from tally.score import score_round  # noqa: E402

LEVELS = [{"id": "section_chief", "name": "正科级", "posts": 20},
          {"id": "deputy_section_chief", "name": "副科级", "posts": 40},
          {"id": "general_cadre", "name": "一般干部", "posts": 60}]
GRADES = ("good", "fairly_good", "average", "poor")


def synthetic_round(n: int, raters: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    candidates = []
    for i in range(n):
        occasional = [rng.randint(0, raters // 5) for _ in range(10)]
        frequent = [rng.randint(0, raters // 4) if rng.random() < 0.05 else rng.randint(0, raters // 20)
                    for _ in range(10)]
        satisfied = rng.randint(raters // 2, raters)
        basic = rng.randint(0, raters - satisfied)
        unit_n, city_n = raters * 3 // 5, raters - raters * 3 // 5
        candidates.append({
            "id": f"c{i:04d}", "name": f"候选人{i:04d}", "level": LEVELS[i % 3]["id"], "unit": f"单位{i % 37}",
            "character": {"raters": raters, "occasional": occasional, "frequent": frequent},
            "democratic": {"votes": rng.randint(raters // 5, raters), "cast": raters},
            "interview": {"named": rng.randint(raters // 3, raters), "interviewed": raters},
            "survey": {"respondents": raters, "satisfied": satisfied, "basically_satisfied": basic,
                       "dissatisfied": raters - satisfied - basic},
            "performance": {"base": f"{rng.randint(200, 360) / 10}", "bonus": f"{rng.randint(0, 50) / 10}"},
            "leaders": {"unit": [rng.choice(GRADES) for _ in range(unit_n)],
                        "city": [rng.choice(GRADES) for _ in range(city_n)]},
            "organisation": {"score": f"{rng.randint(60, 100) / 10}",
                             "grades": [rng.choice(("outstanding", "competent", "competent", "competent",
                                                    "basically_competent")) for _ in range(3)]},
        })
    return {"format": "ballotroom-round/1", "title": "基准测试", "levels": LEVELS, "candidates": candidates}


CPU: list[float] = []  # CPU seconds of the process in the last timed() runs


def timed(fn, repeat: int) -> tuple[float, float, float]:
    """(first, best, median) wall seconds; the best run's CPU seconds go to CPU[0].

    Both are printed: on a shared machine the wall clock includes waiting for a core.
    """
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        cpu, start = time.process_time(), time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    CPU[:] = [min(runs)[1]]
    walls = [wall for wall, _ in runs]
    return first, min(walls), statistics.median(walls)


def bench_score(n: int, raters: int, repeat: int) -> None:
    rules = default_rules()
    text = json.dumps(synthetic_round(n, raters), ensure_ascii=False)
    first, best, median = timed(lambda: parse_round_file(text, rules=rules), repeat)
    print(f"round file: {n} candidates x {raters} raters, {len(text) / 1e6:.1f} MB")
    print(f"  parse_round_file: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
    doc = parse_round_file(text, rules=rules)
    first, best, median = timed(lambda: score_round(doc, rules), repeat)
    sheet = score_round(doc, rules)
    eligible = sum(1 for c in sheet["candidates"] if c["eligible"])
    print(f"  score_round: first {first * 1000:.0f} ms, best {best * 1000:.0f} ms (CPU {CPU[0] * 1000:.0f} ms),"
          f" median {median * 1000:.0f} ms ({eligible} eligible, shortlist {sum(len(v) for v in sheet['shortlist'].values())})")


def _app(tmp: str):
    from kiosk.app import create_app
    from kiosk.cli.instances import init_instance
    from kiosk.domain import accounts

    init_instance(f"{tmp}/instance", "admin", "bench admin password")
    app = create_app(f"{tmp}/instance", {"TESTING": True, "WTF_CSRF_ENABLED": False,
                                         "TOKEN_FAILURE_LIMIT": "100000 per minute"})
    key = accounts.create_api_key(app.extensions["ballotroom_db"], "admin")
    clerk = app.test_client()
    clerk.post("/login", data={"name": "admin", "password": "bench admin password"})
    return app, {"Authorization": f"Bearer {key}"}, clerk


def _page(clerk, round_id: str, repeat: int, label: str) -> None:
    url = f"/admin/rounds/{round_id}/scores"
    response = clerk.get(url)
    assert response.status_code == 200, response.status_code
    first, best, median = timed(lambda: clerk.get(url), repeat)
    print(f"  {label}: first {first * 1000:.0f} ms, best {best * 1000:.0f} ms (CPU {CPU[0] * 1000:.0f} ms),"
          f" median {median * 1000:.0f} ms"
          f" ({len(response.data) / 1024:.0f} KB of HTML)")
    for ext in ("csv", "pdf"):
        first, best, _ = timed(lambda ext=ext: clerk.get(f"/admin/rounds/{round_id}/scores.{ext}"), 2)
        print(f"    scores.{ext}: best {best * 1000:.0f} ms (CPU {CPU[0] * 1000:.0f} ms)")


def bench_page(n: int, raters: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, headers, clerk = _app(tmp)
        api = app.test_client()
        print(f"score sheet page: {n} candidates (Flask test client, logged-in administrator)")

        doc = synthetic_round(n, raters)
        imported = api.post("/api/v1/rounds/import", json=doc, headers=headers).get_json()
        _page(clerk, imported["id"], repeat, "parts imported from a round file")

        # The same candidates fed by five closed polls (5 ballots each: the page reads each poll's
        # fixed result, so its cost does not grow with the number of ballots).
        rid = api.post("/api/v1/rounds", json={"title": "polls", "levels": LEVELS}, headers=headers).get_json()["id"]
        people = [{k: c[k] for k in ("id", "name", "level", "unit")} for c in doc["candidates"]]
        api.post(f"/api/v1/rounds/{rid}/candidates", json={"candidates": people}, headers=headers)
        for c in doc["candidates"]:
            api.put(f"/api/v1/rounds/{rid}/candidates/{c['id']}/entries", headers=headers,
                    json={"performance": c["performance"], "organisation": c["organisation"]})
        meeting = api.post("/api/v1/meetings", json={"title": "m", "expected": 5}, headers=headers).get_json()["id"]
        api.post(f"/api/v1/meetings/{meeting}/attendance", json={"present": 5}, headers=headers)
        contests = [{"id": lv["id"], "title": lv["name"], "max_choices": lv["posts"],
                     "candidates": [{"id": c["id"], "name": c["name"]} for c in people if c["level"] == lv["id"]]}
                    for lv in LEVELS]
        ids = [c["id"] for c in people]
        answers = {
            "character": lambda i: {cid: ["none"] * 9 + ["occasional"] for cid in ids},
            "democratic_recommendation": lambda i: {ct["id"]: [c["id"] for c in ct["candidates"][i::5]][: ct["max_choices"]]
                                                    for ct in contests},
            "interview_recommendation": lambda i: {ct["id"]: [c["id"] for c in ct["candidates"][: ct["max_choices"]]]
                                                   for ct in contests},
            "survey": lambda i: {cid: "satisfied" for cid in ids},
            "leaders": lambda i: {cid: GRADES[i % 3] for cid in ids},
        }
        for kind, answer in answers.items():
            body = {"title": kind, "kind": kind, "contests": contests, "round": rid}
            poll = api.post(f"/api/v1/meetings/{meeting}/polls", json=body, headers=headers).get_json()["id"]
            if kind in ("interview_recommendation", "leaders"):
                voters = [{"name": f"v{i}", "group": ("unit", "unit", "city", "city", "unit")[i] if kind == "leaders" else ""}
                          for i in range(5)]
                tokens = api.post(f"/api/v1/polls/{poll}/tokens", json={"voters": voters}, headers=headers).get_json()["tokens"]
            else:
                tokens = api.post(f"/api/v1/polls/{poll}/tokens", json={"count": 5}, headers=headers).get_json()["tokens"]
            api.post(f"/api/v1/polls/{poll}/open", headers=headers)
            for i, token in enumerate(tokens):
                r = api.post("/api/v1/ballots", json={"token": token, "answers": answer(i)})
                assert r.status_code == 201, r.get_json()
            api.post(f"/api/v1/polls/{poll}/close", headers=headers)
        _page(clerk, rid, repeat, "parts from five closed polls + entries")
        app.extensions["ballotroom_db"].close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=1000, help="candidates scored (1000)")
    parser.add_argument("--raters", type=int, default=200, help="raters per candidate (200)")
    parser.add_argument("--page-candidates", type=int, default=300, help="candidates on the page (300)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after the warm-up (5)")
    args = parser.parse_args()
    bench_score(args.candidates, args.raters, args.repeat)
    bench_page(args.page_candidates, args.raters, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
