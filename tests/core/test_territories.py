"""Named territories from postal codes (core/territories.py, decision 0020): pure, exact values."""

from __future__ import annotations

import pytest

from comptoir.catalog.provenance import LocalRule
from comptoir.core.parameters import ParameterError, parse_value
from comptoir.core.territories import (
    DEPARTEMENTS,
    REGIONS_FR,
    TerritoryError,
    areas_of,
    departement_of,
    normalise_territory,
    province_of,
    territory_name,
)


@pytest.mark.parametrize(
    ("postal_code", "province"),
    [
        ("H2T 1S6", "QC"), ("h2t1s6", "QC"), ("G1R 4P5", "QC"), ("J8X 3X7", "QC"),  # Montréal, Québec, Gatineau
        ("K1A 0B1", "ON"), ("L5B 1M2", "ON"), ("M5V 2T6", "ON"), ("N2L 3G1", "ON"), ("P3E 2C6", "ON"),
        ("A1C 5M2", "NL"), ("B3H 4R2", "NS"), ("C1A 4P3", "PE"), ("E1C 4M3", "NB"), ("R3C 4T3", "MB"),
        ("S4P 3Y2", "SK"), ("T2P 2M5", "AB"), ("V6B 1A1", "BC"), ("Y1A 2C6", "YT"),
        ("X0A 0H0", "NU"), ("X0C 0A0", "NU"), ("X1A 2P7", "NT"), ("X0E 0N0", "NT"),
        ("D1A 1A1", None), ("X9Z 9Z9", None), ("25290", None), ("H2T", None),
    ],
)  # fmt: skip
def test_a_canadian_postal_code_s_first_letter_names_the_province(
    postal_code: str, province: str | None
) -> None:
    assert province_of(postal_code) == province


@pytest.mark.parametrize(
    ("postal_code", "departement"),
    [
        ("25290", "25"), ("25000", "25"), ("01000", "01"), ("39100", "39"), ("75001", "75"), ("95000", "95"),
        ("20000", "2A"), ("20167", "2A"), ("20200", "2B"), ("20600", "2B"), ("20300", None),
        ("97100", "971"), ("97200", "972"), ("97300", "973"), ("97400", "974"), ("97600", "976"),
        ("97500", None), ("98000", None), ("00100", None), ("2529", None), ("H2T 1S6", None),
    ],
)  # fmt: skip
def test_a_french_postal_code_names_its_departement(postal_code: str, departement: str | None) -> None:
    assert departement_of(postal_code) == departement


def test_the_regions_cover_each_of_the_101_departements_once() -> None:
    every = [d for _name, deps in REGIONS_FR.values() for d in deps]
    assert (len(REGIONS_FR), len(every), len(set(every)), len(DEPARTEMENTS)) == (18, 101, 101, 101)
    assert set(every) == {f"{n:02d}" for n in range(1, 96) if n != 20} | {
        "2A",
        "2B",
        "971",
        "972",
        "973",
        "974",
        "976",
    }
    assert REGIONS_FR["BFC"] == ("Bourgogne-Franche-Comté", ("21", "25", "39", "58", "70", "71", "89", "90"))


def test_a_place_lies_in_its_country_province_departement_and_region() -> None:
    assert areas_of("25290", "FR") == {"FR", "FR-25", "FR-BFC"}
    assert areas_of("20200", "", default_country="FR") == {"FR", "FR-2B", "FR-20R"}
    assert areas_of("97400", "fr") == {"FR", "FR-974", "FR-LRE"}
    assert areas_of("h2t 1s6", "", default_country="CA") == {"CA", "CA-QC"}
    assert areas_of("K1A 0B1", "CA") == {"CA", "CA-ON"}
    assert areas_of("10115", "DE", default_country="FR") == {"DE"}  # a German code is not read as French
    assert areas_of("", "") == frozenset()
    assert areas_of("garbage", "FR") == {"FR"}


def test_a_governed_territory_is_typed_any_way_and_refused_with_the_forms_accepted() -> None:
    assert [normalise_territory(t) for t in ("qc", "ca-qc", " FR-25 ", "fr-2a", "FR-bfc", "CA", "aucun", "")] == [
        "CA-QC", "CA-QC", "FR-25", "FR-2A", "FR-BFC", "CA", "", "",
    ]  # fmt: skip
    for bad in ("FR-20", "FR-96", "CA-XX", "Quebec", "US-NY"):
        with pytest.raises(TerritoryError, match="unknown territory"):
            normalise_territory(bad)
    assert parse_value("local_territory", "qc") == "CA-QC"
    with pytest.raises(ParameterError, match="local_territory: unknown territory 'FR-20'"):
        parse_value("local_territory", "FR-20")
    assert (territory_name("CA-QC"), territory_name("CA-QC", "en"), territory_name("FR-BFC"), territory_name("FR-25")) == (
        "Québec", "Quebec", "Bourgogne-Franche-Comté", "département 25",
    )  # fmt: skip


def test_local_by_territory_needs_a_placed_origin_inside_it_and_ignores_the_radius() -> None:
    quebec = LocalRule(radius_km=100.0, territory="CA-QC")
    assert quebec.is_local(250.0, areas_of("G1R 4P5", "CA"))  # Québec City, 250 km from Montréal
    assert not quebec.is_local(12.0, areas_of("K6H 1A1", "CA"))  # Cornwall, Ontario: close, not inside
    assert not quebec.is_local(None, areas_of("G1R 4P5", "CA"))  # no coordinates: unknown, never local
    assert not quebec.is_local(5.0, frozenset())  # a declared place without a postal code
    radius = LocalRule(radius_km=100.0)
    assert radius.is_local(100.0, frozenset()) and not radius.is_local(100.1, areas_of("G1R 4P5", "CA"))
