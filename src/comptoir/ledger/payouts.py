"""Shop payouts: what each shop is owed (its 4671 account) paid by one pain.001 file, recorded in the books.

Nothing is sent: the treasurer downloads the file and uploads it to the coop's bank. The entries
are written when the file is made, in the same transaction as the `Payout` row keeping the file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput
from comptoir.ledger import bank, postings
from comptoir.ledger.models import PayeeAccount, Payout
from comptoir.ledger.services import balance, do_post_payout


def do_set_payee_account(*, actor: Any, shop_ref: str, holder: str, iban: str, bic: str) -> PayeeAccount:
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    from comptoir.members.permissions import check_staff

    check_staff(actor)
    try:
        checked_iban, checked_bic = IBAN(iban, validate_bban=True), BIC(bic)
    except SchwiftyException as error:
        raise InvalidInput(_("Enter a valid IBAN and BIC."), field="iban") from error
    if not holder.strip():
        raise InvalidInput(_("Enter the account holder's name."), field="holder")
    payee, _created = PayeeAccount.objects.update_or_create(
        shop_ref=shop_ref,
        defaults={"holder": holder.strip()[:70], "iban": checked_iban.compact, "bic": str(checked_bic)},
    )
    return payee


@transaction.atomic
def do_make_payout_file(
    *, actor: Any, debtor: tuple[str, str, str], execution: date, currency: str = "EUR"
) -> Payout | None:
    """Pay every shop with a payee account what it is owed now; None when nobody is owed anything."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    transfers = []
    for payee in PayeeAccount.objects.order_by("shop_ref"):
        owed = balance(postings.shop_account(postings.GOODS_OWED, payee.shop_ref), currency)
        if owed > 0:
            transfers.append((payee, owed))
    if not transfers:
        return None
    name, iban, bic = debtor
    xml = bank.pain001(
        debtor_name=name, debtor_iban=iban, debtor_bic=bic, execution=execution,
        transfers=[bank.Transfer(p.holder, p.iban, p.bic, owed, f"Comptoir {p.shop_ref} {execution}") for p, owed in transfers],
    )  # fmt: skip
    payout = Payout.objects.create(
        created=timezone.now(), execution=execution, currency=currency, total_cents=sum(o for _p, o in transfers),
        transfers=len(transfers), message_id=bank.message_id(xml), xml=xml.decode(), actor_id=actor.pk,
    )  # fmt: skip
    for payee, owed in transfers:
        do_post_payout(
            account_code=postings.shop_account(postings.GOODS_OWED, payee.shop_ref), amount_cents=owed,
            currency=currency, at=payout.created, payout_id=payout.pk, reference=payout.message_id,
        )  # fmt: skip
    return payout
