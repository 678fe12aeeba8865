"""Checks on a folder of flow logs, after the rules ONDC's log validation applies to retail 1.2.0.

Written from the rules as ONDC states them (context consistency, request and
callback pairing, timestamps, quote arithmetic and consistency from select to
the last status, fulfillment state order, settlement fields), not from its code.
``problems(folder)`` returns sentences; an empty list means every rule held.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from comptoir.protocol.wire import validation
from comptoir.protocol.wire.messages import parse_timestamp, quote_problems
from comptoir.protocol.wire.models import Quote

ORDER = [
    "search_full_catalog_refresh", "on_search_full_catalog_refresh", "search_inc_refresh", "on_search_inc_refresh",
    "select_out_of_stock", "on_select_out_of_stock", "select", "on_select", "init", "on_init", "confirm",
    "on_confirm", "cancel", "on_cancel", "on_status_pending", "on_status_packed", "on_status_picked",
    "on_status_out_for_delivery", "on_status_delivered",
]  # fmt: skip
STATES = ["Pending", "Packed", "Agent-assigned", "Order-picked-up", "Out-for-delivery", "Order-delivered"]
SAME_EVERYWHERE = ("domain", "country", "city", "core_version", "bap_id", "bap_uri")
SETTLEMENT = ("@ondc/org/settlement_basis", "@ondc/org/settlement_window")  # required in confirm
SETTLEMENT_LINE = ("settlement_counterparty", "settlement_phase", "settlement_type", "beneficiary_name")


def load(folder: Path) -> dict[str, dict[str, Any]]:
    found = {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}
    return {name: found[name] for name in ORDER if name in found} | {
        name: body for name, body in found.items() if name not in ORDER
    }


def problems(folder: Path) -> list[str]:
    logs = load(folder)
    if not logs:
        return [f"no JSON log in {folder}"]
    found: list[str] = []
    for name, body in logs.items():
        found += [f"{name}: {problem}" for problem in validation.problems(body)]
    found += _context(logs) + _pairs(logs) + _quotes(logs) + _orders(logs) + _states(logs) + _payments(logs)
    return found


def _ctx(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body.get("context", {}))


def _context(logs: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    first = _ctx(next(iter(logs.values())))
    for name, body in logs.items():
        context = _ctx(body)
        found += [f"{name}: context.{key} differs from the first message's" for key in SAME_EVERYWHERE
                  if context.get(key) != first.get(key)]  # fmt: skip
    ordered = [(name, _ctx(body)) for name, body in logs.items() if not name.startswith("search")]
    bpps = {(c.get("bpp_id"), c.get("bpp_uri")) for name, c in ordered}
    if len(bpps) > 1:
        found.append(f"bpp_id/bpp_uri change during the flow: {sorted(map(str, bpps))}")
    order_part = [c.get("transaction_id") for name, c in ordered if "search" not in name]
    if len(set(order_part)) > 1:
        found.append("transaction_id changes between select and the last message")
    stamps = [
        (name, parse_timestamp(_ctx(body)["timestamp"])) for name, body in logs.items() if name in ORDER
    ]
    for (before, early), (after, late) in itertools.pairwise(stamps):
        if late <= early:
            found.append(f"{after}: timestamp is not after {before}'s")
    return found


def _pairs(logs: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for name, body in logs.items():
        if name.startswith("on_") and name[3:] in logs:
            request = _ctx(logs[name[3:]])
            context = _ctx(body)
            if context.get("message_id") != request.get("message_id"):
                found.append(f"{name}: message_id does not answer {name[3:]}'s")
            if context.get("action") != "on_" + str(request.get("action")):
                found.append(
                    f"{name}: action {context.get('action')} does not answer {request.get('action')}"
                )
    pushes = [_ctx(body)["message_id"] for name, body in logs.items() if name.startswith("on_status")]
    requests = {_ctx(body)["message_id"] for name, body in logs.items() if not name.startswith("on_")}
    if len(set(pushes)) != len(pushes) or set(pushes) & requests:
        found.append("unsolicited on_status messages must each have a new message_id")
    return found


def _quote_key(quote: dict[str, Any]) -> tuple[Any, ...]:
    lines = sorted(
        (line.get("@ondc/org/item_id"), line.get("@ondc/org/title_type"), line.get("price", {}).get("value"))
        for line in quote.get("breakup", [])
    )
    return quote.get("price", {}).get("value"), tuple(lines)


def _quotes(logs: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    quotes = {}
    for name, body in logs.items():
        quote = body.get("message", {}).get("order", {}).get("quote")
        if quote:
            found += [f"{name}: {problem}" for problem in quote_problems(Quote.model_validate(quote))]
            quotes[name] = _quote_key(quote)
    reference = quotes.get("on_select")
    for name, key in quotes.items():
        if reference and name not in ("on_select_out_of_stock", "on_cancel") and key != reference:
            found.append(f"{name}: quote differs from on_select's")
    return found


def _items(body: dict[str, Any]) -> list[tuple[str, Any]]:
    items = body.get("message", {}).get("order", {}).get("items") or []
    return sorted((str(i.get("id")), (i.get("quantity") or {}).get("count")) for i in items)


def _orders(logs: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    chosen = _items(logs["select"]) if "select" in logs else None
    for name in ("init", "on_init", "confirm", "on_confirm"):
        if chosen is not None and name in logs and _items(logs[name]) != chosen:
            found.append(f"{name}: items or quantities differ from select's")
    orders = {
        name: body["message"]["order"] for name, body in logs.items() if body.get("message", {}).get("order")
    }
    ids = {
        order.get("id")
        for name, order in orders.items()
        if name.startswith(("confirm", "on_confirm", "on_status", "on_cancel"))
    }
    if len(ids) > 1:
        found.append(f"order id changes after confirm: {sorted(map(str, ids))}")
    billed = {order["billing"].get("created_at") for order in orders.values() if order.get("billing")}
    if len(billed) > 1:
        found.append("billing.created_at changes between init and the last message")
    created = {
        order.get("created_at")
        for name, order in orders.items()
        if name.startswith(("confirm", "on_confirm", "on_status"))
    }
    if len(created) > 1:
        found.append("order created_at differs from confirm's")
    if "on_cancel" in logs:
        order = orders.get("on_cancel", {})
        if order.get("state") != "Cancelled":
            found.append("on_cancel: order state is not Cancelled")
        reason = (order.get("cancellation") or {}).get("reason", {}).get("id")
        if "cancel" in logs and reason != logs["cancel"]["message"].get("cancellation_reason_id"):
            found.append("on_cancel: cancellation reason differs from cancel's")
    if (
        "on_select_out_of_stock" in logs
        and logs["on_select_out_of_stock"].get("error", {}).get("code") != "40002"
    ):
        found.append("on_select_out_of_stock: no 40002 error naming the missing items")
    return found


def _fulfillment(body: dict[str, Any]) -> dict[str, Any]:
    return dict((body.get("message", {}).get("order", {}).get("fulfillments") or [{}])[0])


def _states(logs: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    seen = [(name, _fulfillment(body).get("state", {}).get("descriptor", {}).get("code")) for name, body in logs.items()
            if name.startswith("on_status")]  # fmt: skip
    ranks = [STATES.index(code) if code in STATES else -1 for _, code in seen]
    if any(rank < 0 for rank in ranks) or ranks != sorted(ranks):
        found.append(f"fulfillment states out of order: {[code for _, code in seen]}")
    picked = set()
    for name, body in logs.items():
        if not name.startswith("on_status"):
            continue
        stamp = parse_timestamp(_ctx(body)["timestamp"])
        fulfillment = _fulfillment(body)
        for side in ("start", "end"):
            moment = ((fulfillment.get(side) or {}).get("time") or {}).get("timestamp")
            if moment and parse_timestamp(moment) > stamp:
                found.append(f"{name}: {side} time is after the message's timestamp")
            if moment and side == "start":
                picked.add(moment)
    if len(picked) > 1:
        found.append("the pickup time changes between status messages")
    return found


def _payments(logs: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for name, body in logs.items():
        payment = body.get("message", {}).get("order", {}).get("payment")
        if not payment or name.startswith(("select", "on_select", "init")):
            continue
        if name == "confirm":
            found += [f"{name}: payment lacks {key}" for key in SETTLEMENT if not payment.get(key)]
        for line in payment.get("@ondc/org/settlement_details") or [{}]:
            found += [
                f"{name}: settlement detail lacks {key}" for key in SETTLEMENT_LINE if not line.get(key)
            ]
        amount = (payment.get("params") or {}).get("amount")
        quote = body["message"]["order"].get("quote", {}).get("price", {}).get("value")
        if amount and quote and Decimal(amount) != Decimal(quote):
            found.append(f"{name}: payment amount {amount} is not the quote {quote}")
    confirmed = logs.get("confirm", {}).get("message", {}).get("order", {}).get("payment", {})
    for name, body in logs.items():
        payment = body.get("message", {}).get("order", {}).get("payment", {})
        if (
            name.startswith(("on_confirm", "on_status"))
            and confirmed
            and payment.get("status") != confirmed.get("status")
        ):
            found.append(f"{name}: payment status differs from confirm's")
    return found
