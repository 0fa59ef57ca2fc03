"""Turning exact fractions into the decimal strings people and clients see.

Rounding happens here and nowhere else, half-up (decimal.ROUND_HALF_UP): 0.125 -> "0.13".
Comparisons against bars are made on the fractions before this point, never on these strings.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

RATE_PLACES = 4
POINTS_PLACES = 2


def fixed(value: Fraction, places: int) -> str:
    """``value`` rounded half-up to ``places`` decimals, as a plain string ("18.50")."""
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    # Half-up: a remainder of exactly one half goes away from zero, as ROUND_HALF_UP does.
    if 2 * rest >= scaled.denominator:
        whole += 1
    text = format(Decimal(whole).scaleb(-places), "f")
    return f"-{text}" if value < 0 and whole else text


def rate_text(value: Fraction) -> str:
    """A rate or share as a 4-place string: 3/10 -> "0.3000"."""
    return fixed(value, RATE_PLACES)


def points_text(value: Fraction) -> str:
    """A score or total as a 2-place string: 37/2 -> "18.50"."""
    return fixed(value, POINTS_PLACES)
