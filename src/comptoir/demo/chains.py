"""A demo chain with its branches, made through the real services (decision 0016).

The French town gets "Quincaillerie Comtoise", a regional hardware chain with four branches:
one shared catalog, each branch its own stock and hours, two branches with a few prices of
their own, a chain staff login and one login per branch. Another demo region describes its own
chain with a `DemoChain` and passes its product lines (`generate_demo_chain(spec, lines=...)`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from comptoir.catalog.chains import (
    do_add_branch,
    do_create_organisation,
    do_save_chain_products,
    mark_branches_changed,
    write_branch_stock,
)
from comptoir.catalog.models import Category, Offer, OpeningHours, Shop, ShopStaff
from comptoir.catalog.services import do_create_shop
from comptoir.members.models import College, Membership, Person

# (French, English, category, unit, quantity, price in cents, grams per unit), as `generator._offer_lines`.
ProductLine = tuple[str, str, str, str, float, int, int]


@dataclass(frozen=True)
class DemoBranch:
    name: str
    neighbourhood: str
    address: str
    at: tuple[float, float]
    hours: tuple[tuple[int, time, time], ...]
    own_prices: bool = False  # this branch sets a few prices of its own


@dataclass(frozen=True)
class DemoChain:
    ref: str
    name: str
    kind: str
    postal_code: str
    city: str
    branches: tuple[DemoBranch, ...]
    products: int = 120
    branches_set_prices: bool = True
    email_domain: str = "demo.comptoir.coop"


def _weekdays(
    opens: time, closes: time, days: Sequence[int] = range(0, 6)
) -> tuple[tuple[int, time, time], ...]:
    return tuple((d, opens, closes) for d in days)


QUINCAILLERIE_COMTOISE = DemoChain(
    ref="quincaillerie-comtoise",
    name="Quincaillerie Comtoise",
    kind="hardware",
    postal_code="25290",
    city="Val-sur-Loue",
    branches=(
        DemoBranch("Quincaillerie Comtoise — Centre", "Centre", "12 Grande Rue", (47.0571, 6.0052),
                   _weekdays(time(9), time(19))),
        DemoBranch("Quincaillerie Comtoise — Gare", "Gare", "3 avenue de la Gare", (47.0652, 6.0118),
                   _weekdays(time(8), time(18, 30)), own_prices=True),
        DemoBranch("Quincaillerie Comtoise — Plateau", "Plateau", "40 chemin du Plateau", (47.0438, 5.9861),
                   _weekdays(time(9), time(12, 30), range(1, 6)) + _weekdays(time(14), time(19), range(1, 6))),
        DemoBranch("Quincaillerie Comtoise — Bord de Loue", "Bord de Loue", "7 quai de la Loue", (47.0498, 6.0233),
                   _weekdays(time(8, 30), time(19, 30), range(0, 7)), own_prices=True),
    ),
)  # fmt: skip


@transaction.atomic
def generate_demo_chain(
    spec: DemoChain,
    lines: Callable[[str, random.Random], list[ProductLine]],
    *,
    seed: int = 42,
    provenance: Callable[[str, str], dict[str, Any]] | None = None,
) -> dict[str, int]:
    """The chain, its branches (active shops with hours and a staff login each), its shared
    catalog from `lines(kind, rng)` and each branch's stock; returns what it made."""
    rng = random.Random(seed)
    password = make_password("comptoir-demo")
    boss = Person.objects.create(email=f"siege-{spec.ref}@{spec.email_domain}", full_name=f"Siège {spec.name}",
                                 password=password)  # fmt: skip
    organisation = do_create_organisation(
        ref=spec.ref, name=spec.name, owner=boss, branches_set_prices=spec.branches_set_prices
    )
    shops_college = College.objects.get(code=College.Code.SHOPS)
    Membership.objects.create(person=boss, college=shops_college)
    branches: list[tuple[Shop, DemoBranch]] = []
    for number, branch in enumerate(spec.branches, start=1):
        shop = do_create_shop(
            owner=None, ref=f"{spec.ref}-{number}", name=branch.name, kind=spec.kind, address=branch.address,
            postal_code=spec.postal_code, city=spec.city, neighbourhood=branch.neighbourhood, lat=branch.at[0],
            lon=branch.at[1], status=Shop.Status.ACTIVE,
            description_fr=f"Succursale de {spec.name}, chaîne régionale.",
            description_en=f"A branch of {spec.name}, a regional chain.",
            pickup_instructions_fr="Retrait à l'accueil de la succursale.",
            pickup_instructions_en="Collect at the branch's front desk.",
        )  # fmt: skip
        OpeningHours.objects.bulk_create(
            [OpeningHours(shop=shop, weekday=d, opens=o, closes=c) for d, o, c in branch.hours]
        )
        do_add_branch(organisation, shop)
        person = Person.objects.create(email=f"{shop.ref}@{spec.email_domain}", full_name=f"Équipe {branch.name}",
                                       password=password)  # fmt: skip
        ShopStaff.objects.create(shop=shop, person=person, role=ShopStaff.Role.STAFF)
        Membership.objects.create(person=person, college=shops_college)
        branches.append((shop, branch))

    categories = dict(Category.objects.values_list("path", "id"))
    catalog = []
    for number, (fr, en, category, unit, quantity, price, grams) in enumerate(
        lines(spec.kind, rng)[: spec.products]
    ):
        catalog.append({
            "sku": f"{spec.ref[:3].upper()}-{number + 1:05d}", "gtin": "", "name_fr": fr, "name_en": en,
            "description_fr": f"{fr}, au catalogue de {spec.name}.", "description_en": f"{en}, in {spec.name}'s catalog.",
            "category_id": categories.get(category), "unit": unit, "quantity": Decimal(str(quantity)),
            "price_cents": price, "tax_rate": Decimal("20"), "on_demand": False,
            "weight_g": int(grams * (quantity if unit == "piece" else 1)), "volume_ml": int(grams * 1.2), "active": True,
            **_provenance_fields(provenance(spec.kind, fr) if provenance else {}),
        })  # fmt: skip
    do_save_chain_products(organisation, catalog)
    own_prices = 0
    for shop, branch in branches:
        rows: list[tuple[str, int, int | None]] = []
        for product in catalog:
            stock = rng.choice([0, 0, 1, 3, 6, 12, 25])
            own: int | None = None
            if branch.own_prices and rng.random() < 0.1:
                own = max(10, product["price_cents"] - rng.choice([10, 20, 50, 100]))
                own_prices += 1
            rows.append((product["sku"], stock, own))
        write_branch_stock(shop, rows)
    mark_branches_changed(organisation)
    return {
        "branches": len(branches),
        "products": len(catalog),
        "offers": Offer.objects.filter(shop__organisation=organisation).count(),
        "own_prices": own_prices,
    }


def _provenance_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A product's provenance in the shared catalog's columns (the demo's suppliers give objects)."""
    supplier = fields.get("supplier")
    return {
        "supplier_id": supplier.pk if supplier is not None else None,
        "origin_place": fields.get("origin_place", ""),
        "origin_lat": fields.get("origin_lat"),
        "origin_lon": fields.get("origin_lon"),
        "origin_stated_by": fields.get("origin_stated_by", ""),
        "origin_label": fields.get("origin_label", ""),
    }


def demo_chain_provenance() -> Callable[[str, str], dict[str, Any]]:
    """The French town's suppliers, as its offers name them (the chain sells their products too)."""
    from comptoir.catalog.models import Supplier
    from comptoir.demo.suppliers import VAL_SUR_LOUE, provenance_for

    return provenance_for(VAL_SUR_LOUE, {s.name: s for s in Supplier.objects.all()})
