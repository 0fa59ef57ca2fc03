"""The event log in sentences: who did what to which meeting, poll or round.

The log itself keeps the raw form (type, JSON payload; the API and ``ballotroom log`` show
that); these are the words people read on the event log page. Every type that any module
writes has a sentence here (tests/test_log_page.py reads the sources and fails on a type
without one).
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from admin.poll_input import KIND_LABELS
from admin.rounds import PART_LABELS
from kiosk.stages.core import STAGE_LABELS
from kiosk.store.localtime import local_text
from kiosk.web.context import settings

# What the type filter offers: each type in a few words.
TYPE_LABELS = {
    "user.added": _l("User added"),
    "apikey.created": _l("API key created"),
    "enrollment.code_issued": _l("Tablet enrollment code issued"),
    "device.enrolled": _l("Tablet enrolled"),
    "device.revoked": _l("Tablet revoked"),
    "meeting.created": _l("Meeting created"),
    "meeting.attendance": _l("Attendance recorded"),
    "roster.imported": _l("Roster imported"),
    "roster.signed_in": _l("Member signed in"),
    "roster.member_added": _l("Member added to the roster"),
    "roster.left": _l("Member left early"),
    "roster.sign_in_cancelled": _l("Sign-in cancelled"),
    "poll.created": _l("Poll created"),
    "tokens.issued": _l("Slips issued"),
    "tokens.voided": _l("Slips voided"),
    "poll.records": _l("Place and signatories recorded"),
    "paper.handed_out": _l("Paper ballots handed out"),
    "paper.exchanged": _l("Slip exchanged for a paper ballot"),
    "paper.taken_back": _l("Unused paper ballots taken back"),
    "paper.accepted": _l("Paper ballot entered twice and accepted"),
    "paper.mismatch": _l("Paper ballot entries differ"),
    "paper.closed": _l("Paper ballot box closed"),
    "poll.opened": _l("Voting opened"),
    "poll.closed": _l("Voting closed"),
    "poll.rehearsal_reset": _l("Rehearsal reset"),
    "poll.deleted": _l("Draft poll deleted"),
    "round.created": _l("Round created"),
    "round.candidates_added": _l("Round candidates added"),
    "round.entries_set": _l("Scores entered"),
    "round.imported": _l("Round file imported"),
    "stage.started": _l("Stage started"),
    "stage.completed": _l("Stage completed"),
    "stage.superseded": _l("Stage superseded"),
    "stage.nominations_added": _l("Nominations added"),
    "stage.nomination_removed": _l("Nomination removed"),
    "stage.poll_generated": _l("Stage poll made"),
    "stage.inspection_recorded": _l("Inspection recorded"),
    "stage.deliberation_recorded": _l("Deliberation recorded"),
    "stage.consultations_recorded": _l("Consultations recorded"),
}

SENTENCES = {
    "user.added": _l("%(who)s added the user %(name)s as %(role)s."),
    "apikey.created": _l("%(who)s created an API key (%(role)s, %(label)s) beginning %(prefix)s."),
    "enrollment.code_issued": _l("%(who)s issued a tablet enrollment code, valid until %(until)s."),
    "device.enrolled": _l("The tablet “%(device)s” was enrolled."),
    "device.revoked": _l("%(who)s revoked the tablet “%(device)s”."),
    "meeting.created": _l("%(who)s created the meeting “%(meeting)s” with %(expected)s members expected."),
    "meeting.attendance": _l("%(who)s recorded %(present)s members present at the meeting “%(meeting)s”."),
    "roster.imported": _l("%(who)s imported the roster of the meeting “%(meeting)s”: %(members)s members."),
    "roster.member_added": _l("%(who)s added %(name)s to the roster of the meeting “%(meeting)s”; "
                              "%(expected)s members should attend."),
    "roster.signed_in": _l("%(who)s signed in %(name)s at the meeting “%(meeting)s”; %(present)s present."),
    "roster.left": _l("%(who)s recorded that %(name)s left the meeting “%(meeting)s” early; %(present)s present."),
    "roster.sign_in_cancelled": _l("%(who)s cancelled the sign-in of %(name)s at the meeting “%(meeting)s”; "
                                   "%(present)s present."),
    "poll.created": _l("%(who)s created the poll “%(poll)s” (%(kind)s) in the meeting “%(meeting)s”."),
    "tokens.issued": _l("%(who)s issued %(count)s slips for the poll “%(poll)s”."),
    "tokens.voided": _l("%(who)s voided %(count)s unused slips of the poll “%(poll)s”; reason: %(reason)s."),
    "poll.records": _l("%(who)s recorded the place and the people who sign the result sheet of the poll “%(poll)s”."),
    "paper.handed_out": _l("%(who)s handed out %(count)s paper ballots for the poll “%(poll)s”."),
    "paper.exchanged": _l("%(who)s exchanged a slip of the poll “%(poll)s” for a paper ballot; reason: %(reason)s."),
    "paper.taken_back": _l("%(who)s took back %(count)s unused paper ballots of the poll “%(poll)s”; reason: %(reason)s."),
    "paper.accepted": _l("A paper ballot of the poll “%(poll)s” was entered by %(first)s and %(second)s alike and accepted."),
    "paper.mismatch": _l("The entries of a paper ballot of the poll “%(poll)s” by %(first)s and %(second)s differ; "
                         "it is entered again."),
    "paper.closed": _l("%(who)s closed the paper ballot box of the poll “%(poll)s”: %(handed_out)s handed out, "
                       "%(returned)s returned."),
    "poll.opened": _l("%(who)s opened voting on the poll “%(poll)s” (%(issued)s slips issued)."),
    "poll.closed": _l("%(who)s closed voting on the poll “%(poll)s”: %(cast)s ballots returned, "
                      "%(blank)s blank, %(spoiled)s spoiled; the result is fixed."),
    "poll.rehearsal_reset": _l("%(who)s reset the rehearsal “%(poll)s”: its %(cast)s ballots and %(issued)s test "
                               "slips were removed; reason: %(reason)s."),
    "poll.deleted": _l("%(who)s deleted the draft poll “%(title)s” (%(kind)s) from the meeting “%(meeting)s”; "
                       "it had issued no slips."),
    "round.created": _l("%(who)s created the round “%(round)s” with %(levels)s levels."),
    "round.candidates_added": _l("%(who)s added %(count)s candidates to the round “%(round)s”."),
    "round.entries_set": _l("%(who)s entered %(parts)s for %(candidate)s in the round “%(round)s”."),
    "round.imported": _l("%(who)s imported the round file “%(round)s” with %(count)s candidates."),
    "stage.started": _l("%(who)s started the stage %(stage)s of the round “%(round)s”."),
    "stage.completed": _l("%(who)s completed the stage %(stage)s of the round “%(round)s”."),
    "stage.superseded": _l("%(who)s superseded the stage %(stage)s of the round “%(round)s”; reason: %(reason)s."),
    "stage.nominations_added": _l("%(who)s added %(count)s nominations to the round “%(round)s”."),
    "stage.nomination_removed": _l("%(who)s removed the nomination of %(unit)s from the round “%(round)s”."),
    "stage.poll_generated": _l("%(who)s made the poll “%(poll)s” for the stage %(stage)s of the round “%(round)s”."),
    "stage.inspection_recorded": _l("%(who)s recorded the inspection of %(candidate)s in the round “%(round)s”."),
    "stage.deliberation_recorded": _l("%(who)s recorded the deliberation of the round “%(round)s”."),
    "stage.consultations_recorded": _l("%(who)s recorded the consultations and written opinions of the round “%(round)s”."),
}

ROLE_WORDS = {"admin": _l("administrator"), "chair": _l("chair"), "scrutineer": _l("scrutineer")}
UNKNOWN = _l("%(who)s: %(type)s.")
NOT_GIVEN = _l("(none)")
LIST_SEPARATOR = _l(", ")


class Names:
    """Titles and names for the ids in the payloads, read once per page."""

    def __init__(self, query: Callable[[str], list]):
        self.meetings = {r["id"]: r["title"] for r in query("SELECT id, title FROM meetings")}
        self.polls = {r["id"]: (r["title"], r["meeting_id"]) for r in query("SELECT id, title, meeting_id FROM polls")}
        self.rounds = {r["id"]: r["title"] for r in query("SELECT id, title FROM rounds")}
        self.candidates = {(r["round_id"], r["id"]): r["name"]
                           for r in query("SELECT round_id, id, name FROM round_candidates")}
        self.devices = {r["id"]: r["label"] for r in query("SELECT id, label FROM devices")}
        self.roles = {r["name"]: r["role"] for r in query("SELECT name, role FROM users")}
        self.key_roles = {r["prefix"]: r["role"] for r in query("SELECT prefix, role FROM api_keys")}

    def poll_meeting(self, poll_id: str | None) -> str | None:
        return self.polls.get(poll_id, (None, None))[1] if poll_id else None


class Roles:
    """Only who is who (users' and keys' roles), for a page that names an actor here and there."""

    def __init__(self, query: Callable[[str], list]):
        self.roles = {r["name"]: r["role"] for r in query("SELECT name, role FROM users")}
        self.key_roles = {r["prefix"]: r["role"] for r in query("SELECT prefix, role FROM api_keys")}


def actor_words(query: Callable[[str], list]) -> Callable[[str | None], str]:
    """:func:`who` for a page that names an actor here and there (the stage pages, the round
    report): the roles are read once, on first use."""
    roles: list[Roles] = []

    def acted_by(stored: str | None) -> str:
        if not stored:
            return ""
        if not roles:
            roles.append(Roles(query))
        return who(stored, roles[0])
    return acted_by


def who(actor: str, names: Names | Roles | None = None) -> str:
    """The person or thing that acted, in words: a person by name and role in words (管理员 admin),
    an API key by its prefix and role (API 密钥 br_abc…（管理员）), the command line as such;
    never the stored form (user:admin) inside a sentence."""
    roles = names.roles if names else {}
    key_roles = names.key_roles if names else {}
    if actor.startswith("apikey:"):
        prefix = actor.removeprefix("apikey:")
        role = key_roles.get(prefix)
        if role in ROLE_WORDS:
            return str(_l("API key %(prefix)s… (%(role)s)", prefix=prefix, role=ROLE_WORDS[role]))
        return str(_l("API key %(prefix)s…", prefix=prefix))
    if actor == "tablet":
        return str(_l("A tablet"))
    if actor == "api":
        return str(_l("An API client"))
    if actor == "cli" or actor.startswith("cli:"):
        return str(_l("The command line"))
    name = actor.removeprefix("user:")
    role = roles.get(name)
    if role in ROLE_WORDS:
        return str(_l("%(role)s %(name)s", role=ROLE_WORDS[role], name=name))
    return name


def subject(type_: str, payload: dict, names: Names) -> tuple[str | None, str | None, str | None]:
    """(meeting, poll, round) ids the entry is about, for the filters and the sentence."""
    if type_ == "meeting.created":
        return payload.get("id"), None, None
    if type_ == "poll.created":
        return payload.get("meeting"), payload.get("id"), payload.get("round")
    if type_ in ("round.created", "round.imported"):
        return None, None, payload.get("id")
    poll = payload.get("poll")
    meeting = payload.get("meeting") or names.poll_meeting(poll)
    return meeting, poll, payload.get("round")


def sentence(row, names: Names) -> str:
    """The entry as one sentence in the page's language."""
    type_ = row["type"]
    payload = row["payload_obj"]
    meeting, poll, round_ = subject(type_, payload, names)
    params = {
        "who": who(row["actor"], names),
        "meeting": names.meetings.get(meeting, meeting or ""),
        "poll": names.polls.get(poll, (poll or "", None))[0],
        "round": names.rounds.get(round_, payload.get("title") or round_ or ""),
        "type": TYPE_LABELS.get(type_, type_),
        **_details(type_, payload, names, round_),
    }
    template = SENTENCES.get(type_, UNKNOWN)
    try:
        return str(template) % {k: str(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return str(UNKNOWN) % {"who": params["who"], "type": params["type"]}


def _details(type_: str, p: dict, names: Names, round_: str | None) -> dict:
    """The figures and words a type's sentence needs beyond who and which."""
    out: dict = {}
    if type_ == "user.added":
        out = {"name": p.get("name", ""), "role": ROLE_WORDS.get(p.get("role"), p.get("role", ""))}
    elif type_ == "apikey.created":
        out = {"role": ROLE_WORDS.get(p.get("role"), p.get("role", "")), "label": p.get("label") or NOT_GIVEN,
               "prefix": p.get("prefix", "")}
    elif type_ == "enrollment.code_issued":
        out = {"until": local(p.get("expires_at"))}
    elif type_ in ("device.enrolled", "device.revoked"):
        out = {"device": p.get("label") or names.devices.get(p.get("device"), p.get("device", ""))}
    elif type_ == "poll.created":
        out = {"kind": KIND_LABELS.get(p.get("kind"), p.get("kind", ""))}
    elif type_ == "poll.deleted":  # the poll is gone from the table: its title is in the entry
        out = {"kind": KIND_LABELS.get(p.get("kind"), p.get("kind", "")), "title": p.get("title", "")}
    elif type_ == "round.created":
        out = {"levels": len(p.get("levels") or [])}
    elif type_ == "round.imported":
        out = {"count": p.get("candidates", 0)}
    elif type_ in ("round.candidates_added",):
        out = {"count": p.get("count", 0)}
    elif type_ == "stage.nominations_added":
        out = {"count": len(p.get("nominations") or [])}
    elif type_ == "round.entries_set":
        parts = [str(PART_LABELS.get(part, part)) for part in (p.get("parts") or {})]
        out = {"parts": str(LIST_SEPARATOR).join(parts) if parts else NOT_GIVEN}
    elif type_ in ("stage.started", "stage.completed", "stage.superseded", "stage.poll_generated"):
        out = {"stage": STAGE_LABELS.get(p.get("stage"), p.get("stage", ""))}
    if "reason" in p and "reason" not in out:
        out["reason"] = p.get("reason") or NOT_GIVEN
    if "candidate" in p:
        out["candidate"] = names.candidates.get((round_, p["candidate"]), p["candidate"]) if p["candidate"] else ""
    if type_ == "stage.nomination_removed":
        out["unit"] = p.get("unit") or NOT_GIVEN
    for key in ("first", "second"):  # the two scrutineers of a paper ballot's entries
        if key in p:
            out[key] = who(p[key], names) if isinstance(p[key], str) else p[key]
    if "name" in p and "name" not in out:
        out["name"] = p["name"]
    for key in ("expected", "present", "members", "count", "issued", "cast", "blank", "spoiled", "handed_out",
                "returned"):
        if key in p and key not in out:
            out[key] = p[key] if p[key] is not None else NOT_GIVEN
    return out


def local(at: str | None) -> str:
    """A stored UTC time on the room's clock (the instance's zone)."""
    return local_text(at, settings())
