"""What stands between an anonymous script and a shop's stock: checkout's guards.

- Idempotency keys belong to their owner (`owner_key`: the person, or the guest's cart), and a key
  comes with the hash of the request it was first used with: a retry returns the first order, the
  same key with a different request is refused (`idempotency_key_reused`, 422), as payment APIs do.
- Checkout attempts are counted per session and per address (`COMPTOIR_CHECKOUT_ATTEMPTS`, in the
  cache: a fixed window); past the limit the node answers `checkout_throttled` (429).
- A guest may hold only `COMPTOIR_GUEST_OPEN_ORDERS_MAX` open unpaid orders per session, email or
  address (counted in the database, so every worker process agrees).
- A guest's stock is held `COMPTOIR_UNCONFIRMED_HOLD_MINUTES` until they type the code mailed to
  them; then the normal hold (the governed `order_accept_minutes`) starts. A script that gives
  someone else's address reserves nothing for long and cannot confirm.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, Throttled
from comptoir.core.parameters import governed
from comptoir.orders.error_codes import OrderErrorCode
from comptoir.orders.models import Order
from comptoir.orders.status import HOLDS_STOCK

MAX_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class Client:
    """Who is checking out, as far as the node can tell: the session's key and the network address."""

    session: str = ""
    ip: str | None = None


CHANNEL = "channel"


def owner_key(person: Any, cart: Any) -> str:
    """Whose checkout: a person, a browser guest (their cart), or the server-side channel.

    A browser guest always has a cart (checkout starts from it) and the API needs a person, so a
    checkout with neither comes from the node's own code: the protocol's seller (its keys carry the
    buyer app's id and transaction id) or the demo. The buyer app vouches for its buyer, so the
    channel is neither capped nor held briefly (`is_guest`).
    """
    if person is not None and person.is_authenticated:
        return f"person:{person.pk}"
    return f"guest:{cart.token}" if cart is not None else CHANNEL


def is_guest(owner: str) -> bool:
    return owner.startswith("guest:")


def request_hash(request: Any) -> str:
    """A stable digest of what was asked (the key itself and the free-form notes left out)."""
    fields = {k: v for k, v in asdict(request).items() if k not in {"idempotency_key", "notes"}}
    canonical = json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replayed(owner: str, key: str, digest: str) -> Order | None:
    """The order this owner already placed with this key, if the request is the same; refuse if not."""
    if not key:
        return None
    order = Order.objects.filter(owner_key=owner, idempotency_key=key).first()
    if order is not None and order.request_hash != digest:
        raise Conflict(
            _("This idempotency key was already used for a different order. Use a new key for a new order."),
            code=OrderErrorCode.IDEMPOTENCY_KEY_REUSED,
            order_id=order.pk,
        )
    return order


def check_attempt(client: Client) -> None:
    """Count one checkout attempt for the session and for the address; refuse past the limit."""
    limit, window = settings.COMPTOIR_CHECKOUT_ATTEMPTS
    bucket = int(timezone.now().timestamp()) // window
    for who in [f"s:{client.session}" if client.session else "", f"ip:{client.ip}" if client.ip else ""]:
        if not who:
            continue
        key = f"checkout-attempts:{who}:{bucket}"
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr: start again
            cache.set(key, 1, timeout=window)
            count = 1
        if count > limit:
            raise Throttled(
                _("Too many checkouts from here; try again in a while."),
                code=OrderErrorCode.CHECKOUT_THROTTLED, retry_after_seconds=window,
            )  # fmt: skip


def check_guest_cap(email: str, owner: str, client: Client) -> None:
    """A guest (by session, email or address) may hold only a few open unpaid orders at once."""
    same = Q(email__iexact=email) | Q(owner_key=owner) if owner else Q(email__iexact=email)
    if client.ip:
        same |= Q(client_ip=client.ip)
    open_orders = (
        Order.objects.filter(
            same, customer=None, payment_status="pending", shop_orders__status__in=HOLDS_STOCK
        )
        .distinct()
        .count()
    )
    if open_orders >= settings.COMPTOIR_GUEST_OPEN_ORDERS_MAX:
        raise Throttled(
            _(
                "You already have %(n)d orders waiting without an account. Wait until a shop answers them, "
                "or sign in."
            )
            % {"n": open_orders},
            code=OrderErrorCode.TOO_MANY_OPEN_ORDERS,
        )


def hold_until(now: datetime, *, confirmed: bool) -> datetime:
    """Until when a new shop order keeps its stock if its shop does not answer."""
    if not confirmed:
        return now + timedelta(minutes=settings.COMPTOIR_UNCONFIRMED_HOLD_MINUTES)
    return now + timedelta(minutes=int(governed("order_accept_minutes").value))


def new_email_code() -> tuple[str, str]:
    """A six-digit code to mail, and the digest kept on the order."""
    code = f"{secrets.randbelow(10**6):06d}"
    return code, code_digest(code)


def code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.strip().encode(), hashlib.sha256).hexdigest()
