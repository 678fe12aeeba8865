"""What the crash tests do inside a node's Django (run as `python -m tests.crash.steps NAME ARGS`).

Each step prints one JSON line: the seeds it made, or what the database holds after a crash,
with every broken invariant named in `problems`.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from typing import Any

import django

if __name__ == "__main__":
    django.setup()


def seed_shop(residents: str, stock: str) -> dict[str, Any]:
    """One click-and-collect bakery with two offers of `stock` units, `residents` residents with API tokens."""
    from comptoir.catalog.models import Offer, OfferChange, Shop
    from comptoir.catalog.services import do_create_offer, do_create_shop
    from comptoir.members.models import Person
    from comptoir.members.services import do_create_api_token

    owner = Person.objects.create_user("owner@boulangerie.example", "un mot de passe solide 42")
    shop = do_create_shop(
        owner=owner, ref="boulangerie", name="Boulangerie du Pont", kind="bakery", lat=47.056, lon=6.004,
        status=Shop.Status.ACTIVE, offers_delivery=False, address="3 Grande Rue",
    )  # fmt: skip
    for sku, name, price in (("PAIN", "Pain de campagne", "2.40"), ("BRIO", "Brioche", "5.10")):
        do_create_offer(shop, {"sku": sku, "name_fr": name, "price": price, "stock": stock})
    tokens = []
    for n in range(int(residents)):
        person = Person.objects.create_user(f"habitant{n}@example.org", "un mot de passe solide 42")
        tokens.append(do_create_api_token(person=person, label="crash"))
    offers = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
    changes = Counter(OfferChange.objects.filter(offer_id__in=offers).values_list("offer_id", flat=True))
    return {
        "tokens": tokens,
        "offers": offers,
        "shop": shop.ref,
        "changes": {str(i): changes[i] for i in offers},
    }


def invariants(stock: str, changes_json: str) -> dict[str, Any]:
    """Stock, orders, books and queued work agree, order by order; `problems` names what does not."""
    from django.core.management import call_command
    from django.db.models import Sum
    from django_tasks_db.models import DBTaskResult

    from comptoir.catalog.models import Offer, OfferChange
    from comptoir.ledger.models import Entry
    from comptoir.orders import books
    from comptoir.orders.models import Order, OrderLine

    problems: list[str] = []
    seeded_changes = {int(k): v for k, v in json.loads(changes_json).items()}
    mails = Counter(
        tuple(r.args_kwargs["args"])
        for r in DBTaskResult.objects.filter(task_path__endswith=".send_order_email")
    )
    expiries = DBTaskResult.objects.filter(task_path__endswith=".expire_shop_orders").count()
    orders = list(Order.objects.prefetch_related("shop_orders__lines", "fee_lines").order_by("pk"))
    for order in orders:
        parts = list(order.shop_orders.all())
        if not parts or any(not list(p.lines.all()) for p in parts):
            problems.append(f"order {order.pk}: a shop order or its lines are missing")
        for part in parts:
            if part.goods_cents != sum(line.total_cents for line in part.lines.all()):
                problems.append(f"order {order.pk}: shop order {part.pk} goods != its lines")
            if mails[("shop_new_order", order.pk, part.pk)] != 1:
                problems.append(
                    f"order {order.pk}: {mails[('shop_new_order', order.pk, part.pk)]} shop mails queued"
                )
        if order.goods_cents != sum(p.goods_cents for p in parts):
            problems.append(f"order {order.pk}: goods != its shop orders")
        if order.fees_cents != sum(f.amount_cents for f in order.fee_lines.all()):
            problems.append(f"order {order.pk}: fees != its fee lines")
        entries = list(Entry.objects.filter(order_id=order.pk).values_list("kind", flat=True))
        if entries != ["checkout"]:
            problems.append(f"order {order.pk}: ledger entries {entries}")
        if books.owed(order.pk) != order.total_cents:
            problems.append(
                f"order {order.pk}: the books say {books.owed(order.pk)} owed, the order {order.total_cents}"
            )
        if mails[("order_confirmed", order.pk, None)] != 1:
            problems.append(
                f"order {order.pk}: {mails[('order_confirmed', order.pk, None)]} confirmations queued"
            )
    sold: dict[int, int] = dict(
        OrderLine.objects.filter(reserved=True).values_list("offer_id").annotate(n=Sum("quantity"))  # type: ignore[arg-type]
    )
    lines_per_offer = Counter(OrderLine.objects.values_list("offer_id", flat=True))
    stock_now = dict(Offer.objects.values_list("pk", "stock"))
    for offer_id, left in stock_now.items():
        if left < 0 or left + sold.get(offer_id, 0) != int(stock):
            problems.append(f"offer {offer_id}: {left} left + {sold.get(offer_id, 0)} sold != {stock}")
        changes = OfferChange.objects.filter(offer_id=offer_id).count()
        if changes != seeded_changes.get(offer_id, 0) + lines_per_offer[offer_id]:
            problems.append(f"offer {offer_id}: {changes} outbox rows for {lines_per_offer[offer_id]} lines")
    if expiries != len(orders):
        problems.append(f"{expiries} expiries queued for {len(orders)} orders")
    out = io.StringIO()
    try:
        call_command("ledger", "check", "--json", stdout=out)
        ledger = json.loads(out.getvalue())
    except SystemExit:
        ledger = {"unbalanced": out.getvalue()}
    return {
        "orders": [o.number for o in orders],
        "sold": {str(k): v for k, v in sold.items()},
        "stock": {str(k): v for k, v in stock_now.items()},
        "ledger": ledger,
        "problems": problems,
    }


def place_order() -> dict[str, Any]:
    """The first resident buys one loaf: its mails and expiry are queued (the database queue)."""
    from comptoir.catalog.models import Offer
    from comptoir.members.models import Person
    from comptoir.orders import services

    resident = Person.objects.get(email="habitant0@example.org")
    offer = Offer.objects.order_by("pk").first()
    assert offer is not None
    request = services.CheckoutRequest(
        email=resident.email, fulfilment={offer.shop.ref: "collect"}, payment_method="on_handover",
        items=[(offer.pk, 1)],
    )  # fmt: skip
    order, _created = services.do_checkout(resident, None, request)
    return {"order": order.pk, "number": order.number}


def plan_world(bookings: str) -> dict[str, Any]:
    """A slot with `bookings` delivery bookings from two shops, two couriers on shift; planning requested."""
    from comptoir.catalog.models import Shop
    from comptoir.catalog.services import do_create_shop
    from comptoir.delivery.models import Depot, Shift, Slot, Vehicle, Zone
    from comptoir.delivery.services import do_request_plan
    from comptoir.members.models import Person
    from comptoir.members.services import do_add_membership
    from tests.delivery.conftest import RING, book, tomorrow_at

    owner = Person.objects.create_user("owner@epicerie.example", "un mot de passe solide 42")
    shops = [
        do_create_shop(owner=owner, ref=f"shop{n}", name=f"Épicerie {n}", kind="bakery", lat=47.056 + n / 500,
                       lon=6.004, status=Shop.Status.ACTIVE, address=f"{n} Grande Rue")
        for n in range(2)
    ]  # fmt: skip
    depot = Depot.objects.create(name="Hangar", address="1 rue du Port", lat=47.0540, lon=6.0000)
    zone = Zone.objects.create(name="Centre", depot=depot, ring=RING)
    slot = Slot.objects.create(
        zone=zone, starts=tomorrow_at(17), ends=tomorrow_at(19), closes_at=tomorrow_at(12),
        capacity_orders=200, capacity_ml=6_000_000,
    )  # fmt: skip
    for n in range(2):
        courier = Person.objects.create_user(f"coursier{n}@example.org", "un mot de passe solide 42")
        do_add_membership(courier, "workers")
        bike = Vehicle.objects.create(
            name=f"Biporteur {n}", kind="cargo_bike", depot=depot, capacity_g=200_000, capacity_ml=900_000,
            cost_per_hour_cents=50, cost_per_km_cents=8,
        )  # fmt: skip
        Shift.objects.create(
            courier=courier, vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
        )
    for n in range(int(bookings)):
        book(slot, 100 + n, [shops[n % 2]], weight_g=1000, volume_ml=4000, n=n % 15)
    dispatcher = Person.objects.create_user(
        "dispatch@example.org", "un mot de passe solide 42", is_staff=True
    )
    run = do_request_plan(dispatcher, slot.pk)
    return {"slot": slot.pk, "run": run.pk, "bookings": int(bookings)}


def seed_offers(count: str) -> dict[str, Any]:
    """One shop with `count` offers, through the catalog import (one outbox row each)."""
    from comptoir.catalog.imports import do_import_catalog
    from comptoir.catalog.models import Shop
    from comptoir.catalog.services import do_create_shop
    from comptoir.members.models import Person

    owner = Person.objects.create_user("owner@epicerie.example", "un mot de passe solide 42")
    shop = do_create_shop(
        owner=owner, ref="epicerie", name="Épicerie du Pont", kind="bakery", lat=47.056, lon=6.004,
        status=Shop.Status.ACTIVE, address="1 Grande Rue",
    )  # fmt: skip
    rows = "".join(f"P{n},Produit {n},{1 + n % 50}.{n % 100:02d},{n % 30 + 1}\n" for n in range(int(count)))
    job = do_import_catalog(shop, io.BytesIO(("sku,name_fr,price,stock\n" + rows).encode()), "offers.csv")
    return {"status": job.status, "rows": job.rows_total}


def bump_stock() -> dict[str, Any]:
    """Every offer costs 7 cents more: one outbox row per offer for the indexer."""
    from django.db import transaction
    from django.db.models import F

    from comptoir.catalog.models import Offer
    from comptoir.catalog.services import mark_offers_changed

    with transaction.atomic():
        ids = list(Offer.objects.order_by("pk").values_list("pk", flat=True))
        Offer.objects.update(price_cents=F("price_cents") + 7)
        mark_offers_changed(ids)
    return {"offers": len(ids)}


def index_state() -> dict[str, Any]:
    """What the search index holds against the database: one document per visible offer, at its price."""
    import tantivy

    from comptoir.catalog.models import Offer, OfferChange
    from comptoir.search.engine import SearchIndex
    from comptoir.search.services import index_path

    index = SearchIndex.open(index_path())
    searcher = index._index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1)).hits
    docs = [searcher.doc(address) for _score, address in hits]
    ids = [doc["offer_id"][0] for doc in docs]
    prices = dict(Offer.objects.values_list("pk", "price_cents"))
    return {
        "docs": searcher.num_docs, "distinct": len(set(ids)), "offers": len(prices),
        "missing": len(set(prices) - set(ids)),
        "wrong_price": sum(1 for doc in docs if doc["price_cents"][0] != prices.get(doc["offer_id"][0])),
        "pending": OfferChange.objects.count(),
    }  # fmt: skip


def queue_callback(url: str) -> dict[str, Any]:
    """The node's keys, and one on_status callback to `url` in its outbox (as a status push queues it)."""
    from django.utils import timezone

    from comptoir.protocol import outbox
    from comptoir.protocol.identity import do_generate_keys
    from comptoir.protocol.wire import messages

    do_generate_keys()
    context = messages.request_context(
        action="on_status", domain="ONDC:RET10", city="std:0381", bap_id="buyer.example", bap_uri=url,
        moment=timezone.now(), transaction_id="crash-t1", bpp_id="comptoir.localhost", bpp_uri="http://127.0.0.1/beckn",
    )  # fmt: skip
    body = messages.envelope(context, order={"id": "C-1", "state": "Accepted"})
    body["context"]["ttl"] = "PT5M"
    message = outbox.do_queue(url, body)
    return {"outbox": message.pk, "message_id": message.message_id}


STEPS = {
    "queue_callback": queue_callback,
    "seed_offers": seed_offers,
    "bump_stock": bump_stock,
    "index_state": index_state,
    "seed_shop": seed_shop,
    "invariants": invariants,
    "place_order": place_order,
    "plan_world": plan_world,
}

if __name__ == "__main__":
    print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:]), default=str))
