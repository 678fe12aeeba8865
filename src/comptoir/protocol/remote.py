"""Buyer role (BAP): a resident orders from a shop of another node, through our cart.

A remote offer found by a peer search goes into the resident's cart as that
shop's own group (a ``RemoteOrder`` in state ``cart``, never a line of a local
shop order). Checkout sends select → init → confirm to the seller's node over
signed HTTP and waits, bounded, for each callback; any refusal (NACK, an
error in the callback, no answer in time, a price that moved since the
resident's quote) is raised to the page and leaves the cart as it was. The
seller's on_status/on_cancel then move the order (``remote_status.py``).

Payment (decision 0025): the resident chooses one of our own methods. ``bank_transfer``: our
cooperative collects (ONDC ``ON-ORDER``, ``collected_by: BAP``, a ``payto`` URI to our account with
the order id as reference), books the sale (the resident owes us the quote, we owe the seller's node
the quote less its finder fee) and settles with that node after delivery. ``on_handover``: the
seller's courier takes the payment at the door (``ON-FULFILLMENT``, ``collected_by: BPP``) and our
books hold nothing. Either way confirm says ``NOT-PAID``: nobody has paid yet, and says so.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import ComptoirError, InvalidInput, NotFound
from comptoir.core.money import Money
from comptoir.core.parameters import governed
from comptoir.core.region import node_region
from comptoir.ledger.postings import VAT_COLLECTED, RemoteSalePosting
from comptoir.ledger.services import do_cancel_remote_sale, do_post_remote_sale
from comptoir.orders.payments import bank_account, payment_methods
from comptoir.protocol import http, remote_status
from comptoir.protocol.identity import load_identity
from comptoir.protocol.models import InboxMessage, RemoteOrder, Subscriber
from comptoir.protocol.wire import messages

MAX_QUANTITY = 99
# our methods, as ONDC payment terms (type, collected_by): who holds the resident's money
PAYMENT_TERMS = {"bank_transfer": ("ON-ORDER", "BAP"), "on_handover": ("ON-FULFILLMENT", "BPP")}
CANCEL_REASONS = ("001", "003", "006", "009", "010")  # ONDC's buyer reason codes our sellers accept too


class RemoteRefused(ComptoirError):
    """The other node refused or did not answer: shown to the resident, nothing changed here."""

    status = 502

    def __init__(self, message: str, *, quoted: Quoted | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.quoted = quoted


@dataclass(frozen=True)
class Drop:
    """Where and to whom the seller delivers (the init's billing and end stop)."""

    name: str
    phone: str
    email: str
    address: str
    postal_code: str
    city: str
    lat: float
    lon: float

    def place(self) -> dict[str, str]:
        return {"name": self.name, "building": "", "street": self.address, "locality": "", "city": self.city,
                "state": "", "country": "FRA", "area_code": self.postal_code}  # fmt: skip

    @property
    def gps(self) -> str:
        return f"{self.lat:.6f},{self.lon:.6f}"


@dataclass
class Quoted:
    """The seller's quote (on_select), in cents, with the lines whose price moved since the cart."""

    lines: list[dict[str, Any]]  # {item_id, name, quantity, unit_cents, total_cents, seen_cents}
    charges: list[tuple[str, int]]  # (title, cents): delivery, the seller's coop fee…
    total_cents: int
    currency: str
    changed: list[str] = field(default_factory=list)  # names of items repriced since they were added


def cents(value: Any) -> int:
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"not an amount: {value!r}") from None


# ---- the cart ---------------------------------------------------------------------------------------


