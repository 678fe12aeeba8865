"""Erasure and retention: the writes of the privacy app.

`do_erase_account` anonymises a person at once and keeps what the law requires (the orders' numbers,
dates, lines, taxes and totals, the ledger, the cooperative's share register); `do_purge_deliveries`
removes, after the governed retention period, the names, street addresses, phones, instructions,
exact positions and signatures of finished orders' deliveries. Both are single transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.catalog.models import ShopStaff
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.parameters import governed
from comptoir.delivery.models import Booking, Shift, Stop
from comptoir.members.models import ApiToken, Membership, MembershipApplication, Person
from comptoir.orders.models import Cart, Order, OrderEvent, ShopOrder
from comptoir.privacy.error_codes import PrivacyErrorCode
from comptoir.privacy.exports import do_forget_exports
from comptoir.privacy.models import Erasure, PurgeRun

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered anywhere
FINISHED = {
    ShopOrder.Status.COMPLETED, ShopOrder.Status.REJECTED, ShopOrder.Status.CANCELLED, ShopOrder.Status.EXPIRED,
}  # fmt: skip
DELIVERY_UNDER_WAY = {Order.DeliveryStatus.BOOKED, Order.DeliveryStatus.OUT}
# A purged drop keeps its position to about a kilometre (two decimals): enough for delivery statistics
# per district, too coarse to find a door. Bookings and stops need a position (NOT NULL).
COARSE_DECIMALS = 2
ERASE_WORD = {"fr": "EFFACER", "en": "ERASE"}


def orders_of(person: Person) -> QuerySet[Order]:
    """A person's orders: signed in, or as a guest with the address their account proved is theirs."""
    return Order.objects.filter(Q(customer=person) | Q(customer__isnull=True, email__iexact=person.email))


