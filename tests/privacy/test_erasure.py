"""Issue 18 item 2: a person erases their account; what the law requires is kept, and they are told so."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from comptoir.delivery.models import Booking, Stop
from comptoir.members.models import ApiToken, Membership, Person
from comptoir.members.services import do_issue_api_token
from comptoir.orders.models import Order, OrderLine
from comptoir.privacy.models import Erasure
from tests.conftest import PASSWORD, ApiClient
from tests.privacy.conftest import SIGNATURE, checkout


def snapshot(person: Person) -> dict[str, Any]:
    person.refresh_from_db()
    return {
        "person": (person.email, person.full_name, person.phone, person.saved_address, person.is_active),
        "orders": list(
            Order.objects.order_by("id").values_list("email", "recipient_name", "address", "total_cents")
        ),
        "bookings": list(Booking.objects.order_by("id").values_list("name", "address", "phone", "lat")),
        "signatures": list(Stop.objects.order_by("id").values_list("signature", flat=True)),
        "tokens": ApiToken.objects.count(),
    }


def test_erasing_on_the_page_anonymises_at_once_and_keeps_the_books(
    world: dict[str, Any], resident: Person, resident_api: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    browser = Client()
    browser.login(username=resident.email, password=PASSWORD)
    page = browser.get("/compte/effacer/").content.decode()
    assert "the numbers, dates, products, taxes and totals of your 3 orders" in page
    before = snapshot(resident)

    refused = browser.post("/compte/effacer/", {"password": "wrong", "confirm": "ERASE"})
    assert refused.status_code == 400
    assert "This is not your password: nothing was erased." in refused.content.decode()
    unconfirmed = browser.post("/compte/effacer/", {"password": PASSWORD, "confirm": "yes"})
    assert "Type ERASE to confirm" in unconfirmed.content.decode()
    assert snapshot(resident) == before

    lines_before = list(
        OrderLine.objects.order_by("id").values_list("sku", "quantity", "total_cents", "tax_cents")
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post("/compte/effacer/", {"password": PASSWORD, "confirm": "erase"})
    assert done.status_code == 200
    numbers = [world[k].number for k in ("old", "recent", "collected")]
    assert (
        f"Kept, as the law requires, without your name or address: {', '.join(numbers)}."
        in done.content.decode()
    )

    resident.refresh_from_db()
    assert (resident.email, resident.full_name, resident.phone, resident.saved_address, resident.saved_lat,
            resident.is_active, resident.has_usable_password()) == (
        f"erased-{resident.pk}@erased.invalid", "", "", "", None, False, False)  # fmt: skip
    orders = list(Order.objects.order_by("id"))
    assert [(o.customer_id, o.email, o.recipient_name, o.phone, o.address, o.postal_code, o.lat, o.instructions)
            for o in orders] == [(None, "", "", "", "", "", None, "")] * 3  # fmt: skip
    assert [(o.number, o.goods_cents, o.total_cents) for o in orders] == [
        (w.number, w.goods_cents, w.total_cents) for w in (world["old"], world["recent"], world["collected"])
    ]
    assert list(
        OrderLine.objects.order_by("id").values_list("sku", "quantity", "total_cents", "tax_cents")
    ) == (lines_before)
    assert list(Booking.objects.order_by("id").values_list("name", "address", "phone", "instructions", "lat", "lon")) == [
        ("", "", "", "", 47.06, 6.01)
    ] * 2  # fmt: skip
    assert list(Stop.objects.values_list("signature", flat=True)) == ["", ""]
    assert ApiToken.objects.filter(person=resident).count() == 0
    assert Membership.objects.get(person=resident).ended is not None  # the share register keeps the row
    assert Erasure.objects.get(person_id=resident.pk).orders_kept == 3
    assert resident_api.call("get", "/me/archive").status_code == 401
    assert not Client().login(username="alice@example.org", password=PASSWORD)
    assert browser.get("/compte/donnees/").status_code == 302  # signed out

    [last] = mail.outbox
    assert last.to == ["alice@example.org"]
    assert last.subject.startswith("Your account on ") and last.subject.endswith(" is erased")
    assert "the numbers, dates, products, taxes and totals of your 3 orders are kept" in last.body
    assert ", ".join(numbers) in last.body


def test_erasing_through_the_api(world: dict[str, Any], resident: Person, resident_api: ApiClient) -> None:
    wrong = resident_api.call("post", "/me/erase", {"password": "nope", "confirm": "ERASE"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_password")
    response = resident_api.call("post", "/me/erase", {"password": PASSWORD, "confirm": "EFFACER"})
    assert response.status_code == 200
    body = response.json()
    assert body["orders_kept"] == [world[k].number for k in ("old", "recent", "collected")]
    assert body["erased"] is True
    assert Person.objects.get(pk=resident.pk).email == f"erased-{resident.pk}@erased.invalid"


def test_orders_in_progress_or_a_shop_with_no_other_owner_refuse_the_erasure(
    world: dict[str, Any],
    resident: Person,
    resident_api: ApiClient,
    shop: Any,
    owner: Person,
    django_capture_on_commit_callbacks: Any,
) -> None:
    open_order = checkout(resident, shop, world["bread"].pk, delivery=False)
    before = snapshot(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_api.call("post", "/me/erase", {"password": PASSWORD, "confirm": "ERASE"})
    assert (response.status_code, response.json()["code"]) == (422, "orders_in_progress")
    assert response.json()["details"] == {"orders": [open_order.number]}
    assert snapshot(resident) == before
    assert mail.outbox == []  # no erasure mail

    owner_api = ApiClient(do_issue_api_token(email=owner.email, password=PASSWORD))
    response = owner_api.call("post", "/me/erase", {"password": PASSWORD, "confirm": "ERASE"})
    assert (response.status_code, response.json()["code"]) == (422, "last_shop_owner")
    assert Person.objects.get(pk=owner.pk).email == "owner@boulangerie.example"


def test_signatures_are_dropped_not_kept_elsewhere(world: dict[str, Any], resident: Person) -> None:
    from comptoir.privacy.services import do_erase_account

    assert Stop.objects.filter(signature=SIGNATURE).count() == 2
    do_erase_account(person=resident, password=PASSWORD, confirm="ERASE", via="page")
    assert Stop.objects.filter(signature=SIGNATURE).count() == 0


def test_a_french_speaker_reads_the_page_and_the_last_mail_in_french(
    make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import translation

    claire = make_person("claire@example.org", full_name="Claire Dupont", language="fr")
    browser = Client()
    browser.force_login(claire)
    with translation.override("fr"):
        page = browser.get("/compte/effacer/", headers={"Accept-Language": "fr"}).content.decode()
        assert "Ce que la loi oblige la coopérative à conserver" in page
        assert "Tapez EFFACER pour confirmer" in page
        with django_capture_on_commit_callbacks(execute=True):
            done = browser.post("/compte/effacer/", {"password": PASSWORD, "confirm": "EFFACER"})
    assert "Votre compte est effacé" in done.content.decode()
    [last] = mail.outbox
    assert last.subject.startswith("Votre compte sur ") and last.subject.endswith(" est effacé")
    assert "C'est le dernier message que vous recevrez de " in last.body


def test_a_courier_with_shifts_to_come_is_asked_to_hand_them_over_first(
    world: dict[str, Any], courier: Person, round_: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from comptoir.delivery.models import Shift

    soon = timezone.now() + timedelta(days=2)
    Shift.objects.create(courier=courier, vehicle=round_.vehicle, starts=soon, ends=soon + timedelta(hours=3))
    api = ApiClient(do_issue_api_token(email=courier.email, password=PASSWORD))
    response = api.call("post", "/me/erase", {"password": PASSWORD, "confirm": "ERASE"})
    assert (response.status_code, response.json()["code"]) == (422, "shifts_to_come")
    # In the courier's language (French, the default): "1 delivery shift to come".
    assert response.json()["message"].startswith("Vous avez 1 service(s) de livraison à venir")
    assert Person.objects.get(pk=courier.pk).email == "coursier1@example.org"


def test_guest_orders_under_the_persons_email_are_erased_too_and_others_are_not(
    world: dict[str, Any], resident: Person, shop: Any, owner: Person
) -> None:
    """Orders placed as a guest with the address the account proves (any case) are the person's."""
    from comptoir.privacy.services import do_erase_account
    from tests.privacy.conftest import finish

    mine = finish(checkout(None, shop, world["bread"].pk, delivery=True, email="ALICE@example.org"), owner,
                  delivered=True)  # fmt: skip
    someone_else = finish(checkout(None, shop, world["bread"].pk, delivery=True, email="bob@example.org"), owner,
                          delivered=True)  # fmt: skip
    Order.objects.filter(pk__in=[mine.pk, someone_else.pk]).update(email_confirmed_at=mine.created)

    report = do_erase_account(person=resident, password=PASSWORD, confirm="ERASE", via="page")

    def drop(order: Order) -> tuple[Any, ...]:
        order.refresh_from_db()
        return (order.email, order.recipient_name, order.phone, order.address, order.instructions, order.lat)

    assert drop(mine) == ("", "", "", "", "", None)
    assert drop(someone_else) == ("bob@example.org", "Alice Martin", "0601020304", "12 rue des Granges",
                                  "Code 1234, 2e étage", 47.0581)  # fmt: skip
    assert mine.number in report.orders_kept and someone_else.number not in report.orders_kept
    assert mine.total_cents == someone_else.total_cents > 0  # the books keep the sale


def test_a_guest_order_in_progress_under_the_persons_email_holds_the_erasure(
    world: dict[str, Any], resident: Person, shop: Any
) -> None:
    from comptoir.core.errors import Conflict
    from comptoir.privacy.services import do_erase_account

    open_guest = checkout(None, shop, world["bread"].pk, delivery=False, email="alice@EXAMPLE.org")
    try:
        do_erase_account(person=resident, password=PASSWORD, confirm="ERASE", via="page")
    except Conflict as refused:
        assert refused.details == {"orders": [open_guest.number]}
    else:
        raise AssertionError("erased while a guest order of theirs was in progress")
    assert Person.objects.get(pk=resident.pk).email == "alice@example.org"
