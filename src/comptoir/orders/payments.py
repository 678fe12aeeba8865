"""The `PaymentMethod` port and its adapters: pay at pickup or delivery, bank transfer.

Checkout calls `start(order)` once the order is written and shows what it returns:
instructions for the resident, or a URL to send them to. A method whose instructions
follow from the order alone also has `instructions(order, lang)`, which the order's page
calls to show them in the reader's language (`start` must never run twice). An online card adapter
returns `redirect_url` and later confirms through its own webhook view, without any
change to checkout. The methods offered are `settings.COMPTOIR_PAYMENT_METHODS`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.errors import InvalidInput
from comptoir.core.money import Money

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentStart:
    status: str  # pending or paid
    instructions: str
    redirect_url: str = ""


class PaymentMethod(Protocol):
    code: str
    label: Any

    def start(self, order: Any) -> PaymentStart: ...


class PayOnHandover:
    code = "on_handover"
    label = gettext_lazy("Pay at pickup or on delivery (card or cash)")

    def instructions(self, order: Any, lang: str) -> str:
        amount = Money(order.total_cents).format(lang)
        return _("You pay %(amount)s when you receive your goods.") % {"amount": amount}

    def start(self, order: Any) -> PaymentStart:
        return PaymentStart("pending", self.instructions(order, order.language))


def bank_account() -> tuple[str, str] | None:
    """The cooperative's IBAN and BIC as configured, if both are valid; else None.

    A resident must never be told to wire money to a placeholder or mistyped account,
    so bank transfer is offered only once the operator has configured a real one.
    """
    iban_text = settings.COMPTOIR_BANK_IBAN
    bic_text = settings.COMPTOIR_BANK_BIC
    if not iban_text or not bic_text:
        return None
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban, bic = IBAN(iban_text, validate_bban=True), BIC(bic_text)
    except SchwiftyException:
        logger.warning("COMPTOIR_BANK_IBAN or COMPTOIR_BANK_BIC is not valid: bank transfer is off")
        return None
    return iban.formatted, str(bic)


class BankTransfer:
    code = "bank_transfer"
    label = gettext_lazy("Bank transfer")

    @staticmethod
    def available() -> bool:
        return bank_account() is not None

    def instructions(self, order: Any, lang: str) -> str:
        account = bank_account()
        if account is None:
            raise InvalidInput(_("Choose a payment method."), field="payment_method")
        amount = Money(order.total_cents).format(lang)
        text = _("Transfer %(amount)s to %(iban)s (BIC %(bic)s) with the reference %(ref)s.")
        return text % {"amount": amount, "iban": account[0], "bic": account[1], "ref": order.number}

    def start(self, order: Any) -> PaymentStart:
        return PaymentStart("pending", self.instructions(order, order.language))


class BuyerAppCollects:
    """A protocol order whose buyer app collects (ONDC ``collected_by: BAP``) and settles with us: the
    resident pays their own node, never us. Never offered on our checkout page (`payment_methods`); only
    the seller role places orders with it (`CheckoutRequest.notes["protocol"]` names the buyer app)."""

    code = "buyer_app"
    label = gettext_lazy("Paid to the buyer's own node")

    def instructions(self, order: Any, lang: str) -> str:
        amount = Money(order.total_cents).format(lang)
        return _("You pay %(amount)s to the node you ordered from, which settles with us.") % {
            "amount": amount
        }

    def start(self, order: Any) -> PaymentStart:
        return PaymentStart("pending", self.instructions(order, order.language))


def payment_methods() -> dict[str, PaymentMethod]:
    methods = [import_string(path)() for path in settings.COMPTOIR_PAYMENT_METHODS]
    return {method.code: method for method in methods if getattr(method, "available", lambda: True)()}


def payment_method(code: str) -> PaymentMethod:
    """The method of an order; ``buyer_app`` is known here, and checkout admits it for protocol orders only."""
    methods: dict[str, PaymentMethod] = {**payment_methods(), BuyerAppCollects.code: BuyerAppCollects()}
    if code not in methods:
        raise InvalidInput(_("Choose a payment method."), field="payment_method")
    return methods[code]
