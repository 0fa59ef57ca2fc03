"""Documentation that must not fall behind the code (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.cli.main import build_parser
from kiosk.web.api.openapi import document

ROOT = Path(__file__).resolve().parent.parent


def _flask_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_api_route_is_in_the_openapi_document(app):
    documented = set(document()["paths"])
    from kiosk.web.ballot_lane import PATH
    routes = {_flask_to_openapi(r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    routes.add(PATH)  # served by the ballot lane in front of Flask
    assert routes == documented


def test_openapi_is_served(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/api/v1/ballots" in doc["paths"]


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"ballotroom {name}" in readme, f"`ballotroom {name}` is not documented in README.md"


def test_every_instance_setting_is_in_the_readme():
    from kiosk.store.instance import Settings
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in Settings.__dataclass_fields__:
        assert f"`{field}`" in readme, f"setting `{field}` is not documented in README.md"


# --- docs/: every page's commands run, links resolve, examples parse --------------------------
# The convention is stated in docs/README.md, "How the pages are checked".

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
SERVED_AT = "http://127.0.0.1:5000"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def _blocks(text: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(text) if lang == language]


def _commands(text: str) -> list[str]:
    """The `$ ` lines of the page's console blocks, with their continuation lines."""
    import shlex

    commands: list[str] = []
    for block in _blocks(text, "console"):
        current: list[str] | None = None
        for line in block.splitlines():
            if current is None:
                if line.startswith("$ "):
                    current = [line[2:]]
                else:
                    continue  # example output
            else:
                current.append(line)
            joined = "\n".join(current)
            try:
                shlex.split(joined, comments=True)
                complete = not joined.endswith("\\")
            except ValueError:  # a quote still open: the command goes on
                complete = False
            if complete:
                commands.append(joined)
                current = None
        assert current is None, f"an unfinished command in a console block: {current}"
    return commands


def test_every_page_is_checked_and_has_a_title():
    names = {p.name for p in PAGES}
    assert {"README.md", "rules.md", "api.md", "round-file.md"} <= names
    for page in PAGES:
        assert page.read_text(encoding="utf-8").startswith("# "), f"{page.name} has no title"


def test_the_command_parser_reads_continuations_and_skips_output():
    text = "```console\n$ echo 'a\nb' \\\n  c\nan output line\n$ true\n```\n```sh\n$ false\n```\n"
    assert _commands(text) == ["echo 'a\nb' \\\n  c", "true"]


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES + [ROOT / "README.md", ROOT / "SECURITY.md"], ids=lambda p: p.name)
def test_relative_links_resolve(page):
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        path_part, _, fragment = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        assert linked.exists(), f"{page.name}: link {target!r} points at nothing"
        assert ROOT in linked.parents or linked == ROOT, f"{page.name}: link {target!r} leaves the repository"
        if fragment and linked.suffix == ".md":
            assert fragment in _anchors(linked), f"{page.name}: link {target!r}: no such heading"


@pytest.mark.parametrize("page", PAGES + [ROOT / "README.md", ROOT / "SECURITY.md"], ids=lambda p: p.name)
def test_examples_in_pages_parse(page):
    import json
    import tomllib

    text = page.read_text(encoding="utf-8")
    for block in _blocks(text, "json"):
        json.loads(block)
    for block in _blocks(text, "toml"):
        tomllib.loads(block)
    for block in _blocks(text, "python"):
        compile(block, f"{page.name} python block", "exec")


def test_example_files_parse():
    import json

    examples = sorted((DOCS / "examples").iterdir())
    assert examples
    for example in examples:
        if example.suffix == ".json":
            json.loads(example.read_text(encoding="utf-8"))
        elif example.suffix == ".py":
            compile(example.read_text(encoding="utf-8"), str(example), "exec")