def unfinished(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.filter(
        Q(shop_orders__status__in=set(ShopOrder.Status) - FINISHED)
        | Q(delivery_status__in=DELIVERY_UNDER_WAY)
    ).distinct()


@dataclass(frozen=True)
class ErasureReport:
    orders_kept: list[str]  # their numbers
    memberships_kept: list[str]  # college codes whose share records stay in the register
    email: str  # where the final mail went


def check_erasable(person: Person) -> None:
    """Refuse, with what to do, when erasing now would break something someone else relies on."""
    busy = list(unfinished(orders_of(person)).order_by("id"))
    if busy:
        numbers = ", ".join(order.number for order in busy)
        raise Conflict(
            _("Orders in progress (%(numbers)s): wait until they are completed or cancel them, then erase "
              "your account.") % {"numbers": numbers},
            code=PrivacyErrorCode.ORDERS_IN_PROGRESS, orders=[order.number for order in busy],
        )  # fmt: skip
    shifts = Shift.objects.filter(courier=person, ends__gt=timezone.now()).count()
    if shifts:
        raise Conflict(
            _("You have %(n)s delivery shifts to come: ask the dispatcher to give them to someone else, then erase "
              "your account.") % {"n": shifts},
            code=PrivacyErrorCode.SHIFTS_TO_COME, shifts=shifts,
        )  # fmt: skip
    for role in ShopStaff.objects.filter(person=person, role=ShopStaff.Role.OWNER).select_related("shop"):
        others = ShopStaff.objects.filter(shop=role.shop, role=ShopStaff.Role.OWNER).exclude(person=person)
        if not others.exists():
            raise Conflict(
                _("You are the only owner of %(shop)s: make someone else its owner, or ask the cooperative "
                  "to close it, then erase your account.") % {"shop": role.shop.name},
                code=PrivacyErrorCode.LAST_SHOP_OWNER, shop=role.shop.ref,
            )  # fmt: skip


def check_confirmation(person: Person, *, password: str, confirm: str) -> None:
    if confirm.strip().upper() not in set(ERASE_WORD.values()):
        raise InvalidInput(
            _("Type %(word)s to confirm that you want your account erased.") % {"word": _("ERASE")},
            code=PrivacyErrorCode.NOT_CONFIRMED, field="confirm",
        )  # fmt: skip
    if not person.check_password(password):
        raise InvalidInput(
            _("This is not your password: nothing was erased."), code=PrivacyErrorCode.WRONG_PASSWORD,
            field="password",
        )  # fmt: skip


@transaction.atomic
def do_erase_account(
    *, person: Person, password: str, confirm: str, via: str, now: datetime | None = None
) -> ErasureReport:
    """Erase a person's account: checked first, then everything in one transaction, then one last mail."""
    now = now or timezone.now()
    person = Person.objects.select_for_update().get(pk=person.pk)
    check_confirmation(person, password=password, confirm=confirm)
    check_erasable(person)
    email, language = person.email, person.language
    orders = orders_of(person)
    kept = [order.number for order in orders.order_by("id")]
    _anonymise_deliveries(list(orders.values_list("id", flat=True)))
    orders.update(
        customer=None, email="", recipient_name="", phone="", address="", postal_code="", city="", lat=None,
        lon=None, instructions="", client_ip=None, email_code_hash="",
    )  # fmt: skip
    OrderEvent.objects.filter(actor=person).update(actor=None, actor_name="")
    memberships = list(Membership.objects.filter(person=person).select_related("college").order_by("id"))
    Membership.objects.filter(person=person, ended__isnull=True).update(ended=now.date())
    ApiToken.objects.filter(person=person).delete()
    Cart.objects.filter(owner=person).delete()
    do_forget_exports(person)
    MembershipApplication.objects.filter(person=person).delete()
    ShopStaff.objects.filter(person=person).delete()
    _forget_sign_in_attempts(email)
    person.email = f"erased-{person.pk}@{ERASED_DOMAIN}"
    person.full_name = person.phone = ""
    person.saved_address = person.saved_postal_code = person.saved_city = ""
    person.saved_lat = person.saved_lon = None
    person.is_active = False
    person.last_login = None
    person.set_unusable_password()  # also ends every session: they are bound to the password's hash
    person.save()
    Erasure.objects.create(person_id=person.pk, erased_at=now, orders_kept=len(kept), via=via)
    report = ErasureReport(
        orders_kept=kept, memberships_kept=[m.college.code for m in memberships if m.shares], email=email
    )
    _send_final_mail(email, language, report)
    return report


def _forget_sign_in_attempts(email: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _send_final_mail(email: str, language: str, report: ErasureReport) -> None:
    with translation.override(language):
        context = {"report": report, "node_name": settings.COMPTOIR_NODE_NAME}
        subject = render_to_string("privacy/emails/erased_subject.txt", context).strip()
        body = render_to_string("privacy/emails/erased.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _anonymise_deliveries(order_ids: list[int]) -> tuple[int, int]:
    """Blank the drop's name, street address, phone and instructions, coarsen its position, drop the
    signatures; returns (bookings, signatures) changed."""
    bookings = Booking.objects.filter(order_id__in=order_ids)
    changed = 0
    for booking in bookings.filter(~Q(name="") | ~Q(address="") | ~Q(phone="") | ~Q(instructions="")):
        booking.name = booking.address = booking.phone = booking.instructions = ""
        booking.lat, booking.lon = round(booking.lat, COARSE_DECIMALS), round(booking.lon, COARSE_DECIMALS)
        booking.save(update_fields=["name", "address", "phone", "instructions", "lat", "lon"])
        changed += 1
    drops = Stop.objects.filter(booking__in=bookings, kind=Stop.Kind.DROP)
    signatures = drops.exclude(signature="").update(signature="")
    for stop in drops:
        coarse_position = (round(stop.lat, COARSE_DECIMALS), round(stop.lon, COARSE_DECIMALS))
        if (stop.lat, stop.lon) != coarse_position:
            stop.lat, stop.lon = coarse_position
            stop.save(update_fields=["lat", "lon"])
    return changed, signatures


@dataclass(frozen=True)
class PurgeResult:
    retention_days: int
    cutoff: datetime
    orders: int
    bookings: int
    signatures: int
    protocol_messages: int = 0


def _purge_protocol_messages(cutoff: datetime) -> int:
    """Empty the bodies of protocol messages older than `cutoff`: a buyer's name, address and phone travel in
    them (init, confirm, their callbacks). The rows stay, without payload: the inbox's keys still refuse
    replays, and the operator still sees what was exchanged and how it ended. Messages not yet handled (an
    inbox row without `processed`, an outbox row still pending) are left to finish."""
    from comptoir.protocol.models import InboxMessage, OutboxMessage

    emptied = {"body": {}, "raw": "", "authorization": ""}
    inbox = InboxMessage.objects.filter(received__lt=cutoff, processed__isnull=False, body__has_key="context")
    outbox = OutboxMessage.objects.filter(created__lt=cutoff, body__has_key="context").exclude(
        state=OutboxMessage.State.PENDING
    )
    return inbox.update(**emptied) + outbox.update(**emptied)


def purgeable_orders(cutoff: datetime) -> QuerySet[Order]:
    """Finished orders whose last change is older than `cutoff` and that still hold delivery data."""
    holding = (
        ~Q(recipient_name="") | ~Q(phone="") | ~Q(address="") | ~Q(instructions="") | Q(lat__isnull=False)
    )
    finished = Order.objects.exclude(pk__in=unfinished(Order.objects.all()).values("pk"))
    return (
        finished.annotate(last_change=Max("shop_orders__updated"))
        .filter(last_change__lt=cutoff, created__lt=cutoff)
        .filter(holding)
    )


@transaction.atomic
def do_purge_deliveries(*, now: datetime | None = None) -> PurgeResult:
    """Forget finished deliveries' personal data after the governed retention period."""
    now = now or timezone.now()
    period = governed("retention_delivery_days", now)
    cutoff = now - timedelta(days=int(period.value))
    ids = list(purgeable_orders(cutoff).values_list("id", flat=True))
    bookings, signatures = _anonymise_deliveries(ids)
    orders = Order.objects.filter(pk__in=ids).update(
        recipient_name="", phone="", address="", instructions="", lat=None, lon=None
    )
    messages = _purge_protocol_messages(cutoff)
    result = PurgeResult(int(period.value), cutoff, orders, bookings, signatures, messages)
    PurgeRun.objects.create(
        ran_at=now, retention_days=result.retention_days, source=period.source, cutoff=cutoff,
        orders=orders, bookings=bookings, signatures=signatures, protocol_messages=messages,
    )  # fmt: skip
    return result
