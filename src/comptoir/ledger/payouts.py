"""Shop payouts: what each shop is owed (its 4671 account) paid by one pain.001 file, recorded in the books.

Nothing is sent: the treasurer downloads the file and uploads it to the coop's bank. The entries
are written when the file is made, in the same transaction as the `Payout` row keeping the file.

A euro node pays by IBAN (SEPA, `do_make_payout_file`); a Canadian-dollar node by institution, transit
and account numbers (`do_make_canadian_payout_file`), where a shop owed money without usable details is
left out of the file, its money stays owed, and it is listed with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.errors import InvalidInput
from comptoir.ledger import bank, postings
from comptoir.ledger.models import Account, PayeeAccount, Payout
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


_PART_NAMES = {
    "institution": gettext_lazy("The institution number"),
    "transit": gettext_lazy("The transit number"),
    "account": gettext_lazy("The account number"),
}


def _account_problem(account: bank.CanadianAccount) -> tuple[str, str] | None:
    """(field, message) for the first part that is not its number of digits, else None."""
    for part, low, high in account.problems():
        digits = str(low) if low == high else _("%(low)d to %(high)d") % {"low": low, "high": high}
        return part, _("%(part)s must be %(digits)s digits.") % {"part": _PART_NAMES[part], "digits": digits}
    return None


def do_set_canadian_payee_account(
    *, actor: Any, shop_ref: str, holder: str, institution: str, transit: str, account: str
) -> PayeeAccount:
    """A shop's Canadian bank details, entered by its own staff (or the coop's): checked, or nothing written."""
    from comptoir.catalog.permissions import access_shop_for_staff
    from comptoir.members.permissions import is_member_of

    coop_staff = actor.is_authenticated and (actor.is_staff or is_member_of(actor, "staff"))
    if not coop_staff:  # else the shop's own staff (or its chain's)
        access_shop_for_staff(actor, shop_ref)
    details = bank.canadian_account(institution, transit, account)
    problem = _account_problem(details)
    if problem is not None:
        raise InvalidInput(problem[1], field=problem[0])
    if not holder.strip():
        raise InvalidInput(_("Enter the account holder's name."), field="holder")
    payee, _created = PayeeAccount.objects.update_or_create(
        shop_ref=shop_ref,
        defaults={"holder": holder.strip()[:70], "institution": details.institution, "transit": details.transit,
                  "account_number": details.account, "iban": "", "bic": ""},
    )  # fmt: skip
    return payee


@dataclass(frozen=True)
class LeftOut:
    """A shop owed money that the file does not pay, and why (its money stays owed)."""

    shop_ref: str
    owed_cents: int
    reason: str


@dataclass(frozen=True)
class CanadianPayout:
    payout: Payout | None  # None when no shop could be paid
    left_out: list[LeftOut]


def _owed_shops(currency: str) -> list[tuple[str, int]]:
    refs = Account.objects.filter(parent=postings.GOODS_OWED).exclude(shop_ref="").order_by("shop_ref")
    owed = [(ref, balance(postings.shop_account(postings.GOODS_OWED, ref), currency))
            for ref in refs.values_list("shop_ref", flat=True)]  # fmt: skip
    return [(ref, cents) for ref, cents in owed if cents > 0]


@transaction.atomic
def do_make_canadian_payout_file(
    *, actor: Any, debtor_name: str, debtor: bank.CanadianAccount, execution: date
) -> CanadianPayout:
    """Pay, in one CAD pain.001 file, every shop owed money whose Canadian details are usable; list the others."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    debtor_problem = _account_problem(debtor)
    if debtor_problem is not None:
        message = _("The cooperative's Canadian bank account is not valid: %(reason)s")
        raise InvalidInput(message % {"reason": debtor_problem[1]})
    payees = {p.shop_ref: p for p in PayeeAccount.objects.all()}
    paid: list[tuple[PayeeAccount, int]] = []
    left_out: list[LeftOut] = []
    for ref, owed in _owed_shops("CAD"):
        payee = payees.get(ref)
        if payee is None or not (payee.institution or payee.transit or payee.account_number):
            left_out.append(LeftOut(ref, owed, _("No Canadian bank details recorded.")))
            continue
        problem = _account_problem(
            bank.CanadianAccount(payee.institution, payee.transit, payee.account_number)
        )
        if problem is not None:
            left_out.append(LeftOut(ref, owed, problem[1]))
            continue
        paid.append((payee, owed))
    if not paid:
        return CanadianPayout(None, left_out)
    created = timezone.now()
    message_id = f"COMPTOIR-{execution:%Y%m%d}-{uuid.uuid4().hex[:12].upper()}"
    xml = bank.pain001_canada(
        debtor_name=debtor_name, debtor=debtor, execution=execution, message_id=message_id, created=created,
        transfers=[bank.CanadianTransfer(p.holder, bank.CanadianAccount(p.institution, p.transit, p.account_number),
                                         owed, f"Comptoir {p.shop_ref} {execution}") for p, owed in paid],
    )  # fmt: skip
    payout = Payout.objects.create(
        created=created, execution=execution, currency="CAD", total_cents=sum(o for _p, o in paid),
        transfers=len(paid), message_id=message_id, xml=xml.decode(), actor_id=actor.pk,
    )  # fmt: skip
    for payee, owed in paid:
        do_post_payout(
            account_code=postings.shop_account(postings.GOODS_OWED, payee.shop_ref), amount_cents=owed,
            currency="CAD", at=created, payout_id=payout.pk, reference=message_id,
        )  # fmt: skip
    return CanadianPayout(payout, left_out)