def test_the_score_sheet_shown_is_what_ballotroom_score_prints(capsys):
    import json

    from kiosk.cli.main import main as cli

    assert cli(["score", str(DOCS / "examples" / "round.json"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    shown = [json.loads(b) for b in _blocks((DOCS / "round-file.md").read_text(encoding="utf-8"), "json")]
    assert printed in shown, "docs/round-file.md does not show the score sheet of docs/examples/round.json"


def test_the_rules_page_names_every_key_of_the_rules_file():
    import tomllib

    rules = tomllib.loads((ROOT / "tally" / "rules.toml").read_text(encoding="utf-8"))
    page = (DOCS / "rules.md").read_text(encoding="utf-8")

    def keys(table: dict, prefix: str = ""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from keys(value, f"{prefix}{key}.")
            elif not isinstance(value, list):
                yield f"{prefix}{key}"

    skipped = ("format", "performance_example.")
    missing = [k for k in keys(rules) if not k.startswith(skipped)
               and f"`{k}`" not in page and f"`{k.rsplit('.', 1)[0]}`" not in page
               and f".{k.rsplit('.', 1)[1]}`" not in page]
    assert not missing, f"docs/rules.md does not say where these rules live: {missing}"


@pytest.fixture
def after_make_run(tmp_path):
    """A folder laid out like the checkout after `make run`: the repository's files, the demo in
    var/demo. Served only when a page needs it (see test_the_commands_of_every_page_run)."""
    import subprocess
    import sys

    skip = {".git", "var", ".hypothesis", ".pytest_cache", ".ruff_cache", "__pycache__"}
    for entry in ROOT.iterdir():
        if entry.name not in skip and not entry.name.endswith(".egg-info"):
            (tmp_path / entry.name).symlink_to(entry)
    subprocess.run([sys.executable, "-m", "kiosk.cli.main", "demo"], cwd=tmp_path, check=True,
                   capture_output=True, env=_env())
    return tmp_path


def _env() -> dict:
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("BALLOTROOM_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_commands_of_every_page_run(page, after_make_run):
    import contextlib
    import shutil
    import subprocess

    commands = _commands(page.read_text(encoding="utf-8"))
    if not commands:
        pytest.skip(f"{page.name} shows no commands")
    needs_server = any(SERVED_AT in c for c in commands)
    if needs_server:
        missing = [tool for tool in ("curl", "jq") if shutil.which(tool) is None]
        if missing:
            pytest.skip(f"{page.name} calls the server with {', '.join(missing)}, not installed")
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    # curl exits 0 on a 4xx unless told otherwise: here a refused call fails the page.
    (after_make_run / ".curlrc").write_text("fail-with-body\n", encoding="utf-8")
    with contextlib.ExitStack() as stack:
        if needs_server:
            from browser_helpers import Server
            server = stack.enter_context(Server(after_make_run / "var" / "demo", after_make_run / "serve.log"))
            script = script.replace(SERVED_AT, server.url)
        done = subprocess.run(["bash", "-c", script], cwd=after_make_run,
                              env={**_env(), "CURL_HOME": str(after_make_run)},
                              capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"a command of docs/{page.name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}\n"
        f"--- output ---\n{done.stdout[-3000:]}")


# --- nothing outside the repository ---------------------------------------------------------

# Built from parts, so that this file does not match itself.
_OUTSIDE = re.compile("|".join([
    r"\b(?:" + "|".join(["INTER" + "FACES", "DO" + "MAIN", "DE" + "SIGN", "ST" + "YLE"]) + r")\.md\b",
    r"\.\./" + "shared",
    r"\bthe " + "seed" + r"\b", r"\b" + "seed" + r"'s\b", r"\b" + "seed" + r"/",
]))
_PRODUCT_SKIP = {".git", ".venv", "var", ".hypothesis", ".pytest_cache", ".ruff_cache", "__pycache__",
                 "artifacts", "node_modules"}
_BINARY = {".mo", ".png", ".jpg", ".ico", ".pdf", ".ttf", ".otf", ".woff", ".woff2", ".db", ".pyc", ".gz"}


def _product_files():
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if any(part in _PRODUCT_SKIP or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and path.suffix not in _BINARY:
            yield path, rel


def test_the_pattern_catches_what_it_must():
    seed, design, shared = "se" + "ed", "DE" + "SIGN", ".." + "/shared"
    for text in ["see " + "INTER" + "FACES.md section 3", f"`{shared}/{design}.md`",
                 f"as the {seed} says", f"the {seed}'s order", "DO" + "MAIN.md, Glossary"]:
        assert _OUTSIDE.search(text), text
    for text in ["a fixed random seed", "seed: int = 7", "docs/api.md, section Keys"]:
        assert not _OUTSIDE.search(text), text


def test_no_file_of_the_product_refers_to_a_document_outside_it():
    found = []
    for path, rel in _product_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "these refer to documents outside the repository; point to docs/ instead:\n" + "\n".join(found)
