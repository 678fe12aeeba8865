"""Each language written as it is written, in emails and on the order's page (issue 20 item 16).

French: no-break space before : ; ! ? and %, decimal comma, days in lower case. English: "Total:",
"€16.59", "2.0%". An order placed in French reads entirely in English for an English reader.
"""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.utils import timezone

from comptoir.orders import services
from tests.conftest import PASSWORD
from tests.orders.conftest import delivery_body, first_slot

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]  # fmt: skip


def _order(resident, town, language):
    request = services.CheckoutRequest(**{**delivery_body(first_slot()), "language": language},
                                       fulfilment={"boulangerie": "delivery", "quincaillerie": "delivery"},
                                       items=[(town["bread"].pk, 2), (town["hammer"].pk, 1)])  # fmt: skip
    order, _created = services.do_checkout(resident, None, request)
    return order


def test_the_french_confirmation_email_follows_french_typography(
    resident, town, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(resident, town, "fr")
    # 2 × 2,40 + 10,50 = 15,30; 2 % contribution 0,31; flat delivery 4,50
    assert order.total_cents == 1530 + 31 + 450
    body = next(m.body for m in mail.outbox if m.to == ["alice@example.org"])
    starts = timezone.localtime(order.slot_starts)
    day = f"{DAYS[starts.weekday()]} {starts.day} {MONTHS[starts.month - 1]}"
    assert body.splitlines()[:9] == [
        f"Merci\u00a0! Votre commande {order.number} est enregistrée\u00a0; chaque commerce confirme sa partie.",
        "",
        "Boulangerie du Pont (Livraison)\u00a0:",
        "  2 × Pain complet — 4,80\u00a0€",
        "Quincaillerie Girard (Livraison)\u00a0:",
        "  1 × Marteau — 10,50\u00a0€",
        "",
        "Total\u00a0: 20,11\u00a0€",
        "Vous paierez 20,11\u00a0€ à la réception de vos achats.",
    ]
    assert f"Livraison le {day} entre {starts:%H:%M} et {timezone.localtime(order.slot_ends):%H:%M}" in body


def test_the_english_confirmation_email_reads_english(resident, town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(resident, town, "en")
    body = next(m.body for m in mail.outbox if m.to == ["alice@example.org"])
    assert body.splitlines()[2:9] == [
        "Boulangerie du Pont (Delivery):",
        "  2 × Pain complet — €4.80",
        "Quincaillerie Girard (Delivery):",
        "  1 × Marteau — €10.50",
        "",
        "Total: €20.11",
        "You pay €20.11 when you receive your goods.",
    ]
    assert f"Delivery on {timezone.localtime(order.slot_starts):%A %-d %B} between" in body


def _breakdown(html: str) -> str:
    start = html.index('<table class="breakdown">')
    return html[start : html.index("</table>", start)]


def test_an_order_placed_in_french_reads_english_for_an_english_reader(resident, town):
    order = _order(resident, town, "fr")
    browser = Client()
    browser.login(email=resident.email, password=PASSWORD)
    browser.cookies["django_language"] = "en"
    page = browser.get(f"/commandes/{order.token}/").content.decode()
    assert "You pay €20.11 when you receive your goods." in page
    assert "Vous paierez" not in page
    table = _breakdown(page)
    assert '<th scope="row">Cooperative fee (2.0% of goods)</th><td class="num">€0.31</td>' in table
    assert '<th scope="row">Delivery by the cooperative (flat fee)</th><td class="num">€4.50</td>' in table
    assert "Source: adopted at founding (v1)" in table

    browser.cookies["django_language"] = "fr"
    table = _breakdown(browser.get(f"/commandes/{order.token}/").content.decode())
    assert (
        '<th scope="row">Contribution coopérative (2,0\u202f% des marchandises)</th>'
        '<td class="num">0,31\u00a0€</td><td class="muted">Source\u00a0: adoptée à la fondation (v1)</td>'
    ) in table
    assert '<th scope="row">Livraison par la coopérative (forfait)</th>' in table
    assert '<th scope="row">Marchandises (Boulangerie du Pont)</th>' in table


def _page(client: Client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(path).content.decode()


def test_sizes_and_opening_hours_as_each_language_writes_them(town):
    from comptoir.catalog.services import do_create_offer

    shop = town["shops"][0]
    do_create_offer(shop, {"sku": "E6", "name_fr": "Œufs frais", "price": "3,20", "stock": "4", "unit": "piece",
                           "quantity": "6"})  # fmt: skip
    do_create_offer(shop, {"sku": "F4", "name_fr": "Farine", "price": "1,90", "stock": "4", "unit": "kg",
                           "quantity": "0,4"})  # fmt: skip
    client = Client()
    french = _page(client, "/commerces/boulangerie/", "fr")
    assert (
        "<td>6\u00a0pièces</td>" in french
        and "<td>0,4\u00a0kg</td>" in french
        and "<td>1\u00a0pièce</td>" in french
    )
    assert "<li>Lundi 08:00–19:00</li>" in french and "<li>Samedi 08:00–19:00</li>" in french
    english = _page(client, "/commerces/boulangerie/", "en")
    assert (
        "<td>6\u00a0pieces</td>" in english
        and "<td>0.4\u00a0kg</td>" in english
        and "<td>1\u00a0piece</td>" in english
    )
    assert "<li>Monday 08:00–19:00</li>" in english

    client.post("/panier/ajouter/", {"offer_id": town["bread"].pk, "quantity": "1"})
    cart = _page(client, "/panier/", "fr")
    assert "lun. 08:00–19:00, mar. 08:00–19:00, mer. 08:00–19:00" in cart
    assert "Marchandises\u00a0: 2,40\u00a0€" in cart
    cart = _page(client, "/panier/", "en")
    assert "Mon 08:00–19:00, Tue 08:00–19:00, Wed 08:00–19:00" in cart
    assert "Goods: €2.40" in cart


def test_my_orders_dates_read_as_each_language_writes_them(resident, town):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from comptoir.orders.models import Order

    order = _order(resident, town, "fr")
    Order.objects.filter(pk=order.pk).update(
        created=datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/Paris"))
    )
    browser = Client()
    browser.login(email=resident.email, password=PASSWORD)
    assert "<td>mer. 2\u00a0déc.</td>" in _page(browser, "/mes-commandes/", "fr")
    assert "<td>Wed 2 Dec</td>" in _page(browser, "/mes-commandes/", "en")


def test_a_tax_refusal_writes_rates_as_its_language_does(db):
    from django.utils import translation

    from comptoir.catalog.validation import check_offer_fields

    row = {"sku": "T1", "name_fr": "Thé", "price": "4", "tax_code": "TVA20", "tax_rate": "5,5"}
    with translation.override("fr"):
        _fields, errors = check_offer_fields(row, {})
    assert [(e.column, e.message) for e in errors] == [
        ("tax_rate", "5,5\u202f% ne correspond pas au code de taxe TVA20 (20\u202f%)")
    ]
    with translation.override("en"):
        _fields, errors = check_offer_fields(row, {})
    assert [(e.column, e.message) for e in errors] == [
        ("tax_rate", "5.5% does not add up with tax code TVA20 (20%)")
    ]
