"""Every row lock taken on the catalog's rows, in one place (as Saleor's `warehouse/lock_objects.py`).

Offers are always locked in ascending id order (`order_by("pk")`): two flows that lock an
overlapping set of offers (two checkouts, a checkout and a shop's bulk stock edit, a
substitution and a cancellation) then queue behind each other instead of deadlocking. On
SQLite `select_for_update` is a no-op and the IMMEDIATE transaction mode serialises writers.
Call these only inside `transaction.atomic()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.catalog.models import Offer, Shop


def offers_for_update(offer_ids: Iterable[int], *, shop_id: int | None = None) -> dict[int, Offer]:
    """The offers with these ids (of this shop, if given), locked in id order; unknown ids are left out."""
    locked = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("shop")
        .filter(pk__in=sorted(set(offer_ids)))
    )
    if shop_id is not None:
        locked = locked.filter(shop_id=shop_id)
    return {offer.pk: offer for offer in locked.order_by("pk")}


def shops_for_update(shop_ids: Iterable[int]) -> list[int]:
    """Lock these shops' rows in id order (the ids that exist): recounting a shop's offers waits
    for any other transaction recounting it, so the last count sees every committed write."""
    locked = Shop.objects.select_for_update(of=("self",)).filter(pk__in=sorted(set(shop_ids)))
    return list(locked.order_by("pk").values_list("pk", flat=True))
