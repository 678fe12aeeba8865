"""Delivery pages: who may open them, what they show, the set-up forms, the demo town's set-up."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from comptoir.catalog.models import Shop
from comptoir.core.geo import point_in_polygon
from comptoir.delivery.demo import generate_demo_delivery
from comptoir.delivery.models import Booking, Round, Shift, Slot, Vehicle, Zone
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from tests.delivery.conftest import book


def client_for(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_dispatcher_pages_are_staff_only_and_import_a_geojson_zone(
    dispatcher: Any, courier: Any, depot: Any
) -> None:
    assert client_for(courier).get("/livraison/").status_code == 403
    staff = client_for(dispatcher)
    page = staff.get("/livraison/")
    assert page.status_code == 200 and len(page.content) < 100_000
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[6, 47], [6.1, 47], [6.1, 47.1], [6, 47]]]},
    }
    response = staff.post(
        "/livraison/",
        {"form": "zone", "zone-name": "Est", "zone-depot": depot.pk, "zone-geojson": json.dumps(feature)},
    )
    assert response.status_code == 302
    assert Zone.objects.get(name="Est").ring == [[6.0, 47.0], [6.1, 47.0], [6.1, 47.1], [6.0, 47.0]]
    bad = staff.post(
        "/livraison/", {"form": "zone", "zone-name": "X", "zone-depot": depot.pk, "zone-geojson": "{}"}
    )
    assert bad.status_code == 200 and "Le GeoJSON doit contenir un polygone." in bad.content.decode()


def test_courier_page_shows_only_the_active_stops_identity(
    slot: Slot, shift: Shift, shop: Shop, courier: Any, other_courier: Any
) -> None:
    book(slot, 21, [shop], n=1)
    book(slot, 22, [shop], n=2)
    plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    round_ = Round.objects.get()
    html = client_for(courier).get(f"/tournee/{round_.pk}/").content.decode()
    assert "Boulangerie du Pont" in html and "geo:47.056000,6.004000" in html
    assert "0600000001" not in html and "0600000002" not in html  # residents' phones: no drop is active yet
    assert "rue des Lilas" not in html
    assert client_for(other_courier).get(f"/tournee/{round_.pk}/").status_code == 403


def test_tracking_fragment_for_htmx_and_page(slot: Slot, shift: Shift, shop: Shop) -> None:
    ref = book(slot, 23, [shop])
    booking = Booking.objects.get(ref=ref)
    fragment = Client().get(f"/livraison/suivi/{ref}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section class="tracking"') and booking.drop_code in fragment
    plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    page = Client().get(f"/livraison/suivi/{ref}/").content.decode()
    assert "<html" in page and 'class="eta"' in page
    assert Client().get("/livraison/suivi/unknown/").status_code == 404


def test_demo_delivery_covers_the_town(db: Any, make_person: Any) -> None:
    from comptoir.members.services import do_add_membership

    for n in (1, 2):
        do_add_membership(make_person(f"coursier{n}@demo.comptoir.coop"), "workers")
    figures = generate_demo_delivery(seed=1)
    assert figures == {"depots": 1, "zones": 2, "vehicles": 5, "slots": 12, "shifts": 12}
    assert generate_demo_delivery(seed=1) == {}
    zones = list(Zone.objects.all())
    for lat, lon in [(47.056, 6.004), (47.08, 6.01), (47.03, 5.99), (47.056, 6.04), (47.056, 5.965)]:
        assert sum(point_in_polygon(lat, lon, [tuple(p) for p in z.ring]) for z in zones) == 1
    assert Vehicle.objects.filter(kind="van").count() == 1


def test_a_shops_parcels_show_as_one_stop_for_courier_and_dispatcher(
    slot: Slot, shift: Shift, shop: Shop, courier: Any, dispatcher: Any
) -> None:
    book(slot, 31, [shop], n=1)
    book(slot, 32, [shop], n=2)
    plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    round_ = Round.objects.get()
    pickups = list(round_.stops.filter(kind="pickup").order_by("sequence"))
    html = client_for(courier).get(f"/tournee/{round_.pk}/").content.decode()
    assert "3 arrêts restants" in html
    for stop in pickups:  # one code field per parcel, in the one form of the stop
        assert f'name="code" data-stop="{stop.pk}"' in html
    assert html.count('class="action"') == 1 and "Confirmer le retrait de ces colis" in html
    page = client_for(dispatcher).get(f"/livraison/creneaux/{slot.pk}/").content.decode()
    assert page.count("Retrait Boulangerie du Pont") == 1
    orders = ", ".join(f"C{s.booking.order_id:06d}" for s in pickups)  # in the order the solver chose
    assert sorted(orders.split(", ")) == ["C000031", "C000032"]
    assert f"Retrait Boulangerie du Pont · 2 colis ({orders}) · À faire" in page


def test_the_slot_page_says_planning_is_under_way_until_the_result_shows_and_no_longer(
    slot: Slot, dispatcher: Any
) -> None:
    """Issue 20 item 14: after « Planifier » the page's own planning line says it is under way and the page
    refreshes; once the run has ended, neither that sentence nor a leftover one-time notice stays beside
    the result."""
    from unittest import mock

    from comptoir.delivery.models import PlanRun

    staff = client_for(dispatcher)
    with mock.patch("comptoir.delivery.services._enqueue_plan"):  # the worker has not taken it yet
        answer = staff.post(f"/livraison/creneaux/{slot.pk}/planifier/", follow=True)
    page = answer.content.decode()
    assert answer.redirect_chain == [(f"/livraison/creneaux/{slot.pk}/", 302)]
    assert (
        "Dernière planification\u00a0: <strong>En attente</strong>  "
        "Cette page en montre le résultat quand elle est terminée.</p>"
    ) in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Planification lancée" not in page

    PlanRun.objects.update(status="done", seconds=0.4, message="1 tournée pour 2 commandes.")
    page = staff.get(f"/livraison/creneaux/{slot.pk}/").content.decode()
    line = page[page.index('<p class="plan-run"') :].split("</p>")[0]
    assert line.endswith(
        "Dernière planification\u00a0: <strong>Terminée</strong> (0,4 s) 1 tournée pour 2 commandes."
    ), line
    assert "Cette page en montre le résultat" not in page and 'http-equiv="refresh"' not in page
