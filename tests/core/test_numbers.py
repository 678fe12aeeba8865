"""Strict numbers: the text is judged before any Decimal is built, then the range."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.numbers import MAX_TEXT, NumberError, parse_decimal, parse_whole


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1e999999999", "syntax"), ("1E5", "syntax"), ("Infinity", "syntax"), ("-inf", "syntax"),
        ("NaN", "syntax"), ("sNaN", "syntax"), ("0x10", "syntax"), ("1_000", "syntax"), ("", "syntax"),
        ("12,5,1", "syntax"), ("٣", "syntax"), ("²", "syntax"), ("1" * (MAX_TEXT + 1), "too_long"),
        ("9" * 16, "syntax"), ("-1", "range"), ("1000001", "range"), ("2,5", "places"),
        (float("inf"), "syntax"), (float("nan"), "syntax"), (True, "syntax"), (None, "syntax"),
    ],
)  # fmt: skip
def test_refusals_name_their_kind(text, kind):
    with pytest.raises(NumberError) as caught:
        parse_whole(text, low=0, high=1_000_000)
    assert caught.value.kind == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("1 000", 1000),
        ("1\u202f000", 1000),
        ("12,0", 12),
        ("+3", 3),
        (42, 42),
        (5.0, 5),
    ],
)
def test_accepted_whole_numbers(text, expected):
    assert parse_whole(text, low=0, high=1_000_000) == expected


def test_decimals_keep_their_places_and_bounds():
    assert parse_decimal("2,50", low=0, high=100, places=2) == Decimal("2.5")
    assert parse_decimal("-89.123456", low=-90, high=90, places=6) == Decimal("-89.123456")
    with pytest.raises(NumberError) as caught:
        parse_decimal("0,001", low=Decimal("0.01"), high=100, places=3)
    assert (caught.value.kind, caught.value.low) == ("range", Decimal("0.01"))


@settings(deadline=None)  # the property is the bound, not the time (bench/hostile_probe.py times it)
@given(st.text(max_size=40))
def test_any_text_is_a_bounded_number_or_a_number_error(text):
    try:
        value = parse_decimal(text, low=-(10**6), high=10**6, places=3)
    except NumberError:
        return
    assert -(10**6) <= value <= 10**6
    assert value == value.quantize(Decimal("0.001"))
