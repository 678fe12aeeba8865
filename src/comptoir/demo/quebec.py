"""Generate the Québec demo: a Montréal-style neighbourhood, its shops, offers with Québec tax codes, people.

The node must run with the Québec region profile (`COMPTOIR_REGION=quebec`): prices are in CAD
before taxes and each offer carries TPS+TVQ, TPS or DETAXE. Shop names are made by code from the
kinds' Montréal names and French-Canadian family names or places; coordinates lie around the
Plateau-Mont-Royal; postal codes are real forward sortation areas of those neighbourhoods.
"""

from __future__ import annotations

import random
from datetime import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from comptoir.catalog.chains import (
    check_product_fields,
    do_add_branch,
    do_create_organisation,
    do_save_chain_products,
    mark_branches_changed,
    write_branch_stock,
)
from comptoir.catalog.models import Category, Offer, OfferChange, OpeningHours, Shop, ShopStaff, Supplier
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.catalog.suppliers import do_create_supplier
from comptoir.core.region import node_region
from comptoir.core.regions import RegionError
from comptoir.demo import vocabulary_quebec as qc
from comptoir.demo.generator import DEMO_DOMAIN, DEMO_PASSWORD, DemoSummary, _gtin, _person
from comptoir.members.models import College, Membership, Person

LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # Canada Post never uses D, F, I, O, Q, U


def postal_code(rng: random.Random) -> str:
    """A Montréal postal code of the demo's neighbourhoods: "H2T 1S6"."""
    return f"{rng.choice(qc.POSTAL_AREAS)} {rng.randint(0, 9)}{rng.choice(LETTERS)}{rng.randint(0, 9)}"


def phone(rng: random.Random) -> str:
    return f"514 555-01{rng.randint(0, 99):02d}"  # 555-0100 to 0199: reserved for fiction


