from django.test import Client

from comptoir.catalog.models import OpeningHours, Shop
from comptoir.catalog.services import parse_opening_hours
from comptoir.core.errors import InvalidInput
from comptoir.members.models import MembershipApplication
from tests.conftest import PASSWORD


def signed_in(person):
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    return client


PROFILE = {
    "name": "Fromagerie de la Loue", "kind": "cheese", "address": "2 quai de la Loue", "postal_code": "25290",
    "city": "Val-sur-Loue", "neighbourhood": "Bord de Loue", "lat": "47.057", "lon": "6.001",
    "offers_collect": "on",
}  # fmt: skip


def test_opening_hours_are_parsed_and_checked():
    rows = parse_opening_hours({0: "", 1: "9h-12h30, 14:00-19:00", 5: "8:00-13:00"})
    assert [(d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in rows] == [
        (1, "09:00", "12:30"), (1, "14:00", "19:00"), (5, "08:00", "13:00"),
    ]  # fmt: skip
    for bad in ["9-8", "9:00-12:00, 11:00-13:00", "matin"]:
        try:
            parse_opening_hours({2: bad})
        except InvalidInput:
            continue
        raise AssertionError(bad)


def test_apply_for_a_shop_then_edit_profile_and_hours(make_person):
    person = make_person("fromager@example.org")
    client = signed_in(person)
    response = client.post("/ouvrir-un-commerce/", PROFILE)
    assert response.status_code == 302
    shop = Shop.objects.get()
    assert (shop.ref, shop.status, shop.offers_delivery) == ("fromagerie-de-la-loue", "applied", False)
    assert MembershipApplication.objects.get(person=person).college.code == "shops"
    hours = {f"day{d}": "" for d in range(7)} | {"day1": "9:00-12:30, 14:00-19:00"}
    saved = client.post(
        "/gestion/fromagerie-de-la-loue/profil/", PROFILE | hours | {"phone": "03 81 00 00 00"}
    )
    assert saved.status_code == 302
    saved_hours = OpeningHours.objects.order_by("opens").values_list("weekday", "opens", "closes")
    assert [(d, f"{o:%H:%M}", f"{c:%H:%M}") for d, o, c in saved_hours] == [
        (1, "09:00", "12:30"),
        (1, "14:00", "19:00"),
    ]
    refused = client.post("/gestion/fromagerie-de-la-loue/profil/", PROFILE | hours | {"day3": "19:00-9:00"})
    assert "ne pas se chevaucher" in refused.content.decode()
    assert OpeningHours.objects.count() == 2


def test_membership_page(make_person):
    person = make_person("habitante@example.org")
    client = signed_in(person)
    assert client.post("/adhesion/", {"college": "residents", "motivation": "Voisine"}).status_code == 302
    again = client.post("/adhesion/", {"college": "residents"})
    assert "Une demande est déjà en attente pour ce collège." in again.content.decode()
    assert MembershipApplication.objects.filter(person=person, status="pending").count() == 1
