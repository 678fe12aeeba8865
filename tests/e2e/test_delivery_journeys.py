"""Delivery journeys as people walk them, in Chromium (issue 20): the courier on a phone, the
resident and the shop finding the codes, the dispatcher reading the map. Screenshots are saved
under test-results/ (CI artefacts) for a person to look at."""

from __future__ import annotations

import uuid
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_set_opening_hours
from comptoir.delivery import services
from comptoir.delivery.models import Booking, Round, Stop
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.members.services import ensure_colleges
from comptoir.orders import books
from comptoir.orders.cart import cart_of, do_add_to_cart
from comptoir.orders.models import FeeLine, Order, ShopOrder
from tests.conftest import PASSWORD
from tests.delivery.conftest import bike, book, courier, depot, dispatcher, shift, slot, zone  # noqa: F401 (fixtures)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(autouse=True)
def colleges(transactional_db: Any) -> None:
    """Another transactional test may have flushed the colleges the migrations created."""
    ensure_colleges()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"delivery-{name}.png"), full_page=True)


def phone(browser: Any, live_server: Any) -> tuple[Any, Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    return context, page


def _planned(slot: Any, shop: Shop, other_shop: Shop) -> Round:  # noqa: F811
    book(slot, 71, [shop], n=1)
    book(slot, 72, [other_shop], n=2, shop_status="placed")  # the hardware shop has not accepted yet
    # Pays on delivery: 11,22 € of goods and 5,37 € of delivery, in the books as a checkout posts them
    # (the courier is asked what the books will post at the door).
    ShopOrder.objects.filter(pk=720).update(goods_cents=1122)
    FeeLine.objects.create(order_id=72, kind="delivery", label="Livraison", amount_cents=537, source="test")
    Order.objects.filter(pk=72).update(goods_cents=1122, fees_cents=537, total_cents=1659)
    books.post(72, "checkout")
    run = plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    return Round.objects.get(slot=slot)


def test_courier_sees_only_what_can_be_collected_and_what_the_server_said(
    browser: Any, live_server: Any, slot: Any, shift: Any, shop: Shop, other_shop: Shop, courier: Any,  # noqa: F811
) -> None:  # fmt: skip
    round_ = _planned(slot, shop, other_shop)
    context, page = phone(browser, live_server)
    sign_in(page, courier.email, PASSWORD)
    page.goto(f"{live_server.url}/tournee/{round_.pk}/")
    confirm = "form.action:not(.incident)"
    first_wrong = True
    while True:
        active = services.selectors.active_stop(round_)
        if active is None:
            break
        page.wait_for_selector("form.incident", state="attached")
        incident = page.locator("form.incident")
        assert incident.locator("select").input_value() == ""  # no default incident
        assert incident.locator("option:checked").text_content() == "Choisir…"
        if active.kind == "pickup":
            so = ShopOrder.objects.get(pk=active.parcel.shop_order_id)
            if so.status == "placed":
                assert page.locator(confirm).count() == 0  # nothing to confirm: the shop has not accepted
                assert "Rien à retirer ici pour l’instant" in page.locator(".active-stop").inner_text()
                shot(page, "courier-pickup-not-accepted")
                ShopOrder.objects.filter(pk=so.pk).update(status="accepted")  # the shop accepts meanwhile
                page.reload()
                continue
            field = page.locator(f"{confirm} input[data-stop='{active.pk}']")
            label = page.locator(f"label[for='code-{active.pk}']").inner_text()
            assert f"C{active.booking.order_id:06d}" in label  # the one number, as on the shop's page
            if first_wrong:  # a wrong code typed offline: the phone must not claim it was done
                first_wrong = False
                wrong = f"{(int(active.parcel.pickup_code) + 1) % 10_000:04d}"
                field.fill(wrong)
                context.set_offline(True)
                page.locator(f"{confirm} button[type=submit]").click()
                page.wait_for_selector("#sync:has-text('1 action')")
                context.set_offline(False)
                page.wait_for_selector("#sync-note.error")
                assert "Code de retrait erroné" in page.locator("#sync-note").inner_text()
                assert Stop.objects.get(pk=active.pk).status == "pending"
                shot(page, "courier-refused-after-offline")
                continue
            field.fill(active.parcel.pickup_code)
            page.locator(f"{confirm} button[type=submit]").click()
            page.wait_for_selector(
                f"#sync-note:has-text('Retrait de C{active.booking.order_id:06d} confirmé.')"
            )
            assert "error" not in (page.locator("#sync-note").get_attribute("class") or "")
            shot(page, "courier-pickup-confirmed")
        else:
            text = page.locator(".active-stop").inner_text()
            if active.booking.order_id == 72:
                assert "À encaisser auprès de l’habitant\u00a0: 16,59\u00a0€" in text
                page.locator("details.incident-box summary").click()
                colours = page.evaluate(
                    "() => [document.querySelector('button.confirm'), document.querySelector('form.incident button')]"
                    ".map(b => getComputedStyle(b).backgroundColor)"
                )
                assert colours[0] != colours[1], colours  # "Report incident" does not look like "Confirm"
                shot(page, "courier-drop-to-collect")
            else:
                assert "À encaisser" not in text
            page.locator(f"{confirm} input[name=code]").fill(active.booking.drop_code)
            page.locator(f"{confirm} button[type=submit]").click()
            page.wait_for_selector(
                f"#sync-note:has-text('Livraison de C{active.booking.order_id:06d} confirmée.')"
            )
    page.wait_for_selector("text=Tournée terminée")
    shot(page, "courier-round-done")
    assert set(Booking.objects.values_list("status", flat=True)) == {"delivered"}
    context.close()


def test_resident_and_shop_find_the_codes_with_one_order_number(
    browser: Any, live_server: Any, slot: Any, shift: Any, shop: Shop, other_shop: Shop, owner: Any,  # noqa: F811
    make_person: Any,
) -> None:  # fmt: skip
    _planned(slot, shop, other_shop)
    resident = make_person("alice@example.org", full_name="Alice Martin")
    order = Order.objects.get(pk=71)
    Order.objects.filter(pk=71).update(customer=resident)
    booking = Booking.objects.get(order_id=71)
    parcel = booking.parcels.get()

    context, page = phone(browser, live_server)
    sign_in(page, resident.email, PASSWORD)
    page.goto(f"{live_server.url}/commandes/{order.token}/")
    assert page.locator("#delivery-codes .drop-code").inner_text() == booking.drop_code
    page.get_by_role("link", name="Suivre la livraison").click()
    page.wait_for_selector(".tracking")
    assert "Commande C000071, créneau de livraison\u00a0:" in page.locator(".tracking").inner_text()
    assert page.locator(".tracking .drop-code").inner_text() == booking.drop_code
    shot(page, "resident-tracking")
    context.close()

    desk = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    sign_in(page, owner.email, PASSWORD)
    page.goto(f"{live_server.url}/gestion/{shop.ref}/commandes/{parcel.shop_order_id}/")
    assert "Bon de préparation C000071" in page.locator("h1").inner_text()
    assert page.locator(".pickup-code .code").inner_text() == parcel.pickup_code
    shot(page, "shop-order-pickup-code")
    page.goto(f"{live_server.url}/livraison/commerce/{shop.ref}/")
    row = page.locator("table.pickups tbody tr").first
    assert row.locator("td").nth(1).inner_text() == "C000071"
    assert row.locator(".code").inner_text() == parcel.pickup_code
    shot(page, "shop-pickup-codes")
    desk.close()


def test_dispatcher_map_draws_rounds_with_a_legend_and_names_as_text(
    browser: Any, live_server: Any, settings: Any, slot: Any, shift: Any, shop: Shop, other_shop: Shop,  # noqa: F811
    courier: Any, dispatcher: Any,  # noqa: F811
) -> None:  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.COMPTOIR_PLANNING_SECONDS = 1.0
    courier.full_name = '<img src=x onerror="window.__xss=1">Alex'  # a self-chosen name
    courier.save(update_fields=["full_name"])
    book(slot, 71, [shop], n=1)
    book(slot, 72, [other_shop], n=2)
    desk = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    sign_in(page, dispatcher.email, PASSWORD)
    page.goto(f"{live_server.url}/livraison/creneaux/{slot.pk}/")
    page.get_by_role("button", name="Planifier les tournées").click()
    page.wait_for_load_state()
    page.wait_for_selector(".leaflet-overlay-pane path")
    # zone outline + one round line; four stops (2 pickups, 2 drops) as circle markers
    assert page.locator(".leaflet-overlay-pane path").count() == 2 + 4
    legend = page.locator("ul.legend").inner_text()
    assert 'Tournée de <img src=x onerror="window.__xss=1">Alex (Biporteur 1)' in legend
    assert "Retrait dans un commerce" in legend and "Zone de livraison" in legend
    assert page.locator(".leaflet-overlay-pane path[stroke='#0072B2']").count() == 1 + 4  # line and its stops
    marker = page.locator(".leaflet-overlay-pane path[fill='#ffffff']").first  # a pickup: hollow
    marker.hover(force=True)
    page.wait_for_selector(".leaflet-tooltip")
    assert page.locator(".leaflet-tooltip").inner_text().split(". Retrait chez ")[1] in {
        shop.name,
        other_shop.name,
    }
    marker.click(force=True)
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert 'Tournée de <img src=x onerror="window.__xss=1">Alex (Biporteur 1)' in popup
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("() => window.__xss") is None
    round_ = Round.objects.get(slot=slot)
    pickup = round_.stops.filter(kind="pickup").select_related("parcel__shop").order_by("sequence").first()
    shot(page, "dispatcher-slot-map")

    for attempt in range(services.MAX_CODE_ATTEMPTS):  # a courier guesses codes on the street
        services.do_apply_courier_action(courier, round_.pk, services.ActionIn(
            uuid.uuid4(), "pickup", timezone.now(), stop_id=pickup.pk,
            code=f"{(int(pickup.parcel.pickup_code) + 1 + attempt) % 10_000:04d}",
        ))  # fmt: skip
    page.reload()
    page.get_by_role("button", name="Autoriser de nouveaux essais").click()
    page.get_by_text("Le coursier peut de nouveau essayer des codes pour").wait_for()
    assert services.code_attempts_left(pickup) == services.MAX_CODE_ATTEMPTS
    desk.close()


def test_resident_places_a_pin_on_the_map_and_keeps_the_address(
    browser: Any, live_server: Any, settings: Any, slot: Any, bike: Any, shop: Shop, make_person: Any,  # noqa: F811
) -> None:  # fmt: skip
    """Checkout's "place a pin": a map of the served area to tap (no tiles), then the saved address."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPTOIR_TILE_URL = ""
    do_set_opening_hours(shop, [(d, time(8), time(19)) for d in range(7)])
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "9"})
    resident = make_person("alice@example.org", full_name="Alice Martin", phone="0601020304")
    do_add_to_cart(cart_of(resident, create=True), bread.pk, 1)
    context, page = phone(browser, live_server)
    sign_in(page, resident.email, PASSWORD)
    page.goto(f"{live_server.url}/commande/")
    page.get_by_text("Placer une épingle sur la carte (facultatif)").click()
    page.wait_for_selector("#map .leaflet-overlay-pane path")  # the zone, drawn from the node's data
    assert page.locator("#map .leaflet-tile").count() == 0  # no third-party tiles
    page.locator("#map").click()  # tap the middle of the map: the middle of the zone
    shot(page, "resident-checkout-pin")
    lat, lon = float(page.locator("#lat").input_value()), float(page.locator("#lon").input_value())
    assert 47.036 < lat < 47.076 and 5.974 < lon < 6.034  # inside the served square
    assert page.locator("#map .leaflet-marker-icon").count() == 1
    shot(page, "resident-checkout-pin")
    page.get_by_label("Créneau de livraison").select_option(index=1)
    page.get_by_label("Adresse", exact=True).fill("12 rue des Granges")
    page.get_by_label("Code postal").fill("25000")
    assert page.get_by_label("Garder cette adresse pour mes prochaines commandes").is_checked()
    page.get_by_role("button", name="Passer la commande").click()
    page.get_by_text("En attente de l’acceptation des commerces").wait_for()
    order = Order.objects.get()
    assert (order.location_source, round(order.lat, 6), round(order.lon, 6)) == ("pin", lat, lon)
    resident.refresh_from_db()
    assert (resident.saved_address, resident.saved_postal_code) == ("12 rue des Granges", "25000")
    assert (round(resident.saved_lat, 6), round(resident.saved_lon, 6)) == (lat, lon)

    do_add_to_cart(cart_of(resident, create=True), bread.pk, 1)  # the next order offers the saved address
    page.goto(f"{live_server.url}/commande/")
    assert page.get_by_label("Adresse", exact=True).input_value() == "12 rue des Granges"
    assert page.locator("#lat").input_value() == f"{lat:.6f}"
    assert "Votre adresse enregistrée est remplie" in page.locator(".saved-address").inner_text()
    page.wait_for_selector("#map .leaflet-marker-icon")  # the saved pin, on the map
    shot(page, "resident-checkout-saved-address")
    context.close()
