"""One-time ballot tokens: generation, check characters, keyed hashing.

A token is 22 random Crockford base32 characters (110 bits; SECURITY.md
promises at least 100) followed by 2 check characters, printed in groups of four:
``7Q2M-K9XF-...``. The check characters let a typo (400) be told apart from
a well-formed code that was never issued (404) without touching the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
BODY_LENGTH = 22
CHECK_LENGTH = 2
LENGTH = BODY_LENGTH + CHECK_LENGTH
# Characters people mistake for one another are read as the one we print.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


class TokenFormatError(ValueError):
    """The text is not a token: wrong length, wrong characters or check failed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "length" | "characters" | "check"


# The check characters are the two parity symbols of a Reed-Solomon code over
# GF(32) (one symbol = one base32 character). Its minimum distance is 3, so any
# one or two wrong characters, a swap of two neighbours included, always fail
# the check: a typo is never mistaken for another issued code.
_GF_POLY = 0b100101  # x^5 + x^2 + 1, primitive
_EXP = [0] * 62
_LOG = [0] * 32
_x = 1
for _i in range(31):
    _EXP[_i] = _EXP[_i + 31] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 32:
        _x ^= _GF_POLY


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


# g(x) = (x + a)(x + a^2) = x^2 + (a + a^2) x + a^3
_G1 = _EXP[1] ^ _EXP[2]
_G0 = _EXP[3]


def _check(body: str) -> str:
    r0 = r1 = 0
    for ch in body:
        feedback = ALPHABET.index(ch) ^ r0
        r0 = r1 ^ _mul(feedback, _G1)
        r1 = _mul(feedback, _G0)
    return ALPHABET[r0] + ALPHABET[r1]


def generate() -> str:
    """A new token in its canonical (ungrouped) form."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check(body)


def normalize(text: object) -> str:
    """The canonical form of a typed or scanned token, or TokenFormatError."""
    if not isinstance(text, str):
        raise TokenFormatError("characters")
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_READ_AS)
    if len(cleaned) != LENGTH:
        raise TokenFormatError("length")
    if any(ch not in ALPHABET for ch in cleaned):
        raise TokenFormatError("characters")
    if _check(cleaned[:BODY_LENGTH]) != cleaned[BODY_LENGTH:]:
        raise TokenFormatError("check")
    return cleaned


def display(token: str) -> str:
    """Groups of four for printing and typing."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def keyed_hash(key: bytes, token: str) -> str:
    """What the database stores in place of the token."""
    return hmac.new(key, b"token:" + token.encode("ascii"), hashlib.sha256).hexdigest()


def tracking_code(key: bytes, token: str) -> str:
    """The receipt's code, derived from the token so that it never needs storing
    beside it: a tablet retrying a used token is told its code again, while the
    server keeps no token-to-ballot link (SECURITY.md, "Integrity and evidence")."""
    mac = hmac.new(key, b"receipt:" + token.encode("ascii"), hashlib.sha256).digest()
    value = int.from_bytes(mac[:8], "big")
    chars = []
    for _ in range(10):  # 50 bits: unique within any poll with overwhelming odds
        chars.append(ALPHABET[value & 31])
        value >>= 5
    code = "".join(chars)
    return f"{code[:5]}-{code[5:]}"
