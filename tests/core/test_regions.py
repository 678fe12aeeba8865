"""Region profiles (pure): a tax configuration that does not add up is refused, postal codes read the region's way."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from comptoir.core.money import Money, MoneyError
from comptoir.core.regions import FRANCE, GST, QUEBEC, RegionError, Tax, TaxCode, check_region, region_named


def test_a_tax_configuration_that_does_not_add_up_is_refused() -> None:
    twice = replace(QUEBEC, tax_codes=(TaxCode("X", (GST, GST), "", ""),), default_tax_code="X")
    with pytest.raises(RegionError, match="tax code X names a tax twice"):
        check_region(twice)
    with pytest.raises(RegionError, match="default tax code 'TVH'"):
        check_region(replace(QUEBEC, default_tax_code="TVH"))
    shared = Tax("HST", "TVH", "HST", Decimal("13"), GST.account)
    with pytest.raises(RegionError, match="would share account 445711"):
        check_region(replace(QUEBEC, tax_codes=(*QUEBEC.tax_codes, TaxCode("TVH", (shared,), "", ""))))
    with pytest.raises(RegionError, match="rate 120 is not a percent"):
        check_region(replace(FRANCE, tax_codes=(TaxCode("T", (Tax("VAT", "TVA", "VAT", Decimal(120), "44571"),), "", ""),),
                             default_tax_code="T"))  # fmt: skip
    assert check_region(QUEBEC) is QUEBEC


def test_tax_codes_and_regions_by_name() -> None:
    assert QUEBEC.tax_code(" tps+tvq ").rate == Decimal("14.975")
    with pytest.raises(RegionError, match=r"unknown tax code 'TVH' \(accepted: TPS\+TVQ, TPS, DETAXE\)"):
        QUEBEC.tax_code("TVH")
    with pytest.raises(RegionError, match="known: france, quebec"):
        region_named("ontario")


def test_postal_codes_are_read_the_regions_way() -> None:
    assert QUEBEC.normalise_postal_code("h2t1s6") == "H2T 1S6"
    assert FRANCE.normalise_postal_code(" 25290 ") == "25290"
    for wrong in ("H2T 1S", "D2T 1S6", "25290"):  # Canada Post never uses D as a first letter
        with pytest.raises(RegionError):
            QUEBEC.normalise_postal_code(wrong)


def test_money_is_written_per_currency_and_locale() -> None:
    assert Money(240, "CAD").format(QUEBEC.money_locale("fr")) == "2,40\u00a0$"
    assert Money(240, "CAD").format(QUEBEC.money_locale("en")) == "$2.40"
    assert Money(240, "EUR").format(FRANCE.money_locale("fr")) == "2,40\u00a0€"
    assert Money.parse("2,40 $", "CAD") == Money(240, "CAD")
    with pytest.raises(MoneyError):
        Money(1, "CAD") + Money(1, "EUR")
