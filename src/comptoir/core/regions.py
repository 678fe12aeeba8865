"""Region profiles: what differs between the places a node can serve (pure, no Django).

A node serves one region, chosen at install by `COMPTOIR_REGION` (settings.py): its currency and
how amounts are written, its locale and time zone, its postal codes, and its taxes. Taxes are
*tax codes* an offer carries (France: one VAT rate; Québec: GST + QST, or GST only, or zero-rated),
each made of one or more *taxes* with their rate and the ledger account that collects them, and a
region either includes them in shelf prices (France, "TTC") or adds them on top (Québec).

`check_region` refuses a profile whose taxes do not add up (an unknown tax in a code, a rate out of
range, two taxes sharing an account, a default code that does not exist): the node does not start
with it. See docs/decisions/ (region profiles and tax lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


class RegionError(ValueError):
    """A region profile that cannot be used as written."""


@dataclass(frozen=True)
class Tax:
    """One tax, shown as its own line: GST, QST, or French VAT at one rate."""

    code: str  # "GST", "QST", "VAT"
    label_fr: str  # "TPS", "TVQ", "TVA"
    label_en: str  # "GST", "QST", "VAT"
    rate: Decimal  # percent
    account: str  # ledger account that collects it when it is added on top of the price

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_fr


@dataclass(frozen=True)
class TaxCode:
    """What an offer declares (CSV column `tax_code`): the taxes applied to it, in order."""

    code: str  # "TPS+TVQ", "TPS", "DETAXE", "TVA20"...
    taxes: tuple[Tax, ...]
    description_fr: str
    description_en: str

    @property
    def rate(self) -> Decimal:
        """The combined rate (14.975 for GST + QST): informational, each tax is computed on its own."""
        return sum((tax.rate for tax in self.taxes), Decimal(0))


@dataclass(frozen=True)
class Region:
    code: str  # "france", "quebec"
    name: str
    currency: str  # ISO 4217
    locales: tuple[str, ...]  # "fr-FR"; "fr-CA", "en-CA": the first is the default
    time_zone: str
    postal_code_pattern: str  # regex on the normalised form
    postal_code_example: str
    prices_include_tax: bool  # France: shelf prices are TTC; Québec: taxes are added at the till
    tax_codes: tuple[TaxCode, ...]
    default_tax_code: str
    # Taxes inside the cooperative's own fees. Empty: one VAT at the governed `fees_vat_percent`,
    # booked to 44571 (France). Otherwise these taxes, extracted from the fee (fees are voted and
    # shown as what the resident pays, in every region).
    fee_taxes: tuple[Tax, ...] = ()
    # France's historic `tax_rate` column: a shop may type any single VAT rate without a code.
    rates_typed: bool = False
    centre: tuple[float, float] = (0.0, 0.0)  # lat, lon: the demo and maps start here
    country: str = ""  # ISO 3166: a supplier's postal code without a country is read as this one's

    def tax_code(self, code: str) -> TaxCode:
        """The tax code as typed (case and spaces ignored); RegionError names the accepted ones."""
        wanted = normalise_code(code)
        for tax_code in self.tax_codes:
            if normalise_code(tax_code.code) == wanted:
                return tax_code
        accepted = ", ".join(c.code for c in self.tax_codes)
        raise RegionError(f"unknown tax code {code!r} (accepted: {accepted})")

    def tax_code_for_rate(self, rate: Decimal) -> TaxCode | None:
        """The code of a single tax at this rate (France: "20" is TVA20), if the region has one."""
        for tax_code in self.tax_codes:
            if len(tax_code.taxes) <= 1 and tax_code.rate == Decimal(rate):
                return tax_code
        return None

    @property
    def taxes(self) -> tuple[Tax, ...]:
        """Every distinct tax of the region, in the order its codes first name them."""
        seen: dict[str, Tax] = {}
        for tax_code in self.tax_codes:
            for tax in tax_code.taxes:
                seen.setdefault(tax.code + str(tax.rate), tax)
        return tuple(seen.values())

    def normalise_postal_code(self, text: str) -> str:
        """ "h2t1s6" → "H2T 1S6" in Québec, " 25000 " → "25000" in France; RegionError if it is not one."""
        compact = re.sub(r"\s+", "", str(text)).upper()
        space = self.postal_code_example.find(" ")  # written as the example is: Canada Post's "ANA NAN"
        if space > 0 and len(compact) == len(self.postal_code_example) - 1:
            compact = f"{compact[:space]} {compact[space:]}"
        if not re.fullmatch(self.postal_code_pattern, compact, flags=re.ASCII):
            raise RegionError(f"not a postal code here (e.g. {self.postal_code_example}): {str(text)[:20]!r}")
        return compact

    def money_locale(self, language: str) -> str:
        """The locale amounts are written in for a page language: "en" in Québec is en-CA."""
        for locale in self.locales:
            if locale.split("-")[0] == language.split("-")[0]:
                return locale
        return self.locales[0]


def normalise_code(code: str) -> str:
    return re.sub(r"\s+", "", str(code)).upper()


def check_region(region: Region) -> Region:
    """Refuse a profile whose taxes do not add up; return it unchanged when they do."""
    problems = []
    if not re.fullmatch(r"[A-Z]{3}", region.currency):
        problems.append(f"currency {region.currency!r} is not an ISO 4217 code")
    if not region.locales:
        problems.append("no locale")
    if not region.tax_codes:
        problems.append("no tax code")
    codes = [normalise_code(c.code) for c in region.tax_codes]
    if len(set(codes)) != len(codes):
        problems.append("two tax codes with the same name")
    if normalise_code(region.default_tax_code) not in codes:
        problems.append(f"default tax code {region.default_tax_code!r} is not one of {codes}")
    accounts: dict[str, str] = {}
    for tax in region.taxes + region.fee_taxes:
        if not Decimal(0) <= tax.rate < Decimal(100):
            problems.append(f"{tax.code} rate {tax.rate} is not a percent between 0 and 100")
        owner = accounts.setdefault(tax.account, tax.code)
        if owner != tax.code:
            problems.append(f"{tax.code} and {owner} would share account {tax.account}")
    for tax_code in region.tax_codes:
        names = [tax.code for tax in tax_code.taxes]
        if len(set(names)) != len(names):
            problems.append(f"tax code {tax_code.code} names a tax twice")
    try:
        region.normalise_postal_code(region.postal_code_example)
    except RegionError:
        problems.append(
            f"the example postal code {region.postal_code_example!r} does not match its own pattern"
        )
    if problems:
        raise RegionError(f"region {region.code}: " + "; ".join(problems))
    return region


def _vat(rate: str) -> Tax:
    return Tax("VAT", "TVA", "VAT", Decimal(rate), "44571")


_FR_CODES = (
    TaxCode("TVA20", (_vat("20"),), "TVA 20\u202f% (taux normal)", "VAT 20% (standard rate)"),
    TaxCode("TVA10", (_vat("10"),), "TVA 10\u202f% (taux intermédiaire)", "VAT 10% (intermediate rate)"),
    TaxCode("TVA5.5", (_vat("5.5"),), "TVA 5,5\u202f% (alimentation, livres)", "VAT 5.5% (food, books)"),
    TaxCode("TVA2.1", (_vat("2.1"),), "TVA 2,1\u202f% (presse, médicaments)", "VAT 2.1% (press, medicines)"),
    TaxCode("TVA0", (), "Exonéré de TVA", "VAT exempt"),
)

FRANCE = Region(
    code="france", name="France", currency="EUR", locales=("fr-FR", "en-GB"), time_zone="Europe/Paris",
    postal_code_pattern=r"\d{5}", postal_code_example="25290", prices_include_tax=True,
    tax_codes=_FR_CODES, default_tax_code="TVA5.5", rates_typed=True, centre=(47.0560, 6.0040), country="FR",
)  # fmt: skip

# Québec: the federal GST (TPS) and the provincial QST (TVQ) are two separate taxes, each computed on
# the price before taxes (since 2013 the QST is no longer charged on the GST), each rounded to the cent
# on the invoice, and shown on their own lines. Basic groceries are zero-rated ("détaxés"); printed
# books bear the GST only (QST-zero-rated). Accounts follow the chart's 4457 "taxes collected".
GST = Tax("GST", "TPS", "GST", Decimal("5"), "445711")
QST = Tax("QST", "TVQ", "QST", Decimal("9.975"), "445712")

QUEBEC = Region(
    code="quebec", name="Québec", currency="CAD", locales=("fr-CA", "en-CA"), time_zone="America/Toronto",
    postal_code_pattern=r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d",
    postal_code_example="H2T 1S6", prices_include_tax=False,
    tax_codes=(
        TaxCode("TPS+TVQ", (GST, QST), "TPS 5\u202f% et TVQ 9,975\u202f%", "GST 5% and QST 9.975%"),
        TaxCode("TPS", (GST,), "TPS seulement (livres imprimés)", "GST only (printed books)"),
        TaxCode("DETAXE", (), "Détaxé (produits alimentaires de base)", "Zero-rated (basic groceries)"),
    ),
    default_tax_code="TPS+TVQ", fee_taxes=(GST, QST), centre=(45.5230, -73.5800), country="CA",
)  # fmt: skip

REGIONS = {region.code: check_region(region) for region in (FRANCE, QUEBEC)}


def region_named(code: str) -> Region:
    try:
        return REGIONS[str(code).strip().lower()]
    except KeyError:
        raise RegionError(f"unknown region {code!r} (known: {', '.join(sorted(REGIONS))})") from None
