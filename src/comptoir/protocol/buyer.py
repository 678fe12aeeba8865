"""Buyer role (BAP): what we keep of the callbacks peers send to our requests.

A callback is stored by the door (the inbox); this handler files it under its
transaction so the waiting side (a resident's page, ``flow-log``) can read it.
``do_search_peers`` asks the network and merges the catalogs that answer in time,
each result with the node it comes from.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from comptoir.core.errors import ComptoirError
from comptoir.protocol import http
from comptoir.protocol.identity import load_identity
from comptoir.protocol.models import InboxMessage, Subscriber, Transaction
from comptoir.protocol.selectors import participants
from comptoir.protocol.services import handles
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.durations import format_duration


@handles("on_search", "on_select", "on_init", "on_confirm", "on_status", "on_track", "on_cancel", "on_update")
def handle_callback(inbox: InboxMessage) -> str:
    context = inbox.body["context"]
    tx, _ = Transaction.objects.get_or_create(
        role=Transaction.Role.BUYER,
        transaction_id=context["transaction_id"],
        defaults={
            "domain": context["domain"],
            "city": context.get("city", ""),
            "bap_id": context.get("bap_id", ""),
            "bap_uri": context.get("bap_uri", ""),
            "bpp_id": context.get("bpp_id", ""),
            "bpp_uri": context.get("bpp_uri", ""),
        },
    )
    order = inbox.body.get("message", {}).get("order") or {}
    if order.get("id") and not tx.order_ref:
        tx.order_ref = order["id"]
        tx.save(update_fields=["order_ref", "updated"])
    if inbox.action in ("on_status", "on_cancel", "on_update") and order and not inbox.body.get("error"):
        from comptoir.protocol.remote import apply_seller_report

        return f"{inbox.action} filed; " + apply_seller_report(
            inbox.sender_id, context["transaction_id"], order
        )
    return f"{inbox.action} filed"


@dataclass(frozen=True)
class PeerResult:
    node: str  # the seller app's subscriber id: where the offer comes from
    shop: str
    shop_id: str
    item_id: str
    name: str
    price: str
    currency: str
    available: str


@dataclass
class MergedSearch:
    transaction_id: str  # the search's: adding a result to a cart reads the offer from its stored on_search
    results: list[PeerResult]
    answered: list[str]
    missing: list[str]  # asked but silent within the wait: their offers are absent, and we say so
    seconds: float


def _sellers(domain: str, city: str) -> list[Subscriber]:
    now = timezone.now()
    found = participants(role=Subscriber.Role.BPP, domain=domain, city=city, now=now)
    if not found and settings.COMPTOIR_REGISTRY_URL:
        from comptoir.protocol.registry import do_refresh_participants

        do_refresh_participants(domain=domain, role=Subscriber.Role.BPP, now=now)
        found = participants(role=Subscriber.Role.BPP, domain=domain, city=city, now=now)
    return [seller for seller in found if seller.subscriber_id != settings.COMPTOIR_PROTOCOL_ID]


def peers_reachable() -> bool:
    """Whether a peer search can go anywhere: our keys exist, and a gateway or a known seller."""
    from comptoir.protocol.identity import keys_path

    if not keys_path().exists():
        return False
    if settings.COMPTOIR_GATEWAY_URL or settings.COMPTOIR_REGISTRY_URL:
        return True
    return bool(_sellers("ONDC:RET10", settings.COMPTOIR_PROTOCOL_CITY))


def do_search_peers(query: str, *, wait: float = 2.0, domain: str = "ONDC:RET10") -> MergedSearch:
    """Ask the network (through the gateway if one is set, else each known seller), merge what answers in time."""
    me = load_identity()
    city = settings.COMPTOIR_PROTOCOL_CITY
    context = messages.request_context(
        action="search", domain=domain, city=city, bap_id=me.subscriber_id, bap_uri=me.url,
        moment=timezone.now(), transaction_id=messages.new_id(), ttl=format_duration(timedelta(seconds=max(1, wait))),
    )  # fmt: skip
    intent = {"item": {"descriptor": {"name": query}}, "fulfillment": {"type": "Delivery"},
              "payment": {"@ondc/org/buyer_app_finder_fee_type": "percent", "@ondc/org/buyer_app_finder_fee_amount": "0"}}  # fmt: skip
    body = messages.envelope(context, intent=intent)
    started = time.perf_counter()
    expected: set[str] = set()
    if settings.COMPTOIR_GATEWAY_URL:
        http.post_signed(settings.COMPTOIR_GATEWAY_URL + "/search", body, me, timeout=wait)
    else:
        sellers = _sellers(domain, city)
        expected = {seller.subscriber_id for seller in sellers}
        encoded = messages.encode(body)
        headers = http.signed_headers(encoded, me)
        for seller in sellers:  # each is small and local; a dead one costs its own timeout only
            with contextlib.suppress(OSError):
                http.post(seller.url + "/search", encoded, headers, timeout=min(wait, 1.0))
    answers: dict[str, list[dict[str, Any]]] = {}
    while time.perf_counter() - started < wait:
        answers = {}
        for row in InboxMessage.objects.filter(
            action="on_search", transaction_id=context.transaction_id
        ).order_by("pk"):
            answers.setdefault(row.sender_id, []).append(row.body)  # a catalog may come in parts
        if expected and expected <= set(answers):
            break
        time.sleep(0.01)
    results = [
        r for sender, parts in sorted(answers.items()) for answer in parts for r in _results(sender, answer)
    ]
    return MergedSearch(
        transaction_id=context.transaction_id,
        results=sorted(results, key=lambda r: (r.name.lower(), Decimal(r.price or "0"), r.node)),
        answered=sorted(answers),
        missing=sorted(expected - set(answers)),
        seconds=time.perf_counter() - started,
    )


def _results(sender: str, answer: dict[str, Any]) -> list[PeerResult]:
    found = []
    for provider in answer.get("message", {}).get("catalog", {}).get("bpp/providers", []):
        shop = provider.get("descriptor", {}).get("name", "")
        for item in provider.get("items", []):
            price = item.get("price", {})
            found.append(
                PeerResult(
                    node=sender, shop=shop, shop_id=provider.get("id", ""), item_id=item.get("id", ""),
                    name=item.get("descriptor", {}).get("name", ""), price=price.get("value", ""),
                    currency=price.get("currency", ""),
                    available=str(item.get("quantity", {}).get("available", {}).get("count", "")),
                )
            )  # fmt: skip
    return found


def as_json(search: MergedSearch) -> dict[str, Any]:
    return {
        "results": [asdict(result) for result in search.results],
        "answered": search.answered,
        "missing": search.missing,
        "seconds": round(search.seconds, 3),
    }


def do_pull_catalog(seller_id: str, *, expect: int, wait: float = 300.0) -> tuple[float, int, int]:
    """Full catalog refresh from one seller: (seconds until ``expect`` offers arrived, offers, parts)."""
    me = load_identity()
    seller = Subscriber.objects.filter(subscriber_id=seller_id, role=Subscriber.Role.BPP).first()
    if seller is None:
        raise ComptoirError(f"unknown seller {seller_id}")
    context = messages.request_context(
        action="search", domain=seller.domain or "ONDC:RET10", city=settings.COMPTOIR_PROTOCOL_CITY,
        bap_id=me.subscriber_id, bap_uri=me.url, moment=timezone.now(), transaction_id=messages.new_id(),
    )  # fmt: skip
    started = time.perf_counter()
    http.post_signed(
        seller.url + "/search", messages.envelope(context, intent={"fulfillment": {"type": "Delivery"}}), me
    )
    offers = parts = 0
    seen: set[int] = set()
    while time.perf_counter() - started < wait and offers < expect:
        for row in InboxMessage.objects.filter(
            action="on_search", transaction_id=context.transaction_id
        ).exclude(pk__in=seen):
            seen.add(row.pk)
            parts += 1
            offers += sum(
                len(p.get("items", [])) for p in row.body["message"]["catalog"].get("bpp/providers", [])
            )
        time.sleep(0.02)
    return time.perf_counter() - started, offers, parts


@dataclass(frozen=True)
class DeliveryQuote:
    item_id: str
    category: str
    name: str
    price: str
    currency: str


def do_ask_delivery_quote(
    lsp_id: str,
    *,
    pickup: str,
    drop: str,
    weight_kg: float,
    wait: float = 5.0,
    pickup_area: str = "",
    drop_area: str = "",
) -> tuple[list[DeliveryQuote], dict[str, Any] | None]:
    """Ask one logistics provider (ONDC logistics search) to quote a pickup and a drop: (offers, its error)."""
    me = load_identity()
    provider = Subscriber.objects.filter(subscriber_id=lsp_id).order_by("pk").first()
    if provider is None:
        raise ComptoirError(f"unknown logistics provider {lsp_id}")
    context = messages.request_context(
        action="search", domain=messages.LOGISTICS, city=settings.COMPTOIR_PROTOCOL_CITY, bap_id=me.subscriber_id,
        bap_uri=me.url, moment=timezone.now(), transaction_id=messages.new_id(),
    )  # fmt: skip

    def stop(gps: str, area: str) -> dict[str, Any]:
        return {"location": {"gps": gps, **({"address": {"area_code": area}} if area else {})}}

    intent = {"category": {"id": "Standard Delivery"}, "fulfillment": {"type": "Delivery", "start": stop(pickup, pickup_area), "end": stop(drop, drop_area)},
              "@ondc/org/payload_details": {"weight": {"unit": "kilogram", "value": weight_kg}}}  # fmt: skip
    reply = http.post_signed(
        provider.url + "/search", messages.envelope(context, intent=intent), me, timeout=wait
    )
    if not reply.acked:
        raise ComptoirError(f"{lsp_id} refused the search: HTTP {reply.status} {reply.body.get('error', '')}")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = InboxMessage.objects.filter(
            action="on_search", transaction_id=context.transaction_id, sender_id=lsp_id
        ).first()
        if found is not None:
            body = found.body
            offers = [
                DeliveryQuote(item["id"], item.get("category_id", ""), item.get("descriptor", {}).get("name", ""),
                              item["price"]["value"], item["price"]["currency"])
                for provider_ in body.get("message", {}).get("catalog", {}).get("bpp/providers", [])
                for item in provider_.get("items", [])
            ]  # fmt: skip
            return offers, body.get("error")
        time.sleep(0.02)
    raise ComptoirError(f"{lsp_id} did not answer within {wait:.0f} s")
