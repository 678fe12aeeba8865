"""Each shop's count of active offers, kept on the shop (`Shop.active_offers`) by the catalog's writes.

The home page and the shop directory show how many products each shop sells. Counting them
on each view cost O(catalog): 1.2 s of CPU per home page at 1M offers (issue 19). The count
is therefore stored and recounted, for the shops a write touched, in the write's own
transaction (decision 0027).

Why a recount under the shop's row lock, not `F("active_offers") + delta`: the writes that
change it are many (a form, the API, an import's upsert, a chain's fan-out, a delete that
cascades) and several do not know their delta without reading every row they touch. A
recount of one shop is O(its offers) through the (shop, active) index. Under concurrent
imports it stays exact: the lock (`lock_objects.shops_for_update`) queues the second writer
until the first commits, and the second's count, a new statement under READ COMMITTED, then
sees the first's rows. On SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When

from comptoir.catalog.lock_objects import shops_for_update
from comptoir.catalog.models import Offer, Shop

SHOPS_PER_RECOUNT = 500  # one transaction per 500 shops: a network import touches thousands


def do_recount_offers(shop_ids: Iterable[int]) -> int:
    """Recount the active offers of these shops (unknown or deleted ids are skipped); shops updated."""
    ids = sorted(set(shop_ids))
    updated = 0
    for start in range(0, len(ids), SHOPS_PER_RECOUNT):
        updated += _recount(ids[start : start + SHOPS_PER_RECOUNT])
    return updated


@transaction.atomic
def _recount(shop_ids: list[int]) -> int:
    locked = shops_for_update(shop_ids)
    if not locked:
        return 0
    counts = dict(
        Offer.objects.filter(shop_id__in=locked, active=True)
        .order_by()
        .values("shop_id")
        .annotate(n=Count("pk"))
        .values_list("shop_id", "n")
    )
    whens = [When(pk=shop_id, then=Value(n)) for shop_id, n in counts.items()]
    count = Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)
    return Shop.objects.filter(pk__in=locked).update(active_offers=count)
