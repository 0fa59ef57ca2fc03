"""tally/ stays pure: no web framework, database, clock, randomness or file IO in the rules."""

from __future__ import annotations

import ast
from pathlib import Path

from tally.rules import default_rules

TALLY = Path(__file__).resolve().parent.parent / "tally"
FORBIDDEN = {
    "flask",
    "flask_socketio",
    "sqlite3",
    "sqlite_utils",
    "time",
    "datetime",
    "random",
    "secrets",
    "os",
    "socket",
    "uuid",
}
# The score command reads the files named on its command line; that IO is the CLI's.
MAY_READ_FILES = {"cli_score.py"}


def test_no_forbidden_imports_or_file_io():
    problems = []
    for path in sorted(TALLY.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = []
            problems += [f"{path.name}: imports {n}" for n in names if n.split(".")[0] in FORBIDDEN]
            if path.name not in MAY_READ_FILES and isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in {"open", "read_bytes", "write_text", "write_bytes"}:
                    problems.append(f"{path.name}: calls {name}")
                if name == "read_text" and path.name != "rules.py":
                    problems.append(f"{path.name}: calls read_text")
    assert problems == []


def test_no_floats_in_rules():
    """Every number of the rules is exact (int or Fraction), never a binary float."""
    from dataclasses import fields, is_dataclass

    def walk(value):
        if is_dataclass(value):
            for f in fields(value):
                yield from walk(getattr(value, f.name))
        elif isinstance(value, tuple):
            for v in value:
                yield from walk(v)
        else:
            yield value

    assert not any(isinstance(v, float) for v in walk(default_rules()))
