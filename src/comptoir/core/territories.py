"""Named territories a node may call "local": a country, a Canadian province or territory, a French
département or région (pure, no Django; decision 0020).

A place's territories are read from its postal code, by public rules written here in code:

- Canada (Canada Post): the first letter of a postal code names the province or territory — A
  Newfoundland and Labrador, B Nova Scotia, C Prince Edward Island, E New Brunswick, G/H/J Québec,
  K/L/M/N/P Ontario, R Manitoba, S Saskatchewan, T Alberta, V British Columbia, Y Yukon; X is shared
  by Nunavut (X0A, X0B, X0C) and the Northwest Territories (X0E, X0G, X1A).
- France (La Poste): the first two digits name the département, except Corsica (20: 200xx and 201xx
  are Corse-du-Sud 2A, 202xx and 206xx Haute-Corse 2B) and the overseas départements (three digits:
  971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976 Mayotte). A French région is the
  set of its départements (the 2016 map). Codes are ISO 3166-2 ("CA-QC", "FR-25", "FR-BFC").

A handful of French communes are served by a post office of the next département, so their postal
code names that one: the rule is La Poste's, not the land registry's (said in decision 0020).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class TerritoryError(ValueError):
    """A territory name that is not one of those written here."""


# ISO 3166-2:CA, with the first letter(s) of their postal codes.
PROVINCES: dict[str, tuple[str, str]] = {
    "NL": ("Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
    "NS": ("Nouvelle-Écosse", "Nova Scotia"),
    "PE": ("Île-du-Prince-Édouard", "Prince Edward Island"),
    "NB": ("Nouveau-Brunswick", "New Brunswick"),
    "QC": ("Québec", "Quebec"),
    "ON": ("Ontario", "Ontario"),
    "MB": ("Manitoba", "Manitoba"),
    "SK": ("Saskatchewan", "Saskatchewan"),
    "AB": ("Alberta", "Alberta"),
    "BC": ("Colombie-Britannique", "British Columbia"),
    "YT": ("Yukon", "Yukon"),
    "NT": ("Territoires du Nord-Ouest", "Northwest Territories"),
    "NU": ("Nunavut", "Nunavut"),
}
_CA_FIRST_LETTER = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC", "K": "ON", "L": "ON",
    "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK", "T": "AB", "V": "BC", "Y": "YT",
}  # fmt: skip
_CA_X = {"X0A": "NU", "X0B": "NU", "X0C": "NU", "X0E": "NT", "X0G": "NT", "X1A": "NT"}
_CA_POSTAL = re.compile(r"[A-Z]\d[A-Z] ?\d[A-Z]\d")

# French régions since 1 January 2016 (ISO 3166-2:FR), each with its départements.
REGIONS_FR: dict[str, tuple[str, tuple[str, ...]]] = {
    "ARA": ("Auvergne-Rhône-Alpes", ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74")),
    "BFC": ("Bourgogne-Franche-Comté", ("21", "25", "39", "58", "70", "71", "89", "90")),
    "BRE": ("Bretagne", ("22", "29", "35", "56")),
    "CVL": ("Centre-Val de Loire", ("18", "28", "36", "37", "41", "45")),
    "20R": ("Corse", ("2A", "2B")),
    "GES": ("Grand Est", ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")),
    "HDF": ("Hauts-de-France", ("02", "59", "60", "62", "80")),
    "IDF": ("Île-de-France", ("75", "77", "78", "91", "92", "93", "94", "95")),
    "NOR": ("Normandie", ("14", "27", "50", "61", "76")),
    "NAQ": ("Nouvelle-Aquitaine", ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")),
    "OCC": ("Occitanie", ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")),
    "PDL": ("Pays de la Loire", ("44", "49", "53", "72", "85")),
    "PAC": ("Provence-Alpes-Côte d'Azur", ("04", "05", "06", "13", "83", "84")),
    "GUA": ("Guadeloupe", ("971",)),
    "MTQ": ("Martinique", ("972",)),
    "GUF": ("Guyane", ("973",)),
    "LRE": ("La Réunion", ("974",)),
    "MAY": ("Mayotte", ("976",)),
}  # fmt: skip
DEPARTEMENTS: frozenset[str] = frozenset(d for _name, deps in REGIONS_FR.values() for d in deps)
_REGION_OF_DEPARTEMENT = {d: code for code, (_name, deps) in REGIONS_FR.items() for d in deps}
_FR_POSTAL = re.compile(r"\d{5}")

COUNTRIES = {"CA": ("Canada", "Canada"), "FR": ("France", "France")}
NO_TERRITORY = ""  # the governed `local_territory` when "local" is the radius alone
_NO_TERRITORY_WORDS = {"", "-", "NONE", "AUCUN", "AUCUNE", "RAYON", "RADIUS"}


@dataclass(frozen=True)
class Territory:
    code: str  # "CA-QC", "FR-25", "FR-BFC", "CA"
    name: str


def departement_of(postal_code: str) -> str | None:
    """ "25290" → "25", "20000" → "2A", "20200" → "2B", "97400" → "974"; None when no département."""
    compact = re.sub(r"\s+", "", postal_code)
    if not _FR_POSTAL.fullmatch(compact):
        return None
    if compact.startswith("20"):
        return {"0": "2A", "1": "2A", "2": "2B", "6": "2B"}.get(compact[2])
    if compact.startswith("97"):
        return compact[:3] if compact[:3] in DEPARTEMENTS else None  # 975, 977, 978: not départements
    return compact[:2] if compact[:2] in DEPARTEMENTS else None  # 00, 96, 98 (Monaco, Pacific), 99


def province_of(postal_code: str) -> str | None:
    """ "H2T 1S6" → "QC", "K1A 0B1" → "ON", "X0A 0H0" → "NU"; None when it is not a Canadian code."""
    compact = re.sub(r"\s+", "", postal_code).upper()
    if not _CA_POSTAL.fullmatch(compact):
        return None
    if compact[0] == "X":
        return _CA_X.get(compact[:3])
    return _CA_FIRST_LETTER.get(compact[0])


POSTAL_EXAMPLES = {"CA": "H2T 1S6", "FR": "25290"}


def postal_code_in(postal_code: str, country: str) -> str | None:
    """A postal code written its country's way ("h2t1s6", "CA" → "H2T 1S6"; "25 290", "FR" → "25290"),
    or None when it is not one of that country's. A country whose codes are not read here keeps the
    code upper-cased, spaces collapsed."""
    text = re.sub(r"\s+", " ", str(postal_code).strip().upper())
    compact = text.replace(" ", "")
    country = country.strip().upper()
    if country == "CA":
        return f"{compact[:3]} {compact[3:]}" if province_of(compact) else None
    if country == "FR":
        return compact if departement_of(compact) else None
    return text


def areas_of(postal_code: str, country: str, default_country: str = "") -> frozenset[str]:
    """Every territory a place lies in, from its postal code: {"FR", "FR-25", "FR-BFC"},
    {"CA", "CA-QC"}; just {"DE"} for a country whose codes are not read; empty when unknown.
    A blank country is the node's (`default_country`)."""
    country = (country or default_country).strip().upper()
    if not country:
        return frozenset()
    areas = {country}
    code = (postal_code or "").strip()
    if country == "CA":
        province = province_of(code)
        if province:
            areas.add(f"CA-{province}")
    elif country == "FR":
        departement = departement_of(code)
        if departement:
            areas |= {f"FR-{departement}", f"FR-{_REGION_OF_DEPARTEMENT[departement]}"}
    return frozenset(areas)


