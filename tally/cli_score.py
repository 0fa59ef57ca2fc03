"""``ballotroom score ROUND.json [--rules R] [--json]``: the score sheet of a round file.

The main ``ballotroom`` command delegates here. Reading the files named on the command line is
this module's job; tally.score itself stays pure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tally.messages import N_
from tally.roundfile import RoundFileError, parse_round_file
from tally.rules import RulesError, default_rules, load_rules
from tally.score import render_table, score_round
from tally.table import PARTS, Say, english

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def build_parser(say: Say = english, parser_class: type = argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser = parser_class(
        prog="ballotroom score",
        description=say(N_(
            "Score a selection round's five evaluations from a round file "
            '("format": "ballotroom-round/1") and list each level\'s shortlist.'
        )),
        epilog=say(N_("Exit status: 0 scored; 2 invalid round or rules file (line and reason on stderr); "
                      "1 other failure.")),
    )
    parser.add_argument("round_file", metavar="ROUND.json", help=say(N_("the round file to score")))
    parser.add_argument(
        "--rules",
        metavar="RULES.toml",
        help=say(N_("rules file to use instead of the packaged %(file)s"), file="tally/rules.toml"),
    )
    parser.add_argument(
        "--json", action="store_true", help=say(N_("print the JSON score document instead of a table"))
    )
    return parser


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def main(argv: list[str] | None = None, say: Say = english,
         parser_class: type = argparse.ArgumentParser) -> int:
    """``say`` gives the table's and the refusals' words in the reader's language (the main
    ``ballotroom`` command passes one chosen by the locale, and its parser's class); the JSON
    stays as it is."""
    parser = build_parser(say, parser_class)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits on --help (0) and on bad usage (2)
        return int(stop.code or 0)

    # A file that cannot be read is bad input like a file that cannot be parsed: exit 2.
    try:
        rules = load_rules(_read(args.rules)) if args.rules else default_rules()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.rules}: " + say(N_("cannot read the rules file: %(why)s"), why=exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except RulesError as exc:
        print(f"{args.rules}: {exc.key}: {exc.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        round_doc = parse_round_file(_read(args.round_file), rules=rules)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.round_file}: " + say(N_("cannot read the round file: %(why)s"), why=exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except RoundFileError as exc:
        print(f"{args.round_file}: {_explained(exc, say)}", file=sys.stderr)
        return EXIT_BAD_INPUT

    try:
        sheet = score_round(round_doc, rules)
        if args.json:
            sys.stdout.write(json.dumps(sheet, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(render_table(sheet, round_doc, say))
    except Exception as exc:  # noqa: BLE001 - the command's contract: any other failure exits 1
        print("ballotroom score: " + say(N_("failed: %(why)s"), why=exc), file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def _explained(error: RoundFileError, say: Say) -> str:
    """The refusal in the reader's words when it kept its sentence (tally/messages.py)."""
    template = getattr(error, "template", None)
    if not template or say is english:  # tally's own English, as it always read
        return str(error)
    text = say(template, **getattr(error, "params", {}))
    line = say(N_("line %(n)s: "), n=error.line) if error.line is not None else ""
    if error.candidate is None or error.part is None:
        return line + text
    key = say(KEYS[error.key]) if error.key in KEYS else (error.key or "")
    where = say(N_("candidate %(n)s, %(part)s %(key)s: "), n=error.candidate + 1,
                part=say(PARTS.get(error.part, error.part)), key=key)
    return line + where + text


# The figures of a round file's parts, as people say them (tally.roundfile's keys).
KEYS = {"base": N_("base points"), "bonus": N_("bonus points"), "score": N_("score"), "note": N_("note"),
        "grades": N_("year-end grades"), "votes": N_("votes"), "cast": N_("ballots returned"),
        "named": N_("times named"), "interviewed": N_("members interviewed")}


if __name__ == "__main__":
    raise SystemExit(main())
