"""Building and parsing whole messages: contexts, envelopes, ACK/NACK, quotes.

The rules encoded here are ONDC's log-validation rules that hold for every
action: a callback repeats the request's transaction and message ids with a
later timestamp; a quote's price is the sum of its breakup to the paisa (here:
the cent), and an item line is its unit price times its count.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError

from comptoir.protocol.wire.models import (
    BreakupLine,
    Context,
    Count,
    Envelope,
    Item,
    ItemQuantity,
    Price,
    Quote,
    Tag,
    TagGroup,
)

CORE_VERSION = "1.2.0"
RETAIL_GROCERY = "ONDC:RET10"
LOGISTICS = "nic2004:60232"
CALLBACKS = {
    "search": "on_search",
    "select": "on_select",
    "init": "on_init",
    "confirm": "on_confirm",
    "status": "on_status",
    "track": "on_track",
    "cancel": "on_cancel",
    "update": "on_update",
}
CENT = Decimal("0.01")


class WireError(Exception):
    """A message that cannot be read: not JSON, not an object, or without a usable context."""


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as ONDC logs write it."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def new_id() -> str:
    return str(uuid.uuid4())


def amount(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def request_context(
    *,
    action: str,
    domain: str,
    city: str,
    bap_id: str,
    bap_uri: str,
    moment: datetime,
    transaction_id: str,
    message_id: str | None = None,
    bpp_id: str | None = None,
    bpp_uri: str | None = None,
    ttl: str = "PT30S",
    country: str = "IND",
) -> Context:
    fields: dict[str, Any] = {
        "domain": domain,
        "action": action,
        "country": country,
        "city": city,
        "core_version": CORE_VERSION,
        "bap_id": bap_id,
        "bap_uri": bap_uri,
        "transaction_id": transaction_id,
        "message_id": message_id or new_id(),
        "timestamp": timestamp(moment),
        "ttl": ttl,
    }
    if bpp_id:
        fields.update(bpp_id=bpp_id, bpp_uri=bpp_uri)
    return Context(**fields)


def reply_context(request: Context, *, bpp_id: str, bpp_uri: str, moment: datetime) -> Context:
    """The callback's context: same ids, ``on_`` action, a timestamp after the request's."""
    if request.action not in CALLBACKS:
        raise WireError(f"{request.action} has no callback")
    # a clock a little behind the peer's must still answer after the request
    stamp = max(moment, parse_timestamp(request.timestamp) + timedelta(milliseconds=1))
    fields: dict[str, Any] = {
        "domain": request.domain,
        "action": CALLBACKS[request.action],
        "country": request.country,
        "city": request.city,
        "core_version": request.core_version,
        "bap_id": request.bap_id,
        "bap_uri": request.bap_uri,
        "bpp_id": bpp_id,
        "bpp_uri": bpp_uri,
        "transaction_id": request.transaction_id,
        "message_id": request.message_id,
        "timestamp": timestamp(stamp),
    }
    if request.action == "search" and request.ttl:
        fields["ttl"] = request.ttl
    return Context(**fields)


def envelope(context: Context, **message: Any) -> dict[str, Any]:
    """The message as a JSON object; message parts may be models or plain values."""
    parts = {key: value.dump() if hasattr(value, "dump") else value for key, value in message.items()}
    return {"context": context.dump(), "message": {k: v for k, v in parts.items() if v is not None}}


def encode(message: dict[str, Any]) -> bytes:
    """The bytes to sign and send: compact JSON, UTF-8."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


def parse(body: bytes | str | dict[str, Any]) -> Envelope:
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise WireError(f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise WireError("the body is not a JSON object")
    try:
        return Envelope.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = "/".join(str(part) for part in first["loc"])
        raise WireError(f"{where}: {first['msg']}") from None


def ack() -> dict[str, Any]:
    return {"message": {"ack": {"status": "ACK"}}}


def nack(kind: str, code: str, text: str, path: str = "") -> dict[str, Any]:
    error: dict[str, str] = {"type": kind, "code": code, "message": text}
    if path:
        error["path"] = path
    return {"message": {"ack": {"status": "NACK"}}, "error": error}


@dataclass(frozen=True)
class QuoteLine:
    """One line of a quote before it is written in ONDC's breakup form."""

    item_id: str
    title: str
    title_type: str  # item, delivery, packing, tax, discount, misc
    unit_price: Decimal
    count: int = 1
    available: int | None = None  # items only: what the shop can sell now
    maximum: int | None = None
    tags: tuple[tuple[str, str], ...] = ()  # written as the line's item tags, in a group named by its type

    @property
    def total(self) -> Decimal:
        return (self.unit_price * self.count).quantize(CENT, rounding=ROUND_HALF_UP)


def build_quote(
    lines: list[QuoteLine], *, currency: str, ttl: str = "PT6H", with_stock: bool = False
) -> Quote:
    """ONDC breakup: item lines carry count and unit price; the total is their exact sum."""
    breakup = []
    for line in lines:
        entry = BreakupLine(
            item_id=line.item_id,
            title=line.title,
            title_type=line.title_type,
            price=Price(currency=currency, value=amount(line.total)),
        )
        if line.title_type == "item":
            entry.item_quantity = Count(count=line.count)
            item = Item(price=Price(currency=currency, value=amount(line.unit_price)))
            if with_stock and line.available is not None:
                item.quantity = ItemQuantity(
                    available=Count(count=str(line.available)),
                    maximum=Count(count=str(line.maximum or line.available)),
                )
            entry.item = item
        elif line.tags:
            entry.item = Item(
                tags=[TagGroup(code=line.title_type, entries=[Tag(code=c, value=v) for c, v in line.tags])]
            )
        breakup.append(entry)
    total = sum((line.total for line in lines), Decimal(0))
    return Quote(price=Price(currency=currency, value=amount(total)), breakup=breakup, ttl=ttl)


def quote_problems(quote: Quote) -> list[str]:
    """What ONDC's validator would say about a quote's arithmetic (empty when it adds up)."""
    found: list[str] = []
    breakup = quote.breakup or []
    total = sum(
        (Decimal(line.price.value) for line in breakup if line.price and line.price.value), Decimal(0)
    )
    if not quote.price or not quote.price.value or Decimal(quote.price.value) != total:
        found.append(
            f"quote price {quote.price.value if quote.price else None} is not the breakup sum {amount(total)}"
        )
    for line in breakup:
        if line.title_type != "item" or not line.item or not line.item.price or not line.item_quantity:
            continue
        expected = Decimal(line.item.price.value or "0") * Decimal(str(line.item_quantity.count))
        if line.price is None or Decimal(line.price.value or "0") != expected:
            found.append(f"item {line.item_id}: line price is not unit price × count ({amount(expected)})")
    return found