def _offer_in_search(search_id: str, node: str, item_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(provider, item) as the node's signed on_search said, for a search this node made."""
    rows = InboxMessage.objects.filter(action="on_search", transaction_id=search_id, sender_id=node)
    for row in rows.order_by("pk"):
        for provider in row.body.get("message", {}).get("catalog", {}).get("bpp/providers", []):
            for item in provider.get("items", []):
                if str(item.get("id")) == item_id:
                    return provider, item
    raise NotFound(_("This offer is no longer in the search results: search again."))


@transaction.atomic
def do_add_remote_item(
    person: Any, *, search_id: str, node: str, item_id: str, quantity: int = 1
) -> RemoteOrder:
    """Put an offer of another node in the resident's cart: that shop's group, with the price seen."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(
            _("Choose a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY}, field="quantity"
        )
    provider, item = _offer_in_search(search_id, node, item_id)
    seller = Subscriber.objects.filter(subscriber_id=node, role=Subscriber.Role.BPP).order_by("pk").first()
    context = InboxMessage.objects.filter(
        action="on_search", transaction_id=search_id, sender_id=node
    ).first()
    url = seller.url if seller else (context.body["context"].get("bpp_uri", "") if context else "")
    if not url:
        raise NotFound(_("This node is not known here any more: search again."))
    price = item.get("price", {})
    remote, _created = RemoteOrder.objects.select_for_update().get_or_create(
        person=person, seller_id=node, provider_id=str(provider.get("id", "")), state=RemoteOrder.State.CART,
        defaults={"seller_url": url, "domain": context.body["context"]["domain"] if context else "ONDC:RET10",
                  "provider_name": provider.get("descriptor", {}).get("name", ""),
                  "location_id": (provider.get("locations") or [{}])[0].get("id", ""),
                  "currency": price.get("currency", "")},
    )  # fmt: skip
    lines = [line for line in remote.lines if line["item_id"] != item_id]
    held = next((line["quantity"] for line in remote.lines if line["item_id"] == item_id), 0)
    total = held + quantity
    available = str(item.get("quantity", {}).get("available", {}).get("count", ""))
    if available.isdigit() and total > int(available):
        raise InvalidInput(
            _("Only %(n)s left at %(shop)s.") % {"n": available, "shop": remote.provider_name},
            field="quantity",
        )
    if total > MAX_QUANTITY:
        raise InvalidInput(
            _("Choose a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY}, field="quantity"
        )
    lines.append({"item_id": item_id, "name": item.get("descriptor", {}).get("name", item_id),
                  "price_cents": cents(price.get("value", "0")), "quantity": total})  # fmt: skip
    remote.lines = lines
    remote.save(update_fields=["lines", "updated"])
    return remote


def remote_cart_of(person: Any) -> list[RemoteOrder]:
    if person is None or not person.is_authenticated:
        return []
    return list(RemoteOrder.objects.filter(person=person, state=RemoteOrder.State.CART).order_by("pk"))


def remote_orders_of(person: Any) -> list[RemoteOrder]:
    if person is None or not person.is_authenticated:
        return []
    rows = RemoteOrder.objects.filter(person=person).exclude(state=RemoteOrder.State.CART)
    return list(rows.order_by("-created", "-pk"))


def access_remote_order_for_person(person: Any, remote_id: int) -> RemoteOrder:
    found = (
        RemoteOrder.objects.filter(pk=remote_id, person=person).first() if person.is_authenticated else None
    )
    if found is None:
        raise NotFound(_("No such order."))
    return found


@transaction.atomic
def do_set_remote_quantity(person: Any, remote_id: int, item_id: str, quantity: int) -> None:
    """Change a line of a cart group; 0 removes it, and the group goes with its last line."""
    remote = (
        RemoteOrder.objects.select_for_update()
        .filter(pk=remote_id, person=person, state=RemoteOrder.State.CART)
        .first()
    )
    if remote is None or item_id not in {line["item_id"] for line in remote.lines}:
        raise NotFound(_("This product is not in your cart."))
    if not 0 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(
            _("Choose a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY}, field="quantity"
        )
    remote.lines = [
        {**line, "quantity": quantity} if line["item_id"] == item_id else line
        for line in remote.lines
        if line["item_id"] != item_id or quantity
    ]
    if not remote.lines:
        remote.delete()
        return
    remote.save(update_fields=["lines", "updated"])


# ---- talking to the seller --------------------------------------------------------------------------


def _wait() -> float:
    return float(settings.COMPTOIR_PROTOCOL_CALLBACK_WAIT)


def _exchange(remote: RemoteOrder, transaction_id: str, action: str, **message: Any) -> dict[str, Any]:
    """Send one signed request to the seller's node and wait for its callback (bounded)."""
    me = load_identity()
    wait = _wait()
    context = messages.request_context(
        action=action, domain=remote.domain, city=settings.COMPTOIR_PROTOCOL_CITY, bap_id=me.subscriber_id,
        bap_uri=me.url, bpp_id=remote.seller_id, bpp_uri=remote.seller_url, moment=timezone.now(),
        transaction_id=transaction_id,
    )  # fmt: skip
    body = messages.envelope(context, **message)
    node = {"node": remote.seller_id}
    try:
        reply = http.post_signed(f"{remote.seller_url}/{action}", body, me, timeout=wait)
    except (OSError, urllib.error.URLError):
        raise RemoteRefused(
            _("%(node)s cannot be reached: nothing was ordered. Try again later.") % node
        ) from None
    if not reply.acked:
        reason = str(reply.body.get("error", {}).get("message", "") or f"HTTP {reply.status}")
        raise RemoteRefused(
            _("%(node)s refused the request (%(reason)s): nothing was ordered.")
            % {**node, "reason": reason[:200]}
        )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = InboxMessage.objects.filter(
            action="on_" + action, transaction_id=transaction_id, message_id=context.message_id,
            sender_id=remote.seller_id,
        ).order_by("pk").first()  # fmt: skip
        if found is not None:
            return dict(found.body)
        time.sleep(0.02)
    raise RemoteRefused(
        _("%(node)s did not answer within %(seconds)d s: nothing was ordered. Try again later.")
        % {**node, "seconds": round(wait)}
    )


def _names(remote: RemoteOrder) -> dict[str, str]:
    return {line["item_id"]: line["name"] for line in remote.lines}


def _refusal(remote: RemoteOrder, callback: dict[str, Any]) -> RemoteRefused:
    error = callback.get("error") or {}
    text = str(error.get("message", ""))
    if str(error.get("code")) == "40002":  # ONDC: out of stock, the message lists the items
        try:
            short = [str(entry["item_id"]) for entry in json.loads(text)]
        except (ValueError, TypeError, KeyError):
            short = []
        names = ", ".join(_names(remote).get(item, item) for item in short) or text
        return RemoteRefused(
            _("Not enough stock at %(shop)s for: %(names)s. Lower the quantity and try again.")
            % {"shop": remote.provider_name, "names": names}
        )
    return RemoteRefused(
        _("%(node)s refused the order (%(reason)s): nothing was ordered.")
        % {"node": remote.seller_id, "reason": text[:200] or error.get("code", "?")}
    )


def _selection(remote: RemoteOrder, drop: Drop) -> dict[str, Any]:
    location = [{"id": remote.location_id}] if remote.location_id else []
    return {
        "provider": {"id": remote.provider_id, "locations": location},
        "items": [{"id": line["item_id"], "quantity": {"count": int(line["quantity"])},
                   **({"location_id": remote.location_id} if remote.location_id else {})}
                  for line in remote.lines],
        "fulfillments": [{"end": {"location": {"gps": drop.gps, "address": {"area_code": drop.postal_code}}}}],
    }  # fmt: skip


def _read_quote(remote: RemoteOrder, order: dict[str, Any]) -> Quoted:
    quote = order.get("quote") or {}
    seen = {line["item_id"]: int(line["price_cents"]) for line in remote.lines}
    names = _names(remote)
    lines, charges, changed = [], [], []
    for entry in quote.get("breakup", []):
        total = cents(entry.get("price", {}).get("value", "0"))
        if entry.get("@ondc/org/title_type") == "item":
            item_id = str(entry.get("@ondc/org/item_id", ""))
            unit = cents(entry.get("item", {}).get("price", {}).get("value", "0"))
            count = int(str(entry.get("@ondc/org/item_quantity", {}).get("count", 0)))
            name = names.get(item_id, entry.get("title", item_id))
            if item_id in seen and unit != seen[item_id]:
                changed.append(name)
            lines.append({"item_id": item_id, "name": name, "quantity": count, "unit_cents": unit,
                          "total_cents": total, "seen_cents": seen.get(item_id)})  # fmt: skip
        else:
            charges.append((str(entry.get("title", "")), total))
    return Quoted(lines=lines, charges=charges, total_cents=cents(quote.get("price", {}).get("value", "0")),
                  currency=str(quote.get("price", {}).get("currency", remote.currency)), changed=changed)  # fmt: skip


def _cart_group(person: Any, remote_id: int) -> RemoteOrder:
    remote = RemoteOrder.objects.filter(pk=remote_id, person=person, state=RemoteOrder.State.CART).first()
    if remote is None:
        raise NotFound(_("This order from another node is not in your cart any more."))
    return remote


def do_quote_remote(person: Any, remote_id: int, drop: Drop) -> Quoted:
    """Ask the seller to price the cart group for this address (select → on_select); nothing is stored."""
    remote = _cart_group(person, remote_id)
    callback = _exchange(remote, messages.new_id(), "select", order=_selection(remote, drop))
    if callback.get("error"):
        raise _refusal(remote, callback)
    return _read_quote(remote, callback["message"]["order"])


def _claim(person: Any, remote_id: int, transaction_id: str) -> RemoteOrder:
    """cart → placing, once: a second click (another tab) finds the group already on its way."""
    remote_status.check_transition(RemoteOrder.State.CART, RemoteOrder.State.PLACING)
    claimed = RemoteOrder.objects.filter(pk=remote_id, person=person, state=RemoteOrder.State.CART).update(
        state=RemoteOrder.State.PLACING, transaction_id=transaction_id, updated=timezone.now()
    )
    if not claimed:
        if (
            RemoteOrder.objects.filter(pk=remote_id, person=person)
            .exclude(state=RemoteOrder.State.CART)
            .exists()
        ):
            raise RemoteRefused(_("This order is already being placed."))
        raise NotFound(_("This order from another node is not in your cart any more."))
    return RemoteOrder.objects.get(pk=remote_id)


def _release(remote: RemoteOrder) -> None:
    """placing → cart after a refusal: the group is back as the resident left it."""
    RemoteOrder.objects.filter(pk=remote.pk, state=RemoteOrder.State.PLACING).update(
        state=RemoteOrder.State.CART, transaction_id="", order_state="", fulfillment_state="",
        payment_method="", payment_reference="", updated=timezone.now(),
    )  # fmt: skip


def payment_choices() -> list[tuple[str, str]]:
    """Our own methods a resident may pay another node's shop with: a transfer to our cooperative once its
    account is configured, and payment at the door when our checkout offers it."""
    offered = payment_methods()
    choices = []
    if "bank_transfer" in offered and bank_account() is not None:
        choices.append(("bank_transfer", _("Bank transfer to our cooperative, which pays the shop's node")))
    if "on_handover" in offered:
        choices.append(("on_handover", _("Pay the courier on delivery (card or cash)")))
    return choices


def check_payment(remote: RemoteOrder, payment: str) -> tuple[str, str]:
    if payment not in dict(payment_choices()):
        raise InvalidInput(_("Choose a payment method."), field="payment")
    if payment == "bank_transfer" and remote.currency != node_region().currency:
        raise InvalidInput(
            _("%(shop)s sells in %(currency)s: our cooperative collects only in %(ours)s. Pay on delivery.")
            % {"shop": remote.provider_name, "currency": remote.currency, "ours": node_region().currency},
            field="payment",
        )
    return PAYMENT_TERMS[payment]


def do_place_remote(
    person: Any, remote_id: int, drop: Drop, *, expected_total_cents: int, payment: str
) -> RemoteOrder:
    """select → init → confirm with the seller's node; refuses if the total is not the one the resident saw."""
    terms = check_payment(_cart_group(person, remote_id), payment)
    transaction_id = messages.new_id()
    remote = _claim(person, remote_id, transaction_id)
    try:
        on_select = _exchange(remote, transaction_id, "select", order=_selection(remote, drop))
        if on_select.get("error"):
            raise _refusal(remote, on_select)
        quoted = _read_quote(remote, on_select["message"]["order"])
        if quoted.total_cents != expected_total_cents:
            raise RemoteRefused(
                _("Prices changed at %(shop)s: the order now costs %(total)s, not %(seen)s. Check the new quote and confirm again.")
                % {"shop": remote.provider_name, "total": f"{quoted.total_cents / 100:.2f} {quoted.currency}",
                   "seen": f"{expected_total_cents / 100:.2f} {quoted.currency}"},
                quoted=quoted,
            )  # fmt: skip
        fulfillment_id = (on_select["message"]["order"].get("fulfillments") or [{}])[0].get("id", "")
        now = messages.timestamp(timezone.now())
        init = _init_order(remote, drop, fulfillment_id, now, terms)
        on_init = _exchange(remote, transaction_id, "init", order=init)
        if on_init.get("error"):
            raise _refusal(remote, on_init)
        offered = on_init["message"]["order"]
        _check_terms(remote, offered.get("payment") or {}, terms)
        confirm = _confirm_order(remote, init, offered, now)
        # kept before sending: a checkout cut short is finished by the worker with the same terms
        RemoteOrder.objects.filter(pk=remote.pk).update(
            payment_method=payment, payment_reference=confirm["id"]
        )
        on_confirm = _exchange(remote, transaction_id, "confirm", order=confirm)
        if on_confirm.get("error"):
            raise _refusal(remote, on_confirm)
    except BaseException:
        _release(remote)
        raise
    return _record_confirmed(remote.pk, on_confirm["message"]["order"], quoted, drop)


def _check_terms(remote: RemoteOrder, offered: dict[str, Any], terms: tuple[str, str]) -> None:
    """The seller's on_init must take the payment as we asked, else nothing is confirmed."""
    if (offered.get("type"), offered.get("collected_by")) != terms:
        raise RemoteRefused(
            _("%(node)s does not take this way of paying: nothing was ordered. Choose another one.")
            % {"node": remote.seller_id}
        )


def _init_order(
    remote: RemoteOrder, drop: Drop, fulfillment_id: str, now: str, terms: tuple[str, str]
) -> dict[str, Any]:
    selection = _selection(remote, drop)
    contact = {"phone": drop.phone, "email": drop.email}
    return {
        "provider": selection["provider"],
        "items": [{**item, "fulfillment_id": fulfillment_id} for item in selection["items"]],
        "billing": {"name": drop.name, "address": drop.place(), **contact, "created_at": now, "updated_at": now},
        "fulfillments": [{"id": fulfillment_id, "type": "Delivery",
                          "end": {"contact": contact, "location": {"gps": drop.gps, "address": drop.place()}}}],
        "payment": {"type": terms[0], "collected_by": terms[1],
                    "@ondc/org/buyer_app_finder_fee_type": "percent", "@ondc/org/buyer_app_finder_fee_amount": "0"},
    }  # fmt: skip


def _confirm_order(
    remote: RemoteOrder, init: dict[str, Any], offered: dict[str, Any], now: str
) -> dict[str, Any]:
    order_id = f"{timezone.now():%Y-%m-%d}-R{remote.pk}-{secrets.token_hex(3)}"
    fulfillment = dict(init["fulfillments"][0])
    fulfillment["end"] = {**fulfillment["end"], "person": {"name": init["billing"]["name"]}}
    fulfillment["tracking"] = False
    return {
        "id": order_id,
        "state": "Created",
        "provider": init["provider"],
        "items": [{k: v for k, v in item.items() if k != "location_id"} for item in init["items"]],
        "billing": init["billing"],
        "fulfillments": [fulfillment],
        "quote": offered.get("quote", {}),
        "payment": confirm_payment(offered.get("payment", {}), offered.get("quote", {}), order_id),
        "tags": offered.get("tags", []),
        "created_at": now,
        "updated_at": now,
    }


def confirm_payment(offered: dict[str, Any], quote: dict[str, Any], reference: str) -> dict[str, Any]:
    """The seller's payment terms as confirm carries them: nobody has paid yet (``NOT-PAID``), the amount
    is the quote; when we collect, a ``payto`` URI (RFC 8905) to our account with the order id as reference."""
    price = quote.get("price") or {}
    params = {"amount": str(price.get("value", "0.00")), "currency": str(price.get("currency", ""))}
    payment = {**offered, "status": "NOT-PAID", "params": params}
    if offered.get("collected_by") == "BAP":
        account = bank_account()
        if account is None:
            raise RemoteRefused(_("Our cooperative's bank account is not configured: nothing was ordered."))
        iban = account[0].replace(" ", "")
        amount = f"{params['currency']}:{params['amount']}"
        payment.update(tl_method="payto", uri=f"payto://iban/{account[1]}/{iban}?amount={amount}&message={reference}",
                       params={**params, "transaction_id": reference})  # fmt: skip
    return payment


def finder_fee_cents(payment: dict[str, Any], total_cents: int) -> int:
    """The finder fee the seller's node leaves us, in cents: a percent of the quote, or an amount."""
    kind = str(payment.get("@ondc/org/buyer_app_finder_fee_type", "")).lower()
    try:
        value = Decimal(str(payment.get("@ondc/org/buyer_app_finder_fee_amount", "0") or "0"))
    except InvalidOperation:
        return 0
    if kind == "percent":
        return int((Decimal(total_cents) * value / 100).to_integral_value())
    return cents(value) if kind == "amount" else 0


def payment_text(order: RemoteOrder, lang: str) -> str:
    """What the resident pays, to whom and how, for a placed remote order."""
    amount = Money(order.total_cents or 0, order.currency or node_region().currency).format(lang)
    if order.payment_method == "bank_transfer":
        account = bank_account()
        if account is None:
            return ""
        return _("Transfer %(amount)s to our cooperative, %(iban)s (BIC %(bic)s), with the reference %(ref)s. "
                 "It pays %(node)s after delivery.") % {"amount": amount, "iban": account[0], "bic": account[1],
                                                          "ref": order.payment_reference, "node": order.seller_id}  # fmt: skip
    if order.payment_method == "on_handover":
        return _("You pay %(amount)s to the courier of %(node)s on delivery.") % {
            "amount": amount, "node": order.seller_id}  # fmt: skip
    return ""


def _wire_position(order: dict[str, Any]) -> tuple[str, str]:
    fulfillments = order.get("fulfillments") or [{}]
    code = fulfillments[0].get("state", {}).get("descriptor", {}).get("code", "")
    return str(order.get("state", "")), str(code)


@transaction.atomic
def _record_confirmed(
    remote_id: int, order: dict[str, Any], quoted: Quoted, drop: Drop | None
) -> RemoteOrder:
    remote = RemoteOrder.objects.select_for_update().get(pk=remote_id)
    # a status push may have arrived while we waited: keep whichever is further along
    order_state, fulfillment = _wire_position(order)
    current = remote_status.Position(remote.state, remote.order_state, remote.fulfillment_state)
    moved = remote_status.follow(current, order_state, fulfillment)
    target = moved or current
    new_state = target.state if target.state != RemoteOrder.State.PLACING else RemoteOrder.State.PLACED
    if remote.state not in remote_status.FINAL:  # cancelled by the seller already: it stays so
        remote_status.check_transition(remote.state, new_state)
    by_item = {line["item_id"]: line for line in quoted.lines}
    remote.lines = [{**line, "price_cents": by_item[line["item_id"]]["unit_cents"]} if line["item_id"] in by_item
                    else line for line in remote.lines]  # fmt: skip
    remote.state, remote.order_state, remote.fulfillment_state = (
        new_state,
        target.order_state,
        target.fulfillment,
    )
    remote.order_ref = str(order.get("id", ""))
    remote.quote, remote.total_cents = order.get("quote") or {}, quoted.total_cents
    if drop is not None:
        remote.drop = {"name": drop.name, "phone": drop.phone, "email": drop.email, "address": drop.address,
                       "postal_code": drop.postal_code, "city": drop.city}  # fmt: skip
    remote.save()
    if remote.payment_method == "bank_transfer" and remote.state != RemoteOrder.State.CANCELLED:
        _book_sale(remote, order.get("payment") or {})
    return remote


def _fee_taxes() -> tuple[tuple[str, Decimal], ...]:
    """The taxes inside our finder fee, as inside every fee of the cooperative (orders' books)."""
    region = tuple((tax.account, tax.rate) for tax in node_region().fee_taxes)
    return region or ((VAT_COLLECTED, Decimal(str(governed("fees_vat_percent").value))),)


def _book_sale(remote: RemoteOrder, payment: dict[str, Any]) -> None:
    """We collect: the resident owes us the quote, the seller's node is owed it less its finder fee."""
    total = int(remote.total_cents or 0)
    do_post_remote_sale(
        RemoteSalePosting(
            reference=remote.payment_reference, node_id=remote.seller_id, order_ref=remote.order_ref,
            total_cents=total, finder_fee_cents=finder_fee_cents(payment, total), currency=remote.currency,
            fee_taxes=_fee_taxes(),
        ),
        at=timezone.now(),
    )  # fmt: skip


def do_recover_placings(*, now: datetime | None = None) -> int:
    """A checkout whose web process died between confirm and its record: finish it or give the cart back.

    Once every callback's wait has passed, a group still ``placing`` is ``placed`` if the seller's
    on_confirm reached our inbox, else back in the cart as it was (the worker runs this).
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=6 * _wait() + 60)  # 3 posts and 3 waits, at most
    stuck = list(
        RemoteOrder.objects.filter(state=RemoteOrder.State.PLACING, updated__lt=cutoff).order_by("pk")[:20]
    )
    for remote in stuck:
        answer = InboxMessage.objects.filter(
            action="on_confirm", transaction_id=remote.transaction_id, sender_id=remote.seller_id
        ).first()
        if (
            answer is not None
            and not answer.body.get("error")
            and answer.body.get("message", {}).get("order")
        ):
            order = answer.body["message"]["order"]
            _record_confirmed(remote.pk, order, _read_quote(remote, order), None)
        else:
            _release(remote)
    return len(stuck)


def do_cancel_remote(person: Any, remote_id: int, reason: str) -> RemoteOrder:
    """Ask the seller to cancel (ONDC buyer reason code); the order changes only when it says so."""
    if reason not in CANCEL_REASONS:
        raise InvalidInput(_("Choose a reason for cancelling."), field="reason")
    remote = access_remote_order_for_person(person, remote_id)
    if remote.state != RemoteOrder.State.PLACED:
        raise InvalidInput(_("This order cannot be cancelled any more."))
    callback = _exchange(
        remote, remote.transaction_id, "cancel", order_id=remote.order_ref, cancellation_reason_id=reason
    )
    if callback.get("error"):
        raise RemoteRefused(
            _("%(node)s did not cancel the order: %(reason)s")
            % {"node": remote.seller_id, "reason": str(callback["error"].get("message", ""))[:200]}
        )
    apply_seller_report(remote.seller_id, remote.transaction_id, callback["message"]["order"], reason=reason)
    remote.refresh_from_db()
    return remote


@transaction.atomic
def apply_seller_report(
    seller_id: str, transaction_id: str, order: dict[str, Any], *, reason: str = ""
) -> str:
    """An on_status / on_cancel / on_update from the seller: move our record if it is news."""
    remote = (
        RemoteOrder.objects.select_for_update()
        .filter(transaction_id=transaction_id, seller_id=seller_id)
        .filter(Q(state=RemoteOrder.State.PLACING) | Q(state=RemoteOrder.State.PLACED))
        .first()
    )
    if remote is None:
        return "no live remote order for this transaction"
    order_state, fulfillment = _wire_position(order)
    try:
        moved = remote_status.follow(
            remote_status.Position(remote.state, remote.order_state, remote.fulfillment_state),
            order_state,
            fulfillment,
        )
    except remote_status.InvalidTransition as error:
        return f"ignored: {error}"
    if moved is None:
        return f"unchanged ({remote.order_state}/{remote.fulfillment_state})"
    remote.state, remote.order_state, remote.fulfillment_state = (
        moved.state,
        moved.order_state,
        moved.fulfillment,
    )
    if moved.state == RemoteOrder.State.CANCELLED:
        remote.cancel_reason = (
            reason or str((order.get("cancellation") or {}).get("reason", {}).get("id", ""))[:3]
        )
        if remote.payment_method == "bank_transfer":
            do_cancel_remote_sale(remote.payment_reference, at=timezone.now(),
                                  memo=f"Order {remote.order_ref} cancelled by {seller_id}")  # fmt: skip
    remote.save()
    return f"remote order {remote.pk}: {moved.order_state}/{moved.fulfillment}"


def state_label(order: RemoteOrder) -> str:
    """What the resident reads: our state, with the seller's fulfillment step while it is under way."""
    steps = {
        "Pending": _("waiting for the shop"),
        "Packed": _("packed by the shop"),
        "Agent-assigned": _("a courier is assigned"),
        "Order-picked-up": _("picked up by the courier"),
        "Out-for-delivery": _("out for delivery"),
        "Order-delivered": _("delivered"),
    }
    if order.state == RemoteOrder.State.CANCELLED:
        return _("cancelled")
    if order.state == RemoteOrder.State.COMPLETED:
        return _("delivered")
    if order.state == RemoteOrder.State.PLACING:
        return _("being placed")
    if order.state == RemoteOrder.State.CART:
        return _("in your cart")
    return steps.get(order.fulfillment_state, _("confirmed"))


def cancel_reason_choices() -> list[tuple[str, str]]:
    return [
        ("010", _("I want to change the address or other details")),
        ("009", _("The delivery address is wrong")),
        ("003", _("I found this product cheaper")),
        ("001", _("The price changed")),
        ("006", _("The order did not arrive in time")),
    ]
