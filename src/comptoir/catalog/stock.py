"""The one owner of stock movements on `Offer.stock` (Saleor's `warehouse/management.py`).

Orders take stock at checkout and give it back on every way out (rejection, cancellation,
expiry, a reduced line, a substitution) through `take` and `give_back` only. Both lock the
offers through `lock_objects.offers_for_update` (id order, so flows never deadlock), change
the column with `F()` expressions (never a value read earlier in Python), and mark the
search outbox so availability in search follows. A shop *counting* its shelves (offer form,
bulk edit, import) sets an absolute level, not a movement: it stays in `services.py`, under
the same lock function. A refusal lists every short line at
once (`OutOfStock.shortfalls`), so a resident fixes a cart in one go.

The catalog decides nothing about orders here: *when* to take or give back is the orders
app's decision; *how* stock changes is this module's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Case, F, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.catalog.error_codes import CatalogErrorCode
from comptoir.catalog.lock_objects import offers_for_update
from comptoir.catalog.models import Offer
from comptoir.catalog.services import mark_offers_changed
from comptoir.core.errors import InvalidInput


@dataclass(frozen=True)
class Shortfall:
    offer_id: int
    name: str
    shop: str
    wanted: int
    left: int

    def message(self) -> str:
        if self.left == 0:
            return _("“%(name)s” (%(shop)s) is out of stock.") % {"name": self.name, "shop": self.shop}
        return _("Only %(left)d left of “%(name)s” (%(shop)s); you asked for %(wanted)d.") % {
            "left": self.left, "name": self.name, "shop": self.shop, "wanted": self.wanted,
        }  # fmt: skip


class OutOfStock(InvalidInput):
    """Some lines cannot be served; `shortfalls` lists every one of them, in offer id order."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        if len(shortfalls) == 1:
            message = shortfalls[0].message()
        else:
            head = ngettext("%(n)d product is short:", "%(n)d products are short:", len(shortfalls))
            message = " ".join([head % {"n": len(shortfalls)}, *(s.message() for s in shortfalls)])
        super().__init__(
            message,
            code=CatalogErrorCode.OUT_OF_STOCK,
            offer_id=shortfalls[0].offer_id,
            shortfalls=[{"offer_id": s.offer_id, "wanted": s.wanted, "left": s.left} for s in shortfalls],
        )


def shortfalls(offers: Mapping[int, Offer], wanted: Mapping[int, int]) -> list[Shortfall]:
    """Every line asking more than its offer has left (made-to-order offers are never short)."""
    return [
        Shortfall(
            offer_id, offers[offer_id].name_fr, offers[offer_id].shop.name, quantity, offers[offer_id].stock
        )
        for offer_id, quantity in sorted(wanted.items())
        if offer_id in offers and not offers[offer_id].on_demand and quantity > offers[offer_id].stock
    ]


def _add(deltas: Mapping[int, int]) -> None:
    deltas = {offer_id: delta for offer_id, delta in deltas.items() if delta}
    if deltas:
        whens = [When(pk=offer_id, then=F("stock") + delta) for offer_id, delta in sorted(deltas.items())]
        Offer.objects.filter(pk__in=deltas).update(stock=Case(*whens))
        mark_offers_changed(sorted(deltas))


def move(
    *,
    take: Mapping[int, int] | None = None,
    give: Mapping[int, int] | None = None,
    locked: Mapping[int, Offer] | None = None,
) -> dict[int, Offer]:
    """Take some units and give back others in one go (a substitution); all or nothing.

    Every offer involved is locked at once, in id order, before anything changes: a flow that
    locked "the substitute, then the original" one by one could wait in a cycle with another
    flow locking them the other way round. `locked`: the caller already holds these rows' locks in
    this transaction (checkout locked them to check them), so they are not fetched again. Returns the
    locked offers (with their stock before).
    Made-to-order offers are locked but never taken from. Raises `OutOfStock` listing every short line.
    """
    take, give = dict(take or {}), dict(give or {})
    if any(q < 0 for q in [*take.values(), *give.values()]):
        raise ValueError("stock moves take positive quantities")
    ids = {*take, *give}
    offers = dict(locked) if locked is not None and ids <= set(locked) else offers_for_update(ids)
    short = shortfalls(offers, take)
    if short:
        raise OutOfStock(short)
    deltas = {i: -q for i, q in take.items() if i in offers and not offers[i].on_demand}
    for offer_id, quantity in give.items():  # the caller gives back only what was really taken
        if offer_id in offers:
            deltas[offer_id] = deltas.get(offer_id, 0) + quantity
    _add(deltas)
    return offers


def take(wanted: Mapping[int, int], *, locked: Mapping[int, Offer] | None = None) -> dict[int, Offer]:
    """Take `wanted[offer_id]` units of each offer (checkout); see `move`."""
    return move(take=wanted, locked=locked)


def give_back(quantities: Mapping[int, int]) -> None:
    """Return units taken earlier (a line cancelled, reduced, expired); see `move`."""
    move(give=quantities)
