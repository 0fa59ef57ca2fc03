"""Pieces every part of the OpenAPI document is built from: answers, errors, bodies, ids.

The limits in these schemas come from the modules that enforce them, so the document and the
server cannot disagree (kiosk.web.api.body enforces each operation's schema as served).
"""

from __future__ import annotations

from kiosk.domain import meetings
from kiosk.web.api.body import MAX_BYTES

KINDS = ["democratic_recommendation", "plenary_recommendation", "interview_recommendation",
         "standing_committee", "character", "survey", "leaders"]

ERROR = {"$ref": "#/components/schemas/Error"}


def errors(*codes: int) -> dict:
    text = {400: "Malformed body (`malformed`) or a field that does not fit (`invalid`, the field in "
                 "`detail.field`)", 401: "No valid API key", 403: "The key's role does not allow this",
            404: "No such item", 409: "Conflicts with the current state",
            413: f"The body is larger than {MAX_BYTES} bytes",
            415: "The body is not sent as `Content-Type: application/json`", 422: "Answers do not fit the poll",
            423: "The poll is not open", 429: "Too many failed attempts; wait a minute",
            500: "A fault in the server: the request was not applied (logged with its traceback)"}
    if 400 in codes:  # every call that reads a body reads it the same way (kiosk.web.api.body)
        codes = (*codes, 413, 415)
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": ERROR}}} for c in codes}


def json_body(schema: dict) -> dict:
    return {"required": True, "description": BODY_RULES, "content": {"application/json": {"schema": schema}}}


BODY_RULES = (f"`Content-Type: application/json` (415 otherwise), at most {MAX_BYTES} bytes (413), valid UTF-8, "
              "no key given twice, at most 16 levels deep; types are strict (a number in quotes is text, "
              "not a number).")


def ok(description: str, schema: dict | None = None, status: int = 200) -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return {str(status): body}


BEARER = [{"bearer": []}]
# Ids, titles and names as the domain modules check them; their limits come from those modules.
ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S"}
PATH_SAFE_ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[^\\s/?#\\u0000-\\u001f]+$",
                "description": "no spaces, control characters or / ? # (it appears in addresses)"}
TITLE = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"}
NAME = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"}
MEMBERS = {"type": "integer", "maximum": meetings.MAX_MEMBERS}


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
