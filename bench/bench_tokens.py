"""1,000 tokens with their PDF: issuance (generate, hash, store, log) plus the slips PDF.

Method: a fresh instance on local disk; one democratic recommendation poll; then, timed with
time.perf_counter, `issuing.issue_tokens(count=1000)` (the same call the admin page and the API
make) followed by `slips.render_slips` of the 1,000 slips. Best and worst of 3 runs (a new poll
each run).

    .venv/bin/python bench/bench_tokens.py [--count 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from kiosk.app import create_app
    from kiosk.cli.instances import init_instance
    from kiosk.documents.slips import Slip, render_slips
    from kiosk.domain import issuing, meetings, polls

    path = Path(tempfile.mkdtemp(prefix="ballotroom-bench-")) / "instance"
    init_instance(str(path), "admin", "bench-password-123")
    app = create_app(str(path))
    db, rules, key = app.extensions["ballotroom_db"], app.config["RULES"], app.config["TOKEN_KEY"]
    meeting = meetings.create(db, "bench", "全委会", 2000)
    times = []
    for _ in range(args.repeat):
        poll = polls.create(db, rules, "bench", meeting["id"], "考察对象差额推荐", "democratic_recommendation",
                            [{"id": "c1", "title": "正科级", "max_choices": 1, "places": 1,
                              "candidates": [{"id": "k1", "name": "张伟"}]}])
        start = time.perf_counter()
        issued = issuing.issue_tokens(db, key, "bench", poll["id"], count=args.count)
        middle = time.perf_counter()
        pdf = render_slips(poll["title"], [Slip(f"http://10.0.0.5:5000/t/{t['token']}", t["token"]) for t in issued],
                           meeting_title=meeting["title"])
        end = time.perf_counter()
        times.append((end - start, middle - start, end - middle, len(pdf)))
    best = min(times)
    print(f"tokens: {args.count}; best {best[0]:.2f} s (issue {best[1]:.2f} s + PDF {best[2]:.2f} s, "
          f"{best[3]:,} bytes); worst {max(times)[0]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
