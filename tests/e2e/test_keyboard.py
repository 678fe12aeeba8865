"""A guest checks out with the keyboard alone: Tab, Shift+Tab, arrows, typing and Enter (issue 19 item 3).

No click and no `fill`: every control is reached with Tab, its focus ring is visible, and each
page of the way passes axe-core without a serious or critical violation.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

from comptoir.catalog.services import do_create_offer, do_set_opening_hours
from comptoir.orders.models import Order
from tests.e2e.test_budgets import AXE_RUN, _axe_source

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"
FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    return {
        name: (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || '').trim(),
        id: e.id, tag: e.tagName.toLowerCase(), ring: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
    };
}"""


def tab_to(page: Any, name: str, *, limit: int = 60) -> dict[str, Any]:
    """Press Tab until the focused control's accessible name (or id) is `name`; its ring shows."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if name in (focused["name"], focused["id"]):
            assert focused["ring"], f"{name}: focused without a visible focus ring"
            return focused
        seen.append(focused["name"] or focused["id"])
    raise AssertionError(f"{name!r} is not reachable with Tab; focus went through {seen}")


def no_serious_violation(page: Any) -> None:
    page.evaluate(_axe_source())
    assert page.evaluate(AXE_RUN) == []


def test_a_guest_checks_out_with_the_keyboard_only(browser, live_server, shop, settings):
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"
    settings.COMPTOIR_POSTCODE_CENTROIDS = {"25000": (47.06, 6.0)}
    do_set_opening_hours(shop, [(d, time(8), time(19)) for d in range(7)])
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "5"})
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/produits/{bread.pk}/")
    tab_to(page, "Quantité")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_to(page, "Ajouter Pain complet au panier")
    page.keyboard.press("Enter")
    page.get_by_text("Ajouté à votre panier : Pain complet.").wait_for()
    no_serious_violation(page)
    tab_to(page, "Panier")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Votre panier").wait_for()
    no_serious_violation(page)
    tab_to(page, "Commander")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Commande").wait_for()
    no_serious_violation(page)

    for field, text in [("email", "alice@example.org"), ("recipient_name", "Alice Martin"),
                        ("phone", "0601020304"), ("address", "12 rue des Granges"), ("postal_code", "25000")]:  # fmt: skip
        tab_to(page, field)
        page.keyboard.type(text)
        if field == "phone":
            page.keyboard.press("Shift+Tab")  # back to the slot, chosen with the arrow keys
            page.keyboard.press("Shift+Tab")
            assert page.evaluate(FOCUSED)["id"] == "slot_id"
            page.keyboard.press("ArrowDown")
            assert page.locator("#slot_id").input_value() != ""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "keyboard-checkout.png"), full_page=True)
    tab_to(page, "Passer la commande")
    page.keyboard.press("Enter")
    page.get_by_text("En attente de l’acceptation des commerces").wait_for()
    no_serious_violation(page)
    order = Order.objects.get()
    assert (order.email, order.goods_cents, order.address, order.postal_code, order.phone) == (
        "alice@example.org",
        480,
        "12 rue des Granges",
        "25000",
        "0601020304",
    )
    assert order.slot_id != ""
    context.close()
