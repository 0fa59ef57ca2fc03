"""Time render_slips on N random slips: `python bench/bench_slips.py [N] [--out FILE]`.

Prints the seconds taken (best of --repeat runs, font registration excluded by a warm-up call, and
the cold first call separately), the PDF's size and the page count. Results go into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.documents.slips import Slip, render_slips  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as tokens use


def random_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(24))
    return "-".join(chars[i : i + 4] for i in range(0, 24, 4))


def random_slips(n: int) -> list[Slip]:
    slips = []
    for _ in range(n):
        code = random_code()
        slips.append(Slip(url=f"http://10.0.0.5:5000/t/{code}", code=code))
    return slips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=1000, help="number of slips (1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the first (3)")
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    slips = random_slips(args.n)
    title = "2026年度县直机关科级干部民主推荐"
    meeting = "全县干部大会"

    start = time.perf_counter()
    pdf = render_slips(title, slips, meeting_title=meeting)
    cold = time.perf_counter() - start

    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        pdf = render_slips(title, slips, meeting_title=meeting)
        runs.append(time.perf_counter() - start)

    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
    print(f"slips: {args.n}")
    print(f"first call (font load included): {cold:.3f} s")
    if runs:
        print(f"warm: best {min(runs):.3f} s, worst {max(runs):.3f} s over {len(runs)} runs")
    print(f"pdf: {len(pdf):,} bytes ({len(pdf) / args.n:,.0f} bytes per slip), pages: {pages}")
    if args.out:
        args.out.write_bytes(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
