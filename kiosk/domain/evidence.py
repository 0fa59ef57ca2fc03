"""Evidence anyone can check: the signed result certificate and export bundles.

Closing a poll fixes the digest of its ballot box; the certificate (counts,
tally, digest, the rules' hash and the hash of the log entry that closed the
poll) is signed with the instance's Ed25519 key. A bundle holds everything a
second party needs to check it on their own machine: the certificate and its
signature, the public key, the ballots and tracking codes (each sorted, so
no code maps to a ballot), the rules text and the log slice of the poll.
`verify_bundle` is what `ballotroom verify` runs: it names exactly what fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.store import eventlog
from tally import counts as tc
from tally import kinds as tk
from tally import paper as tp
from tally.messages import N_, Term
from tally.parts import part_from_result
from tally.roundfile import RoundFileError
from tally.rules import RulesError, load_rules
from tally.score import score_round
from tally.table import PARTS

CERTIFICATE_FORMAT = "ballotroom-certificate/1"
BUNDLE_FORMAT = "ballotroom-bundle/1"


# One canonical JSON for everything hashed or signed: the log's, re-exported here.
canonical = eventlog.canonical


def ballot_line(answers: dict, group: str | None, marks: dict | None = None) -> str:
    """One ballot as the digest sees it: its canonical answers (and group, for named kinds; and a
    paper ballot's marks, the contests it spoils or the whole ballot spoiled, tally.paper). A
    ballot without group or marks is its answers alone, as it always was."""
    if marks:
        return canonical({"answers": answers, **marks})
    return canonical(answers) if group is None else canonical({"answers": answers, "group": group})


COUNT_KEYS = ("expected", "present", "issued", "cast", "blank", "spoiled")


def certified_counts(result: dict) -> dict:
    """The counts a certificate and the log's record of the close carry: with paper ballots
    also how many were handed out and entered (so that the tracking codes, one per tablet
    ballot, can be checked); a poll without paper keeps the shape certificates always had."""
    counts = {k: result[k] for k in COUNT_KEYS}
    if result.get("paper"):
        counts.update(paper_issued=result["paper"]["issued"], paper_returned=result["paper"]["returned"])
    return counts


def ballot_box_digest(lines: list[str]) -> str:
    """SHA-256 over the sorted ballot lines: fixed at close, recomputable by anyone."""
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def rules_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def public_key_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def fingerprint(public_pem: str) -> str:
    """SHA-256 of the raw public key, grouped for reading aloud."""
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest().upper()
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def sign(key: Ed25519PrivateKey, certificate: dict) -> str:
    return base64.b64encode(key.sign(canonical(certificate).encode("utf-8"))).decode("ascii")


def codes_digest(codes: list[str]) -> str:
    """SHA-256 of the sorted tracking codes: the list voters check is the one fixed at close."""
    return hashlib.sha256("\n".join(sorted(codes)).encode("utf-8")).hexdigest()


def certificate_for(result: dict, contests: list[dict], meeting: dict, rules_text: str,
                    closed_event_hash: str, closed_at: str, codes: list[str]) -> dict:
    return {
        "format": CERTIFICATE_FORMAT,
        "poll": result["poll"],
        "title": result["title"],
        "kind": result["kind"],
        "secret": result["secret"],
        "meeting": {"id": meeting["id"], "title": meeting["title"]},
        "contests": contests,
        "counts": certified_counts(result),
        **({"reconciled": result["counts"]} if "counts" in result else {}),  # tally.counts, as pages show it
        **({"invalid": True} if result.get("invalid") else {}),
        "quorum_met": result["quorum_met"],
        "result": result["contests"],
        "digest": result["digest"],
        "tracking_codes_sha256": codes_digest(codes),
        "rules_sha256": rules_hash(rules_text),
        "closed_at": closed_at,
        "log_entry": closed_event_hash,
    }


@dataclass(frozen=True)
class Signer:
    """The instance's signing key and the rules text in force."""

    key: Ed25519PrivateKey
    rules_text: str


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""  # in English, with whatever technical detail there is
    # The detail's sentence and its values kept apart, for the reader's language (the command line).
    template: str = field(default="", compare=False)
    params: dict = field(default_factory=dict, compare=False)


# Each check's name in words (the names themselves are what scripts and tests match).
CHECK_NAMES = {
    "shape": N_("shape"), "format": N_("format"), "certificate": N_("certificate"), "signature": N_("signature"),
    "public key": N_("public key"), "ballots": N_("ballots"), "digest": N_("digest"),
    "tracking codes": N_("tracking codes"), "counts": N_("counts"), "rules": N_("rules"),
    "spoiled": N_("spoiled ballots"), "recount": N_("recount"), "blank": N_("blank ballots"), "log": N_("log"),
    "log chain": N_("log chain"), "log entry": N_("log entry"), "log bounds": N_("log bounds"),
    "log agrees": N_("log agrees"), "poll": N_("poll"), "parts": N_("parts"), "score sheet": N_("score sheet"),
}


def _shown(value: object) -> object:
    return "-" if value is None else value


def said(name: str, ok: object, template: str = "", detail: str | None = None, **params: object) -> Check:
    """A check whose failure is told by ``template`` filled with ``params``; ``detail`` is the
    English when it says more than the sentence (a technical difference, an exception)."""
    if ok:
        return Check(name, True)
    return Check(name, False, detail if detail is not None else (template % params if params else template),
                 template, params)


def verify_bundle(bundle: object, expected_fingerprint: str | None = None) -> list[Check]:
    """Every check of a bundle, in order; a failed check says what is wrong. A bundle of the
    wrong shape fails a check too: it never raises."""
    checks: list[Check] = []
    try:
        return _verify_bundle(bundle, expected_fingerprint, checks)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        checks.append(said("shape", False, N_("the bundle is malformed"),
                           f"the bundle is malformed where checked last ({type(exc).__name__}: {exc})"))
        return checks


def _verify_bundle(bundle: object, expected_fingerprint: str | None, checks: list[Check]) -> list[Check]:

    def check(name: str, ok: object, template: str = "", detail: str | None = None, **params: object) -> bool:
        checks.append(said(name, ok, template, detail, **params))
        return bool(ok)

    if not check("format", isinstance(bundle, dict) and bundle.get("format") == BUNDLE_FORMAT,
                 N_("not an evidence bundle of a poll"), f"not a {BUNDLE_FORMAT} bundle"):
        return checks
    cert = bundle.get("certificate")
    if not check("certificate", isinstance(cert, dict) and cert.get("format") == CERTIFICATE_FORMAT,
                 N_("the certificate is missing or of an unknown format")):
        return checks

    # 1. Signature: the certificate is what the server signed.
    try:
        pem = bundle["public_key"]
        key = serialization.load_pem_public_key(pem.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        key.verify(base64.b64decode(bundle["signature"], validate=True), canonical(cert).encode("utf-8"))
        check("signature", True)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidSignature) as exc:
        check("signature", False, N_("the signature does not match the certificate and public key"),
              f"the signature does not match the certificate and public key ({type(exc).__name__})")
    if expected_fingerprint:
        try:
            actual = fingerprint(bundle["public_key"])
        except (KeyError, TypeError, ValueError):
            actual = "?"
        check("public key", actual.replace(":", "").upper() == expected_fingerprint.replace(":", "").upper(),
              N_("the bundle's public key %(actual)s is not the expected %(expected)s"),
              actual=actual, expected=expected_fingerprint)

    # 2. Ballot box: the ballots are the ones whose digest was fixed at close.
    ballots = bundle.get("ballots")
    valid_ballots = isinstance(ballots, list) and all(
        isinstance(b, dict) and isinstance(b.get("answers"), dict) for b in ballots)
    if not check("ballots", valid_ballots, N_("the ballots list is missing or malformed")):
        return checks
    lines = [ballot_line(b["answers"], b.get("group"), _marks(b)) for b in ballots]
    check("digest", ballot_box_digest(lines) == cert.get("digest"),
          N_("the ballots do not match the digest fixed at close (a ballot was added, removed or changed)"))
    counts = cert.get("counts") or {}
    codes = bundle.get("tracking_codes")
    codes_ok = isinstance(codes, list) and all(isinstance(c, str) for c in codes)
    tablet = counts.get("cast", 0) - counts.get("paper_returned", 0)  # a paper ballot has no tracking code
    check("tracking codes", codes_ok and len(codes) == tablet and len(set(codes)) == len(codes)
          and codes == sorted(codes) and codes_digest(codes) == cert.get("tracking_codes_sha256"),
          N_("expected the %(expected)s tracking codes fixed at close, distinct and sorted; found %(found)s, "
             "or other codes"), expected=tablet, found=len(codes) if isinstance(codes, list) else 0)
    # More returned than issued is possible only with paper, and then the certificate says the
    # poll is invalid (tally.paper.invalid); it must say so exactly then.
    exceeds = tp.invalid(counts.get("cast", 0), counts.get("issued", -1), counts.get("paper_returned", 0),
                         counts.get("paper_issued", 0))
    check("counts", len(ballots) == counts.get("cast") and exceeds == bool(cert.get("invalid"))
          and (counts.get("present") is None or counts.get("present") <= counts.get("expected", -1))
          and ("reconciled" not in cert or tc.agrees(cert["reconciled"], counts, invalid=exceeds)),
          N_("cast %(cast)s with %(ballots)s ballots, issued %(issued)s, present %(present)s, expected "
             "%(expected)s do not add up"), cast=counts.get("cast"), ballots=len(ballots),
          issued=counts.get("issued"), present=_shown(counts.get("present")), expected=counts.get("expected"))

    # 3. Recount with the same rules: tally, bars and quorum.
    rules_text = bundle.get("rules")
    if check("rules", isinstance(rules_text, str) and rules_hash(rules_text) == cert.get("rules_sha256"),
             N_("the rules text is not the one the certificate names")):
        try:
            rules = load_rules(rules_text)
            contests = tk.contests_from_dicts(cert["contests"])
            recount = tk.count_poll(
                cert["kind"], contests, [tk.Ballot(answers=b["answers"], group=b.get("group")) for b in ballots],
                expected=counts["expected"], present=counts["present"], rules=rules)
            if exceeds:
                recount["contests"] = tp.voided_result(recount["contests"])
            figures = tp.box_figures(cert["kind"], [(b["answers"], _marks(b), 1) for b in ballots])
            blank = figures["blank"]
            check("spoiled", figures["spoiled"] == counts.get("spoiled"),
                  N_("%(found)s spoiled ballots, the certificate says %(certified)s"),
                  found=figures["spoiled"], certified=_shown(counts.get("spoiled")))
            same = recount["contests"] == cert.get("result") and recount["quorum_met"] == cert.get("quorum_met")
            check("recount", same, N_("recounting the ballots gives a different result"),
                  "" if same else "recounting the ballots gives a different result: " + _first_difference(
                      recount["contests"], cert.get("result")))
            check("blank", blank == counts.get("blank"), N_("%(found)s blank ballots, the certificate says %(certified)s"),
                  found=blank, certified=_shown(counts.get("blank")))
        except (RulesError, KeyError, TypeError, ValueError) as exc:
            check("recount", False, N_("the ballots could not be recounted"),
                  f"the ballots could not be recounted: {exc}")

    # 4. Log slice: an intact chain that records the close with this digest.
    log = bundle.get("log")
    if check("log", isinstance(log, list) and log, N_("the log slice is missing")):
        try:
            problems = eventlog.verify(log, start=log[0]["prev_hash"])
        except (KeyError, TypeError) as exc:
            problems = [f"malformed log entry ({exc})"]
        broken_at = re.search(r"entry (\d+)", problems[0]) if problems else None
        check("log chain", not problems, N_("the log slice's hash chain is broken at entry %(seq)s"),
              "; ".join(problems[:3]), seq=broken_at.group(1) if broken_at else "?")
        closed = [e for e in log if isinstance(e, dict) and e.get("type") == "poll.closed"
                  and _payload(e).get("poll") == cert.get("poll")]
        entry_ok = bool(closed) and closed[-1].get("hash") == cert.get("log_entry")
        check("log entry", entry_ok, N_("the log does not hold the entry that closed this poll"))
        first, last = log[0], log[-1]
        check("log bounds", isinstance(first, dict) and first.get("type") == "poll.created"
              and _payload(first).get("id") == cert.get("poll") and last.get("hash") == cert.get("log_entry"),
              N_("the log slice must run from this poll's creation to its close, no more and no less"))
        if entry_ok:
            payload = _payload(closed[-1])
            check("log agrees", payload.get("digest") == cert.get("digest")
                  and all(payload.get(k) == counts.get(k) for k in counts),
                  N_("the log's record of the close differs from the certificate"))
    return checks


def _marks(ballot: dict) -> dict | None:
    """A bundled ballot's paper marks (tally.paper.PaperBallot.marks), checked; None for none."""
    marks = {k: ballot[k] for k in ("spoiled_contests", "spoiled_whole") if k in ballot}
    tp.marks_of(marks)  # a malformed mark fails the check that reads it, never passes unseen
    return marks or None


def _payload(entry: dict) -> dict:
    try:
        value = json.loads(entry.get("payload", "{}"))
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _first_difference(a: object, b: object, path: str = "result") -> str:
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: recount {a!r}, certificate {b!r}"


def round_statement(round_doc: object, sources: object, scores: object, rules_text: object,
                    poll_ids: list) -> dict:
    """What the server signs for a round: its file, where each part came from, the sheet."""
    return {"format": "ballotroom-round-statement/1", "round": round_doc, "sources": sources,
            "scores": scores, "rules_sha256": rules_hash(rules_text) if isinstance(rules_text, str) else None,
            "polls": sorted(poll_ids)}


def verify_round_bundle(bundle: object, expected_fingerprint: str | None = None) -> list[Check]:
    """Every poll behind the round verifies, every part taken from a poll is that poll's
    certified figure, and the score sheet recomputes from the round file and the rules."""
    checks: list[Check] = []
    if not isinstance(bundle, dict) or bundle.get("format") != "ballotroom-round-bundle/1":
        return [said("format", False, N_("not an evidence bundle of a round"), "not a ballotroom-round-bundle/1 bundle")]
    checks.append(Check("format", True))
    polls = bundle.get("polls") if isinstance(bundle.get("polls"), dict) else {}
    try:
        key = serialization.load_pem_public_key(bundle["public_key"].encode("ascii"))
        statement = round_statement(bundle.get("round"), bundle.get("sources"), bundle.get("scores"),
                                    bundle.get("rules"), list(polls))
        key.verify(base64.b64decode(bundle["signature"], validate=True), canonical(statement).encode("utf-8"))
        checks.append(Check("signature", True))
    except (KeyError, TypeError, ValueError, AttributeError, InvalidSignature) as exc:
        checks.append(said("signature", False, N_("the round file, its sources, the sheet and the polls are not "
                                                  "what the server signed"),
                           "the round file, its sources, the sheet and the polls are not "
                           f"what the server signed ({type(exc).__name__})"))
    if expected_fingerprint:
        try:
            actual = fingerprint(bundle["public_key"])
        except (KeyError, TypeError, ValueError, AttributeError):
            actual = "?"
        checks.append(said("public key", actual.replace(":", "").upper() == expected_fingerprint.replace(":", "").upper(),
                           N_("the bundle's public key %(actual)s is not the expected %(expected)s"),
                           actual=actual, expected=expected_fingerprint))
    certified: dict[str, dict] = {}
    for poll_id, poll_bundle in sorted(polls.items()):
        results = verify_bundle(poll_bundle, expected_fingerprint or bundle.get("public_key_fingerprint"))
        failed = [c for c in results if not c.ok]
        checks.append(said(f"poll {poll_id}", not failed, N_("%(n)s check(s) of its bundle fail, the first: %(first)s"),
                           "; ".join(f"{c.name}: {c.detail}" for c in failed),
                           n=len(failed), first=Term(CHECK_NAMES.get(failed[0].name, failed[0].name)) if failed else ""))
        if not failed:
            certified[poll_id] = poll_bundle["certificate"]
    round_doc = bundle.get("round")
    sources = bundle.get("sources") if isinstance(bundle.get("sources"), dict) else {}
    candidates = {c.get("id"): c for c in (round_doc or {}).get("candidates", []) if isinstance(c, dict)}
    mismatches = []
    for cid, parts in sorted(sources.items()):
        for part, source in sorted(parts.items()):
            if source.get("from") != "poll":
                continue
            cert = certified.get(source.get("poll"))
            if cert is None:
                mismatches.append((N_("candidate %(candidate)s, %(part)s: its poll %(poll)s is missing or does not verify"),
                                   f"{cid}.{part}: its poll {source.get('poll')} is missing or does not verify",
                                   {"candidate": cid, "part": Term(PARTS.get(part, part)), "poll": source.get("poll")}))
                continue
            rows = [r for c in cert["result"] for r in c["candidates"] if r["id"] == cid]
            result = {"cast": cert["counts"]["cast"]}
            if not rows or part_from_result(part, rows[0], result) != candidates.get(cid, {}).get(part):
                mismatches.append((N_("candidate %(candidate)s, %(part)s: differs from poll %(poll)s's certified result"),
                                   f"{cid}.{part} differs from poll {source.get('poll')}'s certified result",
                                   {"candidate": cid, "part": Term(PARTS.get(part, part)), "poll": source.get("poll")}))
    first = mismatches[0] if mismatches else ("", "", {})
    checks.append(said("parts", not mismatches, first[0], "; ".join(m[1] for m in mismatches[:5]), **first[2]))
    try:
        rules = load_rules(bundle.get("rules"))
        again = score_round(round_doc, rules)
        same = again == bundle.get("scores")
        checks.append(said("score sheet", same, N_("recomputing the round file gives another score sheet"),
                           "" if same else "recomputing the round file gives another score sheet: "
                           + _first_difference(again, bundle.get("scores"), "scores")))
    except (RulesError, RoundFileError, TypeError, ValueError, KeyError, AttributeError) as exc:
        checks.append(said("score sheet", False, N_("the round file or rules could not be scored"),
                           f"the round file or rules could not be scored: {exc}"))
    return checks
