"""The monthly "at cost" report: what the members paid in fees, what it cost, and the difference.

Money figures are sums of the ledger's lines over the month (local time), so the page and the
books cannot disagree; counts come from the same entries (an order counts in the month of its
checkout entry, a delivery in the month of its round's entry) and from the published round
costs (deliveries, kilometres, vehicle kind). It reads delivery's `RoundCost` and never writes.

CO2 avoided (an estimate, method shown on the page): every kilometre ridden by cargo bike is
counted as a kilometre a diesel van would have driven, at `VAN_G_PER_KM` minus `CARGO_BIKE_G_PER_KM`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language

from comptoir.core import formats, l10n
from comptoir.core.money import Money, node_currency
from comptoir.core.region import node_region
from comptoir.ledger import postings
from comptoir.ledger.models import Entry, Line

VAN_G_PER_KM = (
    253  # ADEME Base Carbone, light commercial vehicle (VUL) diesel, CO2e per km, order of magnitude
)
CARGO_BIKE_G_PER_KM = 8  # electric-assist cargo bike: charging electricity in France, CO2e per km
FEE_ACCOUNTS = (postings.COOP_FEES, postings.DELIVERY_FEES)
ROUND_COST_ACCOUNTS = (postings.COURIER_PAY, postings.VEHICLE_COSTS)
OTHER_COST_ACCOUNTS = tuple(a for a in postings.STAFF_COST_ACCOUNTS if a != postings.VEHICLE_COSTS)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time(0), zone), datetime.combine(following, time(0), zone)


def period_bounds(text: str) -> tuple[datetime, datetime]:
    """A month ("2026-11") or a year ("2026"), local time, as [since, until); ValueError otherwise."""
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        zone = timezone.get_current_timezone()
        year = int(text)
        return datetime.combine(date(year, 1, 1), time(0), zone), datetime.combine(
            date(year + 1, 1, 1), time(0), zone
        )
    if len(text) == 7 and text[4] == "-":
        return month_bounds(date.fromisoformat(f"{text}-01"))
    raise ValueError(f"not a month (YYYY-MM) or a year (YYYY): {text!r}")


def closing_of(since: datetime, until: datetime, currency: str) -> Entry | None:
    """The closing entry dated inside [since, until): the result's allocation shown on the month's page."""
    return (
        Entry.objects.filter(kind="closing", occurred_at__gte=since, occurred_at__lt=until, lines__currency=currency)
        .distinct().first()
    )  # fmt: skip


@dataclass(frozen=True)
class MonthReport:
    month: str  # YYYY-MM
    currency: str
    orders: int
    deliveries: int
    rounds: int
    coop_fees: int  # minor units, excl. VAT
    delivery_fees: int
    vat_collected: int  # every tax account of the region added up (France: 44571; Québec: 445711 + 445712)
    delivery_costs: int  # courier + vehicles of the month's rounds
    other_costs: int  # rent, servers, bikes... entered by staff
    surplus: int  # fees − costs (negative: a deficit)
    average_delivery_cost: int | None
    average_delivery_fee: int | None
    cargo_bike_deliveries: int
    cargo_bike_share_percent: int | None
    cargo_bike_km: int
    co2_avoided_kg: int
    # One row per tax account of the region: {"account", "name_fr", "name_en", "amount"}.
    taxes: tuple[dict[str, Any], ...] = ()

    @property
    def fees(self) -> int:
        return self.coop_fees + self.delivery_fees

    @property
    def costs(self) -> int:
        return self.delivery_costs + self.other_costs

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fees": self.fees, "costs": self.costs}

    def as_csv_row(self) -> dict[str, Any]:
        """One column per tax account ("tax_445711") instead of the nested list."""
        row = {k: v for k, v in self.as_dict().items() if k != "taxes"}
        return row | {f"tax_{tax['account']}": tax["amount"] for tax in self.taxes}


def _net(parents: tuple[str, ...], since: datetime, until: datetime, currency: str, *, credit: bool) -> int:
    row = (
        Line.objects.filter(
            account__parent__in=parents,
            currency=currency,
            entry__occurred_at__gte=since,
            entry__occurred_at__lt=until,
        )
        .exclude(entry__kind="closing")
        .aggregate(d=Sum("debit"), c=Sum("credit"))
    )  # a closing moves no money
    net = (row["c"] or 0) - (row["d"] or 0)
    return net if credit else -net


def _rounds(since: datetime, until: datetime) -> tuple[int, int, int, int]:
    from comptoir.delivery.models import RoundCost, Vehicle

    ids = Entry.objects.filter(kind="round", occurred_at__gte=since, occurred_at__lt=until).values("round_id")
    rows = RoundCost.objects.filter(round_id__in=ids).values_list(
        "deliveries", "distance_m", "round__vehicle__kind"
    )
    deliveries = cargo = cargo_m = count = 0
    for delivered, metres, kind in rows:
        count += 1
        deliveries += delivered
        if kind == Vehicle.Kind.CARGO_BIKE:
            cargo += delivered
            cargo_m += metres
    return count, deliveries, cargo, cargo_m


def tax_accounts() -> tuple[str, ...]:
    """The accounts that collect the region's taxes, in the chart's order: 44571 (French VAT), or
    445711 and 445712 (Québec's GST and QST, on goods and inside fees)."""
    region = node_region()
    used = {tax.account for tax in region.taxes + region.fee_taxes} or {postings.VAT_COLLECTED}
    if region.prices_include_tax and not region.fee_taxes:
        used = {postings.VAT_COLLECTED}  # goods' VAT stays with the shops; the coop's is in its fees
    return tuple(sorted(used))


def month_report(month: date, currency: str = "") -> MonthReport:
    currency = currency or node_currency()
    since, until = month_bounds(month)
    orders = Entry.objects.filter(kind="checkout", occurred_at__gte=since, occurred_at__lt=until).count()
    rounds, deliveries, cargo, cargo_m = _rounds(since, until)
    coop = _net((postings.COOP_FEES,), since, until, currency, credit=True)
    delivery = _net((postings.DELIVERY_FEES,), since, until, currency, credit=True)
    delivery_costs = _net(ROUND_COST_ACCOUNTS, since, until, currency, credit=False)
    other = _net(OTHER_COST_ACCOUNTS, since, until, currency, credit=False)
    km = round(cargo_m / 1000)
    amounts = {code: _net((code,), since, until, currency, credit=True) for code in tax_accounts()}
    taxes = tuple(
        {"account": code, "name_fr": postings.CHART[code][0], "name_en": postings.CHART[code][1], "amount": amount}
        for code, amount in amounts.items()
    )  # fmt: skip
    return MonthReport(
        month=f"{month:%Y-%m}", currency=currency, orders=orders, deliveries=deliveries, rounds=rounds,
        coop_fees=coop, delivery_fees=delivery,
        vat_collected=sum(amounts.values()), taxes=taxes,
        delivery_costs=delivery_costs, other_costs=other, surplus=coop + delivery - delivery_costs - other,
        average_delivery_cost=round(delivery_costs / deliveries) if deliveries else None,
        average_delivery_fee=round(delivery / deliveries) if deliveries else None,
        cargo_bike_deliveries=cargo, cargo_bike_share_percent=round(100 * cargo / deliveries) if deliveries else None,
        cargo_bike_km=km, co2_avoided_kg=round(cargo_m / 1000 * (VAN_G_PER_KM - CARGO_BIKE_G_PER_KM) / 1000),
    )  # fmt: skip


def months_with_entries() -> list[date]:
    """Every month from the first entry to now, newest first."""
    first = Entry.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if first is None:
        return []
    current, last = timezone.localtime(first).date().replace(day=1), timezone.localdate().replace(day=1)
    months = []
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months[::-1]


def bar_chart_svg(
    rows: list[tuple[str, int, int]], *, labels: tuple[str, str], title: str, lang: str | None = None
) -> str:
    """Two bars per month (fees, costs), as an SVG drawn on the server: no script, no third party.

    Each month is labelled as the reader's language writes it (« déc. » over « 2026 »), each bar's
    tooltip gives its amount (« Frais, déc. 2026 : 45,81 € »); the legend's two entries always fit,
    and the stylesheet colours the bars (`.chart .fees`, `.chart .costs`)."""
    lang = lang or get_language()
    width, height, pad = max(36 * max(len(rows), 1) + 60, 240), 190, 24
    top = max([1, *(max(a, b) for _m, a, b in rows)])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']  # fmt: skip
    for index, (month, first, second) in enumerate(reversed(rows)):
        x = pad + 36 * index
        day = date.fromisoformat(f"{month}-01")
        name, year = l10n.month_short(day, lang), str(day.year)
        for offset, value, css, label in ((0, first, "fees", labels[0]), (14, second, "costs", labels[1])):
            h = round((height - 2 * pad - 12) * max(value, 0) / top)
            amount = Money(value).format(node_region().money_locale(lang or "fr"))
            tip = formats.colon(f"{label}, {name} {year}", lang) + f" {amount}"
            parts.append(f'<rect class="{css}" x="{x + offset}" y="{height - pad - 12 - h}" width="12" height="{h}">'
                         f"<title>{escape(tip)}</title></rect>")  # fmt: skip
        parts.append(f'<text x="{x}" y="{height - 20}" font-size="9">{escape(name)}</text>'
                     f'<text x="{x}" y="{height - 8}" font-size="9">{year}</text>')  # fmt: skip
    parts.append(f'<rect class="fees" x="{pad}" y="6" width="9" height="9"/>'
                 f'<text x="{pad + 13}" y="14" font-size="10">{escape(labels[0])}</text>'
                 f'<rect class="costs" x="{pad + 100}" y="6" width="9" height="9"/>'
                 f'<text x="{pad + 113}" y="14" font-size="10">{escape(labels[1])}</text></svg>')  # fmt: skip
    return "".join(parts)
