"""Refusals: what went wrong, in words a person can act on.

Every refusal carries an HTTP status, a stable machine code (the API's
``error``) and a message looked up in the user's language at the moment it
is shown (Flask-Babel lazy strings).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # Ballot intake (docs/api.md, "Casting a ballot": status codes of POST /api/v1/ballots)
    "malformed": _l("The request could not be read. Check the form and try again."),
    "malformed_because": _l("The request could not be read: %(reason)s. Nothing was changed."),
    "unsupported_media_type": _l("Send the body as JSON, with the header Content-Type: application/json. Nothing was changed."),
    "too_large": _l("The request is larger than %(limit)s bytes. Nothing was changed."),
    "field": _l("“%(field)s” %(problem)s. Nothing was changed."),
    "internal": _l("The server met a fault and did not apply this request; nothing was changed. The fault has been logged: tell the administrator."),
    "token_typo": _l("This code has a typing error. Check each character against the slip and type it again."),
    "token_unknown": _l("This code was never issued. Check the slip, or ask the clerk for help."),
    "token_used": _l("This code has already been used; your ballot was recorded. Ask the clerk if you believe this is wrong."),
    "poll_not_open": _l("Voting on this poll has not started yet. Wait for the chair to open it, then scan again."),
    "poll_closed": _l("Voting on this poll has closed; this slip can no longer be used."),
    "bad_answers": _l("The answers do not fit this ballot. Review your choices and submit again."),
    "too_many_choices": _l("Too many names chosen: at most %(max)s may be chosen in “%(contest)s”."),
    "missing_answer": _l("Every candidate must be answered before you submit."),
    # Administration
    "not_found": _l("That item does not exist. Go back to the list and choose again."),
    "invalid": _l("Some of the entries are not valid: %(detail)s"),
    "state": _l("This cannot be done now: %(detail)s"),
    "conflict": _l("This conflicts with what already exists: %(detail)s"),
    "unauthorized": _l("Log in first, or use a valid API key."),
    "forbidden": _l("Your role does not allow this."),
    "rate_limited": _l("Too many attempts. Wait a minute and try again."),
    "enrollment": _l("This tablet is not enrolled. Ask the clerk to enroll it."),
    "enrollment_code": _l("This enrollment code is unknown, used or expired. Ask the clerk for a new one."),
    "network": _l("This address is outside the meeting room's network."),
}


class Refusal(Exception):
    """A request refused with a reason; nothing was changed."""

    def __init__(self, status: int, code: str, message_key: str | None = None, **params: object):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message_key = message_key or code
        self.params = params

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.message_key, MESSAGES["invalid"])
        params = {k: v for k, v in self.params.items()}
        params.setdefault("detail", "")
        try:
            return str(template) % params
        except (KeyError, TypeError, ValueError):
            return str(template)

    def to_json(self) -> dict:
        body: dict = {"error": self.code, "message": self.message}
        extra = {k: v for k, v in self.params.items() if k != "detail" and _jsonable(v)}
        if extra:
            body["detail"] = extra
        return body


def _jsonable(v: object) -> bool:
    return isinstance(v, (str, int, float, bool, type(None), list, dict))
