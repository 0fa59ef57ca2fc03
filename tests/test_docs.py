"""Documentation that must not fall behind the code (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.cli import build_parser
from kiosk.openapi import document

ROOT = Path(__file__).resolve().parent.parent


def _flask_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_api_route_is_in_the_openapi_document(app):
    documented = set(document()["paths"])
    from kiosk.ballot_lane import PATH
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
    from kiosk.instance import Settings
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in Settings.__dataclass_fields__:
        assert f"`{field}`" in readme, f"setting `{field}` is not documented in README.md"