def normalise_territory(text: str) -> str:
    """A governed territory as typed ("fr-25", "QC", "Ca-Qc", "aucun") → its code ("FR-25", "CA-QC",
    "" for none: the radius alone); TerritoryError names the accepted forms."""
    wanted = re.sub(r"\s+", "", str(text)).upper()
    if wanted in _NO_TERRITORY_WORDS:
        return NO_TERRITORY
    if wanted in PROVINCES:
        wanted = f"CA-{wanted}"
    if wanted in COUNTRIES:
        return wanted
    country, _dash, part = wanted.partition("-")
    if country == "CA" and part in PROVINCES:
        return wanted
    if country == "FR" and (part in DEPARTEMENTS or part in REGIONS_FR):
        return wanted
    raise TerritoryError(
        f"unknown territory {str(text)[:20]!r} (a country CA or FR, a province such as CA-QC, "
        "a département such as FR-25 or FR-2A, or a région such as FR-BFC)"
    )


def territory_name(code: str, lang: str = "fr") -> str:
    """ "CA-QC" → "Québec", "FR-BFC" → "Bourgogne-Franche-Comté", "FR-25" → "département 25"."""
    english = lang.startswith("en")
    if code in COUNTRIES:
        return COUNTRIES[code][1 if english else 0]
    country, _dash, part = code.partition("-")
    if country == "CA" and part in PROVINCES:
        return PROVINCES[part][1 if english else 0]
    if country == "FR" and part in REGIONS_FR:
        return REGIONS_FR[part][0]
    if country == "FR" and part in DEPARTEMENTS:
        return f"département {part}"
    return code
