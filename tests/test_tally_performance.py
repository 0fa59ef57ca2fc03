"""Performance from a record, by the rules file's example table."""

from fractions import Fraction

import pytest

from tally.performance import RecordError, performance_from_record
from tally.rules import default_rules

R = default_rules()


@pytest.mark.parametrize("record, base, bonus", [
    ({"class": "first_class", "ranking": "first_place", "awards": {"national": 1}}, 30, 8),
    ({"class": "second_class", "ranking": None, "awards": {}}, 27, 0),
    ({"class": "third_class", "ranking": "third_place", "awards": {"county": 2, "prefectural": 1}}, 24, 5),
    ({"class": "unranked"}, 20, 0),
])
def test_base_and_bonus_from_the_table(record, base, bonus):
    assert performance_from_record(record, R) == (Fraction(base), Fraction(bonus))


@pytest.mark.parametrize("record, key", [
    ({"class": "best"}, "record.class"),
    ({"class": "first_class", "ranking": "tenth"}, "record.ranking"),
    ({"class": "first_class", "awards": {"galactic": 1}}, "record.awards.galactic"),
    ({"class": "first_class", "awards": {"national": -1}}, "record.awards.national"),
    ({"class": "first_class", "awards": {"national": True}}, "record.awards.national"),
    ({"class": "first_class", "extra": 1}, "record.extra"),
    ("first_class", "record"),
])
def test_bad_records_name_the_field(record, key):
    with pytest.raises(RecordError) as exc:
        performance_from_record(record, R)
    assert exc.value.key == key
