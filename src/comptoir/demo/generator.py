"""Generate the demo town: shops, opening hours, offers, residents, couriers, staff."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from itertools import cycle

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from comptoir.catalog.models import Category, Offer, OfferChange, OpeningHours, Shop, ShopStaff
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.core.gtin import gtin_check_digit
from comptoir.demo.suppliers import VAL_SUR_LOUE, create_suppliers, provenance_for
from comptoir.demo.vocabulary import (
    CENTRE,
    FILLERS,
    FIRST_NAMES,
    KIND_LABELS,
    LAST_NAMES,
    NEIGHBOURHOODS,
    POSTAL_CODE,
    PRODUCTS,
    QUALIFIERS,
    SHOP_NAMES,
    STREETS,
    TOWN,
)  # fmt: skip
from comptoir.members.models import College, Membership, Person

DEMO_PASSWORD = "comptoir-demo"
DEMO_DOMAIN = "demo.comptoir.coop"
TAX_BY_CATEGORY = {
    "food/wine": Decimal("20"),
    "food/drinks": Decimal("5.5"),
    "food": Decimal("5.5"),
    "books": Decimal("5.5"),
}


@dataclass
class DemoSummary:
    shops: int = 0
    offers: int = 0
    suppliers: int = 0
    residents: int = 0
    couriers: int = 0


def _tax_rate(category: str) -> Decimal:
    for prefix, rate in TAX_BY_CATEGORY.items():
        if category.startswith(prefix):
            return rate
    return Decimal("20")


def _point_near(rng: random.Random, spread_km: float) -> tuple[float, float]:
    lat0, lon0 = CENTRE
    return (
        round(lat0 + rng.gauss(0, spread_km / 111.0 / 2), 6),
        round(lon0 + rng.gauss(0, spread_km / 76.0 / 2), 6),
    )


def _address(rng: random.Random) -> str:
    return f"{rng.randint(1, 80)} {rng.choice(STREETS)}"


def _person(email: str, full_name: str, password_hash: str, **extra: object) -> Person:
    return Person(email=email, full_name=full_name, password=password_hash, **extra)


def _shop_plan(shop_count: int) -> list[tuple[str, str]]:
    """(kind, name) for each shop: the named shops first, then numbered branches of kinds."""
    named = [(kind, name) for kind, names in SHOP_NAMES.items() for name in names]
    plan = named[:shop_count]
    kinds = cycle(SHOP_NAMES)
    taken = {name for _kind, name in plan}
    while len(plan) < shop_count:
        kind = next(kinds)
        number = len(plan)
        name = f"{KIND_LABELS[kind]} {LAST_NAMES[number % len(LAST_NAMES)]}"
        if name in taken:
            name = f"{name} ({NEIGHBOURHOODS[number % len(NEIGHBOURHOODS)]}, {number})"
        taken.add(name)
        plan.append((kind, name))
    return plan


def _hours_for(kind: str) -> list[tuple[int, time, time]]:
    if kind == "bakery":
        return [(d, time(6, 30), time(19, 30)) for d in range(0, 7) if d != 0]
    days = range(0, 6) if kind in {"pharmacy", "grocer", "organic"} else range(1, 6)
    return [slot for d in days for slot in ((d, time(9, 0), time(12, 30)), (d, time(14, 0), time(19, 0)))]


def _offer_lines(kind: str, rng: random.Random) -> list[tuple[str, str, str, str, float, int, int]]:
    """Every (fr, en, category, unit, quantity, price, grams) a shop of this kind could sell."""
    lines = []
    for fr, en, category, unit, quantities, (low, high), grams in PRODUCTS[kind]:
        fillers = [key for key in FILLERS if "{" + key + "}" in fr]
        values = FILLERS[fillers[0]] if fillers else [""]
        for value in values:
            name_fr = fr.replace("{" + fillers[0] + "}", value) if fillers else fr
            name_en = en.replace("{" + fillers[0] + "}", value) if fillers else en
            for quantity in quantities:
                for qual_fr, qual_en in QUALIFIERS:
                    price = rng.randint(low, high) // 10 * 10 + rng.choice([0, 5, 9])
                    lines.append((name_fr + qual_fr, (qual_en.strip() + " " + name_en).strip() if qual_en else name_en,
                                  category, unit, quantity, price, grams))  # fmt: skip
    rng.shuffle(lines)
    return lines


def demo_offer_lines(kind: str, rng: random.Random) -> list[tuple[str, str, str, str, float, int, int]]:
    """Every product line a shop of this kind could sell (a demo chain's catalog draws from them)."""
    return _offer_lines(kind, rng)


def _gtin(rng: random.Random) -> str:
    body = "3" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    return body + str(gtin_check_digit(body))


@transaction.atomic
def generate_demo(
    *, seed: int = 42, shops: int = 40, offers: int = 3000, residents: int = 30, couriers: int = 6
) -> DemoSummary:
    rng = random.Random(seed)
    summary = DemoSummary()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    colleges = {c.code: c for c in College.objects.all()}
    categories = dict(Category.objects.values_list("path", "id"))

    staff = Person.objects.create(email=f"coop@{DEMO_DOMAIN}", full_name="Équipe de la coopérative",
                                  password=password_hash, is_staff=True, is_superuser=True)  # fmt: skip
    Membership.objects.create(person=staff, college=colleges["staff"])

    plan = _shop_plan(shops)
    per_shop = max(1, offers // max(1, len(plan)))
    remainder = offers - per_shop * len(plan)
    shop_rows: list[Shop] = []
    for index, (kind, name) in enumerate(plan):
        lat, lon = _point_near(rng, 3.0)
        shop_rows.append(Shop(
            ref=slugify(name)[:64], name=name, kind=kind, status=Shop.Status.ACTIVE,
            description_fr=f"{name}, commerce indépendant de {TOWN}.",
            description_en=f"{name}, an independent shop in {TOWN}.",
            address=_address(rng), postal_code=POSTAL_CODE, city=TOWN, neighbourhood=NEIGHBOURHOODS[index % len(NEIGHBOURHOODS)],
            lat=lat, lon=lon, phone=f"03 81 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            pickup_instructions_fr="Retrait au comptoir, donnez votre numéro de commande.",
            pickup_instructions_en="Collect at the counter with your order number.",
            offers_delivery=kind not in {"florist"} or index % 2 == 0,
        ))  # fmt: skip
    Shop.objects.bulk_create(shop_rows)
    shop_rows = list(Shop.objects.filter(ref__in=[s.ref for s in shop_rows]).order_by("id"))

    owners = [_person(f"{s.ref}@{DEMO_DOMAIN}", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", password_hash)
              for s in shop_rows]  # fmt: skip
    Person.objects.bulk_create(owners)
    owners = list(Person.objects.filter(email__in=[o.email for o in owners]))
    owner_by_email = {o.email: o for o in owners}
    suppliers = create_suppliers(VAL_SUR_LOUE, slugify)
    provenance = provenance_for(VAL_SUR_LOUE, suppliers)
    summary.suppliers = len(suppliers)
    hours: list[OpeningHours] = []
    staff_rows: list[ShopStaff] = []
    offer_rows: list[Offer] = []
    for index, shop in enumerate(shop_rows):
        owner = owner_by_email[f"{shop.ref}@{DEMO_DOMAIN}"]
        staff_rows.append(ShopStaff(shop=shop, person=owner, role=ShopStaff.Role.OWNER))
        hours.extend(
            OpeningHours(shop=shop, weekday=d, opens=o, closes=c) for d, o, c in _hours_for(shop.kind)
        )
        wanted = per_shop + (1 if index < remainder else 0)
        lines = _offer_lines(shop.kind, rng)
        for number in range(wanted):
            fr, en, category, unit, quantity, price, grams = lines[number % len(lines)]
            round_no = number // len(lines)
            suffix = f" — lot {round_no + 1}" if round_no else ""
            offer_rows.append(Offer(
                shop=shop, sku=f"{shop.kind[:3].upper()}-{number + 1:05d}", gtin=_gtin(rng) if rng.random() < 0.3 else "",
                name_fr=fr + suffix, name_en=en + suffix, category_id=categories.get(category),
                description_fr=f"{fr}, vendu par {shop.name}.", description_en=f"{en}, sold by {shop.name}.",
                unit=unit, quantity=Decimal(str(quantity)), price_cents=price, tax_rate=_tax_rate(category),
                stock=rng.choice([0, 2, 5, 8, 12, 20, 40, 100]) if rng.random() < 0.9 else 0,
                on_demand=shop.kind == "bakery" and rng.random() < 0.3,
                weight_g=int(grams * (quantity if unit == "piece" else 1)), volume_ml=int(grams * 1.2),
                **provenance(shop.kind, fr),
            ))  # fmt: skip
    OpeningHours.objects.bulk_create(hours)
    ShopStaff.objects.bulk_create(staff_rows)
    Membership.objects.bulk_create([Membership(person=o, college=colleges["shops"]) for o in owners])
    Offer.objects.bulk_create(offer_rows, batch_size=2000)
    OfferChange.objects.bulk_create([OfferChange(shop_id=s.pk) for s in shop_rows])
    do_recount_offers(s.pk for s in shop_rows)
    summary.shops, summary.offers = len(shop_rows), len(offer_rows)

    people = []
    for number in range(residents):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(_person(f"habitant{number + 1}@{DEMO_DOMAIN}", f"{first} {last}", password_hash,
                              phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"))  # fmt: skip
    for number in range(couriers):
        people.append(_person(f"coursier{number + 1}@{DEMO_DOMAIN}", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                              password_hash, phone=f"07 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00"))  # fmt: skip
    Person.objects.bulk_create(people)
    created = {p.email: p for p in Person.objects.filter(email__in=[p.email for p in people])}
    Membership.objects.bulk_create(
        [Membership(person=p, college=colleges["residents" if email.startswith("habitant") else "workers"])
         for email, p in created.items()]
    )  # fmt: skip
    summary.residents, summary.couriers = residents, couriers
    return summary


def demo_is_loaded() -> bool:
    return Person.objects.filter(email=f"coop@{DEMO_DOMAIN}").exists()


def demo_residents() -> list[Person]:
    return list(
        Person.objects.filter(
            email__endswith=f"@{DEMO_DOMAIN}", memberships__college__code="residents"
        ).order_by("pk")
    )
