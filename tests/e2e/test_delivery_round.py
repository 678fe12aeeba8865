"""A dispatcher plans a slot, a courier completes the round on a phone (one action sent after a
network loss), and the resident's tracking shows progress and the ETA."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, Round, Stop
from comptoir.members.services import ensure_colleges
from tests.conftest import PASSWORD
from tests.delivery.conftest import bike, book, courier, depot, dispatcher, shift, slot, zone  # noqa: F401 (fixtures)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def colleges(transactional_db: Any) -> None:
    """Another transactional test may have flushed the colleges the migrations created."""
    ensure_colleges()


def test_plan_deliver_and_track(
    browser: Any, live_server: Any, settings: Any, slot: Any, shift: Any, shop: Shop, other_shop: Shop,  # noqa: F811
    courier: Any, dispatcher: Any,  # noqa: F811
) -> None:  # fmt: skip
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.COMPTOIR_PLANNING_SECONDS = 1.0
    refs = [book(slot, 71, [shop], n=1), book(slot, 72, [other_shop], n=2)]

    desk = browser.new_context(locale="fr-FR")
    page = desk.new_page()
    page.base_url = live_server.url
    sign_in(page, dispatcher.email, PASSWORD)
    page.goto(f"{live_server.url}/livraison/creneaux/{slot.pk}/")
    page.get_by_role("button", name="Planifier les tournées").click()
    page.wait_for_load_state()
    run = page.locator(".plan-run").inner_text()
    assert "Terminé" in run and "1 tournée pour 2 commandes." in run
    round_ = Round.objects.get(slot=slot)
    assert round_.stops.count() == 4
    desk.close()

    resident = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    tracker = resident.new_page()
    tracker.goto(f"{live_server.url}/livraison/suivi/{refs[1]}/")
    drop = Booking.objects.get(ref=refs[1]).stops.get(kind="drop")
    assert "Le coursier retire les colis." in tracker.locator(".tracking-status").inner_text()
    eta = tracker.locator(".eta").inner_text()
    assert (
        eta.startswith("Attendue vers " + timezone.localtime(drop.eta).strftime("%H:%M"))
        and "avant le vôtre" in eta
    )

    phone = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    sign_in(page, courier.email, PASSWORD)
    page.goto(f"{live_server.url}/tournee/{round_.pk}/")
    stops = list(round_.stops.order_by("sequence").select_related("parcel", "booking"))
    offline_stop = stops[-1]
    for number, stop in enumerate(stops):
        remaining = len(stops) - number
        page.wait_for_selector(f"form.action:not(.incident)[data-stop='{stop.pk}']")
        assert page.locator("h1").inner_text().startswith(str(remaining))
        code = stop.parcel.pickup_code if stop.kind == "pickup" else stop.booking.drop_code
        page.locator(f"form.action:not(.incident)[data-stop='{stop.pk}'] input[name=code]").fill(code)
        if stop is offline_stop:
            phone.set_offline(True)
            page.locator(f"form.action:not(.incident)[data-stop='{stop.pk}'] button[type=submit]").click()
            page.wait_for_selector("#sync:has-text('1 action')")
            assert Stop.objects.get(pk=stop.pk).status == "pending"
            page.wait_for_timeout(1500)  # the action waits while the phone is offline
            phone.set_offline(False)
        else:
            page.locator(f"form.action:not(.incident)[data-stop='{stop.pk}'] button[type=submit]").click()
        page.wait_for_load_state()
    page.wait_for_selector("text=Tournée terminée")
    last = Stop.objects.get(pk=offline_stop.pk)
    action = last.actions.get()
    assert last.status == "done" and last.done_at == action.happened_at
    assert (
        action.received_at - action.happened_at
    ).total_seconds() >= 1.0  # kept the street time, not the sync time
    assert set(Booking.objects.values_list("status", flat=True)) == {"delivered"}
    phone.close()

    tracker.reload()
    assert "Livrée." in tracker.locator(".tracking-status").inner_text()
    resident.close()