def shop_plan(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, name) for each shop, names made by code: "Quincaillerie Tremblay", "Dépanneur du Coin"."""
    rounds = max(qc.KIND_WEIGHTS.values())  # every kind once, then the commoner ones again
    kinds = [kind for r in range(rounds) for kind, weight in qc.KIND_WEIGHTS.items() if weight > r]
    plan: list[tuple[str, str]] = []
    taken: set[str] = set()
    surnames, places = list(qc.LAST_NAMES), list(qc.PLACES)
    rng.shuffle(surnames)
    rng.shuffle(places)
    while len(plan) < count:
        kind = kinds[len(plan) % len(kinds)]
        n = len(plan)
        label = qc.KIND_LABELS[kind]
        name = (
            f"{label} du {places[n % len(places)]}"
            if n % 3 == 2
            else f"{label} {surnames[n % len(surnames)]}"
        )
        if name in taken:
            name = f"{label} {surnames[n % len(surnames)]} ({qc.NEIGHBOURHOODS[n % len(qc.NEIGHBOURHOODS)]}, {n})"
        taken.add(name)
        plan.append((kind, name))
    return plan


def _hours(kind: str) -> list[tuple[int, time, time]]:
    if kind == "convenience":  # dépanneurs open late, every day
        return [(d, time(7), time(23)) for d in range(7)]
    if kind == "bakery":
        return [(d, time(7), time(18)) for d in range(7) if d != 0]
    return [(d, time(10), time(18 if d < 3 else 21 if d < 5 else 17)) for d in range(7)]


def _lines(kind: str, rng: random.Random) -> list[tuple[str, str, str, str, float, int, int, str]]:
    lines = []
    for fr, en, category, unit, quantities, (low, high), grams, tax_code in qc.PRODUCTS[kind]:
        key = next((k for k in qc.FILLERS if "{" + k + "}" in fr), None)
        for value in qc.FILLERS[key] if key else [""]:
            name_fr = fr.replace("{" + key + "}", value) if key else fr
            name_en = en.replace("{" + key + "}", value) if key else en
            for quantity in quantities:
                for qual_fr, qual_en in qc.QUALIFIERS:
                    price = rng.randint(low, high) // 10 * 10 + rng.choice([5, 9, 9])  # 4,99 $ pricing
                    name = (qual_en.strip() + " " + name_en).strip() if qual_en else name_en
                    lines.append((name_fr + qual_fr, name, category, unit, quantity, price, grams, tax_code))
    rng.shuffle(lines)
    return lines


def _spread(rng: random.Random) -> tuple[float, float]:
    lat0, lon0 = qc.CENTRE  # ~2 km around the Plateau: 1° of latitude ≈ 111 km, of longitude ≈ 78 km here
    return round(lat0 + rng.gauss(0, 1.0 / 111.0), 6), round(lon0 + rng.gauss(0, 1.0 / 78.0), 6)


def _link_suppliers(offers: list[Offer], rng: random.Random) -> int:
    """Create the demo's suppliers and link about four offers in five to one that supplies their category:
    the rest have no known supplier, so "local only" gives a real mix (placed near, placed far, unknown)."""
    by_category: dict[str, list[Supplier]] = {}
    for ref, name, kind, place, postal, lat, lon, country, supplied in qc.SUPPLIERS:
        fields = {"city": place} if lat is not None else {"region": place}
        supplier = do_create_supplier(
            shop=None, ref=ref, name=name, kind=kind, postal_code=postal, country=country, lat=lat, lon=lon,
            listed=True, description_fr=f"{name}, fournisseur des commerces de {qc.TOWN}.",
            description_en=f"{name}, supplier to {qc.TOWN}'s shops.", distinct_from_close=True, **fields,
        )  # fmt: skip
        for category in supplied:
            by_category.setdefault(category, []).append(supplier)
    paths: dict[int | None, str] = dict(Category.objects.values_list("id", "path"))
    for offer in offers:
        candidates = by_category.get(paths.get(offer.category_id, ""), [])
        if candidates and rng.random() < 0.8:
            offer.supplier = rng.choice(candidates)
            offer.origin_stated_by = "supplier"
    return len(qc.SUPPLIERS)


def _hardware_chain(rng: random.Random, password_hash: str) -> list[Shop]:
    """Quincailleries Boréal: the hardware catalog once for the chain, four branches with their own stock."""
    ref, name = qc.CHAIN
    manager = Person.objects.create(email=f"{ref}@{DEMO_DOMAIN}", full_name=f"{rng.choice(qc.FIRST_NAMES)} "
                                    f"{rng.choice(qc.LAST_NAMES)}", password=password_hash)  # fmt: skip
    chain = do_create_organisation(ref=ref, name=name, owner=manager)
    categories = dict(Category.objects.values_list("path", "id"))
    suppliers = dict(Supplier.objects.values_list("ref", "id"))
    supplying = {c: r for r, *_rest, supplied in qc.SUPPLIERS for c in supplied}
    rows = []
    for number, (fr, en, category, unit, quantity, price, _grams, tax_code) in enumerate(
        _lines("hardware", rng)
    ):
        raw = {"sku": f"BOR-{number + 1:04d}", "name_fr": fr, "name_en": en, "category": category, "unit": unit,
               "quantity": str(quantity), "price": f"{price / 100:.2f}", "tax_code": tax_code,
               "supplier": supplying.get(category, "")}  # fmt: skip
        fields, errors = check_product_fields(raw, categories, suppliers)
        if errors:
            raise RegionError(f"demo product {raw['sku']}: {errors}")  # a bug in the demo's words
        rows.append(fields)
    branches = []
    for place, address, postal, lat, lon in qc.CHAIN_BRANCHES:
        branch = Shop.objects.create(
            ref=slugify(f"{name} {place}")[:64], name=f"{name} — {place}", kind="hardware",
            status=Shop.Status.ACTIVE, address=address, postal_code=postal, city=qc.TOWN, neighbourhood=place,
            lat=lat, lon=lon, phone=phone(rng), description_fr=f"Succursale {place} de {name}.",
            description_en=f"{name}, {place} branch.",
        )  # fmt: skip
        do_add_branch(chain, branch)
        OpeningHours.objects.bulk_create([OpeningHours(shop=branch, weekday=d, opens=o, closes=c)
                                          for d, o, c in _hours("hardware")])  # fmt: skip
        branches.append(branch)
    do_save_chain_products(chain, rows)
    for branch in branches:  # each branch its own stock: some products only in some branches
        write_branch_stock(branch, [(r["sku"], rng.choice([0, 0, 2, 5, 12, 30]), None) for r in rows])
    mark_branches_changed(chain)
    return branches


@transaction.atomic
def generate_quebec_demo(
    *, seed: int = 42, shops: int = 30, offers: int = 2000, residents: int = 30, couriers: int = 6
) -> DemoSummary:
    region = node_region()
    if region.code != "quebec":
        raise RegionError(f"the Québec demo needs COMPTOIR_REGION=quebec (this node runs {region.code})")
    rng = random.Random(seed)
    password_hash = make_password(DEMO_PASSWORD)
    colleges = {c.code: c for c in College.objects.all()}
    categories = dict(Category.objects.values_list("path", "id"))
    staff = Person.objects.create(email=f"coop@{DEMO_DOMAIN}", full_name="Équipe de la coopérative",
                                  password=password_hash, is_staff=True, is_superuser=True)  # fmt: skip
    Membership.objects.create(person=staff, college=colleges["staff"])

    plan = shop_plan(shops, rng)
    shop_rows = []
    for index, (kind, name) in enumerate(plan):
        lat, lon = _spread(rng)
        shop_rows.append(Shop(
            ref=slugify(name)[:64], name=name, kind=kind, status=Shop.Status.ACTIVE,
            description_fr=f"{name}, commerce de quartier de {qc.TOWN}.",
            description_en=f"{name}, a neighbourhood shop in {qc.TOWN}.",
            address=f"{rng.randint(100, 5999)} {rng.choice(qc.STREETS)}", postal_code=postal_code(rng),
            city=qc.TOWN, neighbourhood=qc.NEIGHBOURHOODS[index % len(qc.NEIGHBOURHOODS)], lat=lat, lon=lon,
            phone=phone(rng), pickup_instructions_fr="Cueillette au comptoir avec votre numéro de commande.",
            pickup_instructions_en="Pick up at the counter with your order number.",
        ))  # fmt: skip
    Shop.objects.bulk_create(shop_rows)
    shop_rows = list(Shop.objects.filter(ref__in=[s.ref for s in shop_rows]).order_by("id"))
    owners = [_person(f"{s.ref}@{DEMO_DOMAIN}", f"{rng.choice(qc.FIRST_NAMES)} {rng.choice(qc.LAST_NAMES)}",
                      password_hash, language="fr") for s in shop_rows]  # fmt: skip
    Person.objects.bulk_create(owners)
    owner_by_email = {o.email: o for o in Person.objects.filter(email__in=[o.email for o in owners])}

    per_shop, remainder = divmod(offers, max(1, len(shop_rows)))
    hours, staff_rows, offer_rows = [], [], []
    for index, shop in enumerate(shop_rows):
        staff_rows.append(ShopStaff(shop=shop, person=owner_by_email[f"{shop.ref}@{DEMO_DOMAIN}"],
                                    role=ShopStaff.Role.OWNER))  # fmt: skip
        hours += [OpeningHours(shop=shop, weekday=d, opens=o, closes=c) for d, o, c in _hours(shop.kind)]
        lines = _lines(shop.kind, rng)
        for number in range(per_shop + (1 if index < remainder else 0)):
            fr, en, category, unit, quantity, price, grams, tax_code = lines[number % len(lines)]
            lot = number // len(lines)
            suffix = f" — lot {lot + 1}" if lot else ""
            offer_rows.append(Offer(
                shop=shop, sku=f"{shop.kind[:3].upper()}-{number + 1:05d}", gtin=_gtin(rng) if rng.random() < 0.3 else "",
                name_fr=fr + suffix, name_en=en + suffix, category_id=categories.get(category),
                description_fr=f"{fr}, vendu par {shop.name}.", description_en=f"{en}, sold by {shop.name}.",
                unit=unit, quantity=Decimal(str(quantity)), price_cents=price,
                tax_code=tax_code, tax_rate=region.tax_code(tax_code).rate,
                stock=rng.choice([0, 3, 6, 12, 24, 48]) if rng.random() < 0.9 else 0,
                weight_g=int(grams * (quantity if unit == "piece" else 1)), volume_ml=int(grams * 1.2),
            ))  # fmt: skip
    suppliers = _link_suppliers(offer_rows, rng)
    OpeningHours.objects.bulk_create(hours)
    ShopStaff.objects.bulk_create(staff_rows)
    Membership.objects.bulk_create(
        [Membership(person=o, college=colleges["shops"]) for o in owner_by_email.values()]
    )
    Offer.objects.bulk_create(offer_rows, batch_size=2000)
    OfferChange.objects.bulk_create([OfferChange(shop_id=s.pk) for s in shop_rows])
    do_recount_offers(s.pk for s in shop_rows)

    branches = _hardware_chain(rng, password_hash)
    people = [
        _person(f"habitant{n + 1}@{DEMO_DOMAIN}", f"{rng.choice(qc.FIRST_NAMES)} {rng.choice(qc.LAST_NAMES)}",
                password_hash, phone=phone(rng), language="en" if n % 4 == 3 else "fr")
        for n in range(residents)
    ] + [
        _person(f"coursier{n + 1}@{DEMO_DOMAIN}", f"{rng.choice(qc.FIRST_NAMES)} {rng.choice(qc.LAST_NAMES)}",
                password_hash, phone=phone(rng))
        for n in range(couriers)
    ]  # fmt: skip
    Person.objects.bulk_create(people)
    created = Person.objects.filter(email__in=[p.email for p in people])
    Membership.objects.bulk_create(
        [Membership(person=p, college=colleges["residents" if p.email.startswith("habitant") else "workers"])
         for p in created]
    )  # fmt: skip
    chain_offers = Offer.objects.filter(shop__in=branches).count()
    return DemoSummary(shops=len(shop_rows) + len(branches), offers=len(offer_rows) + chain_offers, residents=residents, couriers=couriers,
                       suppliers=suppliers)  # fmt: skip
