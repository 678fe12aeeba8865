"""Numbers, units, percentages, labels and days as each language writes them (issue 20 item 16)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from comptoir.core import formats, l10n


@pytest.mark.parametrize(
    ("value", "places", "lang", "text"),
    [
        (2.5, 1, "fr", "2,5"),
        (2.5, 1, "en", "2.5"),
        (Decimal("0.05"), 1, "fr", "0,1"),  # half up, not to even
        (1234567.891, 2, "fr", "1\u202f234\u202f567,89"),
        (1234567.891, 2, "en", "1,234,567.89"),
        (-0.04, 1, "fr", "0,0"),  # never "-0,0"
        (3, 0, "fr", "3"),
    ],
)
def test_number(value, places, lang, text):
    assert formats.number(value, places, lang) == text


def test_units_percentages_and_labels():
    assert formats.quantity(2.5, 1, "km", "fr") == "2,5\u00a0km"
    assert formats.quantity(0.4, 1, "kg", "en") == "0.4\u00a0kg"
    assert formats.percent(Decimal("2"), 1, "fr") == "2,0\u202f%"
    assert formats.percent(Decimal("2"), 1, "en") == "2.0%"
    assert formats.colon("Total", "fr") == "Total\u00a0:"
    assert formats.colon("Total", "en") == "Total:"


def test_days_in_lower_case_in_french():
    wednesday = date(2026, 12, 2)
    assert l10n.day_short(wednesday, "fr") == "mer. 2\u00a0déc."
    assert l10n.day_short(wednesday, "en") == "Wed 2 Dec"
    assert l10n.day_long(date(2026, 12, 3), "fr") == "jeudi 3 décembre"
    assert l10n.day_long(date(2026, 12, 3), "en") == "Thursday 3 December"
    assert l10n.day_short(date(2026, 5, 4), "fr") == "lun. 4\u00a0mai"


def test_natural_places_and_decimal_marks():
    assert formats.percent(Decimal("5.50"), None, "fr") == "5,5\u202f%"
    assert formats.percent(Decimal("20.00"), None, "en") == "20%"
    assert formats.decimal_marks("9.930^1 × 0.899^1.5 = 8.9270", "fr") == "9,930^1 × 0,899^1,5 = 8,9270"
    assert formats.decimal_marks("9.930^1", "en") == "9.930^1"


def test_french_spacing_puts_no_break_spaces_where_plain_ones_were():
    assert formats.french_spacing("Créneau : 10:30 ; merci ! Prêt ? « oui »") == (
        "Créneau\u00a0: 10:30\u00a0; merci\u00a0! Prêt\u00a0? «\u00a0oui\u00a0»"
    )
    assert formats.french_spacing("https://example.org/?q=1") == "https://example.org/?q=1"
    assert formats.french_spacing("Total\u00a0: 2") == "Total\u00a0: 2"


def test_weekdays_and_sizes():
    assert [l10n.weekday_short(d, "fr") for d in range(7)] == [
        "lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."
    ]  # fmt: skip
    assert [l10n.weekday_short(d, "en") for d in range(7)] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    assert l10n.size(Decimal("6"), "piece", "fr") == "6\u00a0pièces"
    assert l10n.size(Decimal("1"), "piece", "fr") == "1\u00a0pièce"
    assert l10n.size(Decimal("6"), "piece", "en") == "6\u00a0pieces"
    assert l10n.size(Decimal("1"), "piece", "en") == "1\u00a0piece"
    assert l10n.size(Decimal("0.400"), "kg", "fr") == "0,4\u00a0kg"
    assert l10n.size(Decimal("0.400"), "kg", "en") == "0.4\u00a0kg"
    assert l10n.size(Decimal("1500"), "g", "fr") == "1\u202f500\u00a0g"
    assert l10n.size(Decimal("1.5"), "l", "fr") == "1,5\u00a0L"
